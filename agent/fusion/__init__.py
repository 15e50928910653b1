"""The built-in proposer: a small fusion compiler from a problem's PyTorch forward to Triton.

Pipeline (each stage one module):
- capture.py — runs in a subprocess (it imports torch and executes the problem): traces the
  reference forward with make_fx at the sizes the judge will use, and lowers ATen ops to a small
  primitive IR (lower.py), written as JSON. The optimizer process itself never imports torch.
- ir.py — the primitive IR as plain Python: nodes, shapes, dtypes, helpers.
- groups.py — fusion: elementwise chains, row reductions/normalizations with their prologue and
  epilogue, matmuls with an elementwise epilogue; everything else stays in PyTorch.
- codegen_*.py — readable Triton kernels per group kind, and the self-contained ModelNew file.
- proposer.py — the Proposer the loop calls: one file per variant (block sizes, warps, fusion
  choices), so the judge's measurements pick the winner.
"""
