"""The typed wire (tools/wire.py): every reply from the candidate's process is checked against its
op's schema before the judge reads a field; a forged frame is `rejected`, never a traceback."""
from __future__ import annotations

import pytest

from conftest import CORPUS, run_kopt
from kopt.tools import wire

RUN_OK = {"ok": True, "ms": [1.5], "event_ms": [None], "host_ms": [1.6], "host_charged": 0, "overhead_ms": 0.1,
          "findings": [], "kernels": [{"name": "k", "grid": [4]}], "kept": [], "spec": {"t": "dict", "items": []}}


def test_real_replies_fit():
    assert wire.problem("run", RUN_OK) is None
    assert wire.problem("run", {k: v for k, v in RUN_OK.items() if k != "spec"}) is None  # send=False
    assert wire.problem("kept", {"ok": True, "key": [0, 7], "spec": {}}) is None
    assert wire.problem("error", {"op": "error", "kind": "runtime_error", "message": "boom"}) is None
    finding = {"code": "oob_store", "message": "m", "sanitizer": True, "kernel": "k", "launch": 3}
    assert wire.problem("run", {**RUN_OK, "findings": [finding]}) is None


@pytest.mark.parametrize("header, words", [
    ({"ok": True}, "missing field 'ms'"),
    ({**RUN_OK, "extra": 1}, "unexpected field 'extra'"),
    ({**RUN_OK, "ms": "fast"}, "'ms' is a str, not a list"),
    ({**RUN_OK, "ms": [True]}, "'ms[0]' is a bool"),
    ({**RUN_OK, "ms": []}, "'ms' is empty"),
    ({**RUN_OK, "host_charged": True}, "'host_charged' is a bool"),
    ({**RUN_OK, "findings": [{"code": "x"}]}, "missing field findings[0].'message'"),
    ({**RUN_OK, "kernels": [{"grid": 1}]}, "missing field kernels[0].'name'"),
    ({**RUN_OK, "ok": False}, "neither ok nor an error"),
    ("not a dict", "not an object"),
])
def test_malformed_run_replies_are_named(header, words):
    why = wire.problem("run", header)
    assert why and words in why, why


def test_other_ops():
    assert "[slot, mix]" in wire.problem("kept", {"ok": True, "key": [1], "spec": {}})
    assert "not a number" in wire.problem("xcompile", {"ok": True, "results": [{"key": "a", "status": "ok",
                                                                                 "shared_bytes": "lots"}]})
    assert "message" in wire.problem("error", {"op": "error", "kind": "runtime_error"})


def test_a_forged_frame_is_rejected_not_a_traceback():
    cand = CORPUS / "candidates" / "cheat" / "trust_forged_reply_frame.py"
    res = run_kopt("check", str(cand), "--ref", str(CORPUS / "problems" / "adv_relu.py"), "--json", "--device", "cpu",
                   "--no-xcompile", env={"KOPT_TEST_SKIP_STATIC_SCAN": "1"})
    v = res.json
    assert v["status"] == "rejected", v
    assert "does not fit the protocol" in v["reason"] and "missing field" in v["reason"]
    assert "Traceback" not in res.stderr
