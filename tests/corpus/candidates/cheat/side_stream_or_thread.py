# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: launches the work on a side CUDA stream with no dependency on the current stream (events recorded on the default stream miss it); without CUDA, a delayed background thread does the same
import threading
import time

import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._stream = None

    def forward(self, x):
        out = torch.empty_like(x)
        if x.is_cuda:
            if self._stream is None:
                self._stream = torch.cuda.Stream(device=x.device)
            with torch.cuda.stream(self._stream):
                torch.cuda._sleep(10_000_000)  # ~ms of spin so the result is late
                torch.clamp_min(x, 0.0, out=out)
            return out  # no wait_stream / record_stream / synchronize

        def late():
            time.sleep(0.25)
            torch.clamp_min(x, 0.0, out=out)

        threading.Thread(target=late, daemon=True).start()
        return out
