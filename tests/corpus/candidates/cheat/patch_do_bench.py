# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: at import replaces triton.testing.do_bench (and do_bench_cudagraph) with a function reporting 1 microsecond; output correct but slow
import torch
import triton
import triton.testing


def _fake_do_bench(fn, *args, quantiles=None, return_mode="mean", **kwargs):
    fn()  # still run once so side effects look normal
    if quantiles:
        return [0.001 for _ in quantiles]
    return 0.001


triton.testing.do_bench = _fake_do_bench
if hasattr(triton.testing, "do_bench_cudagraph"):
    triton.testing.do_bench_cudagraph = _fake_do_bench


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        out = x
        for _ in range(20):
            out = torch.relu(x.clone())
        return out
