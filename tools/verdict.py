"""The typed result of a check. Expected failures are fields here, never exceptions."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

STATUSES = ("correct", "incorrect", "compile_error", "runtime_error", "timeout", "rejected")


class ProblemError(Exception):
    """The problem (reference) itself is unusable: bad file, or the reference fails to run."""


@dataclass
class Verdict:
    status: str
    reason: str
    device: str
    candidate_ms: float | None = None
    reference_ms: float | None = None
    speedup: float | None = None
    candidate: str = ""
    problem: str = ""
    findings: list[dict] = field(default_factory=list)     # integrity findings (rejected)
    trials: list[dict] = field(default_factory=list)       # each correctness comparison
    timing: dict = field(default_factory=dict)             # summaries, judge clock, notes
    kernels: list[dict] = field(default_factory=list)      # Triton kernels one forward launched
    xcompile: dict = field(default_factory=dict)           # their GPU compilation: registers, spills, errors
    ncu: dict = field(default_factory=dict)                # Nsight Compute metrics, or why there are none
    inputs: list[str] = field(default_factory=list)        # e.g. "Tensor[float32, (64, 4687)]", as checked
    outputs: str = ""
    warnings: list[str] = field(default_factory=list)
    degenerate: str | None = None
    sizes: dict = field(default_factory=dict)
    tolerance: str = ""                                    # the comparison policy, in words
    configs: list[dict] = field(default_factory=list)      # each configuration checked: judged, unseen
    coverage: dict = field(default_factory=dict)           # how many unseen configurations, what was tried
    final: dict = field(default_factory=dict)              # the plain-process verification, when asked for
    versions: dict = field(default_factory=dict)
    isolation: dict = field(default_factory=dict)
    phases: dict = field(default_factory=dict)             # seconds spent per phase
    error: dict | None = None                              # traceback / output of a failure
    elapsed_s: float = 0.0

    def __post_init__(self):
        assert self.status in STATUSES, self.status

    def to_json(self) -> dict:
        return asdict(self)
