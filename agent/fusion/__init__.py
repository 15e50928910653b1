"""The built-in proposer: a small fusion compiler from a problem's PyTorch forward to Triton.

Pipeline (each stage one module):
- capture.py (+ trace.py, lower.py, rules*.py) — runs in a child process under an address-space
  limit (it imports torch and executes the problem): traces the forward with make_fx at the
  configuration the judge checks (kopt.tools.judged) and at other ones, and lowers ATen ops to a
  small primitive IR, written as JSON. The optimizer process itself never imports torch.
- generic.py (+ solve.py) — compares the traces: a size or argument that moves between them
  becomes an expression read at run time (`x.shape[1]`, `self.norm.eps`, `1.0 / x.shape[1]`).
- ir.py — the primitive IR as plain Python: nodes, shapes, dtypes, helpers.
- groups.py — fusion: elementwise chains, row reductions/normalizations with their prologue and
  epilogue, matmuls with an elementwise epilogue; everything else stays in PyTorch.
- kernel_*.py, module.py, guards.py — readable Triton kernels per group kind, and the
  self-contained ModelNew file with its run-time checks (and the reference path when they fail).
- proposer.py — the Proposer the loop calls: one file per variant (block sizes, warps, fusion
  choices), so the judge's measurements pick the winner.
"""
