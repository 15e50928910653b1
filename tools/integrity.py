"""Integrity checks on a candidate: a static scan of its source and a runtime tamper catalog.

The static scan (`kopt.tools.scan`, re-exported here) runs in the judge before any candidate code
exists; it follows what the candidate's names and strings can reach and reports each way around the
judge as a finding, which means `rejected` (a `device_branch` finding is the judge's to weigh). Its
module docstring states what it guarantees and what an in-process adversary can still do: the scan
is a filter, not the proof; the judge never lets the candidate's process near the comparison, and
times it on its own clock.

The runtime tamper catalog lives with the worker it guards: kopt.sandbox.tamper.
"""
from __future__ import annotations

from kopt.tools.scan import Finding, scan_source  # noqa: F401  (re-exported: the judge's import path)
