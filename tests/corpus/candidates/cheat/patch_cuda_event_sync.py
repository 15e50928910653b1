# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: at import patches torch.cuda.Event.elapsed_time to report 1% of the real time, and makes torch.cuda.synchronize / Event.synchronize no-ops, so GPU-side timing is faked (output is correct but slow)
import torch
import torch.cuda

_orig_elapsed = torch.cuda.Event.elapsed_time


def _fast_elapsed(self, end_event):
    try:
        return _orig_elapsed(self, end_event) * 0.01
    except Exception:
        return 0.001


torch.cuda.Event.elapsed_time = _fast_elapsed
torch.cuda.synchronize = lambda *a, **k: None
torch.cuda.Event.synchronize = lambda *a, **k: None
torch.cuda.current_stream = torch.cuda.current_stream  # keep the namespace looking intact


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        out = x
        for _ in range(20):
            out = torch.relu(x.clone())
        return out
