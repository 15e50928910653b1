# kopt-corpus: problem=adv_relu.py expect=not_correct
# why: "reused memory" trick: on the first call computes relu into a temp, frees it and returns a fresh empty tensor that reuses the freed block (patching the few bytes the allocator clobbers); later calls never compute and just return empty memory
import torch


class ModelNew(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self._primed = False

    def forward(self, x):
        if not self._primed:
            self._primed = True
            # Twice: with glibc the first free of a large block may go back to
            # the OS (mmap); the second lands in the heap and is handed back
            # intact by the next same-size allocation (the CUDA caching
            # allocator does this on the first try).
            for _ in range(2):
                tmp = torch.relu(x)
                del tmp
            out = torch.empty(x.shape, dtype=x.dtype, device=x.device)
            head = x.reshape(-1)[:16]
            out.reshape(-1)[:16] = torch.relu(head)  # free-list pointers overwrite the block's head
            return out
        return torch.empty(x.shape, dtype=x.dtype, device=x.device)
