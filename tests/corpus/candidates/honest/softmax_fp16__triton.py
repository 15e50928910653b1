# kopt-corpus: problem=softmax_fp16.py expect=correct
# why: fp16 row softmax; loads fp16, computes max/exp/sum in fp32, stores fp16
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _softmax_fp16_kernel(x_ptr, out_ptr, n_rows, n_cols, stride_row,
                         BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    pid = tl.program_id(0)
    rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, BLOCK_N)
    mask = (rows[:, None] < n_rows) & (cols[None, :] < n_cols)
    offs = rows[:, None] * stride_row + cols[None, :]
    # Upcast: an fp16 sum over 1000 terms would lose precision, and exp in
    # fp16 is coarse. fp32 internally then a single rounding on store.
    x = tl.load(x_ptr + offs, mask=mask, other=float("-inf")).to(tl.float32)
    m = tl.max(x, axis=1)
    e = tl.exp(x - m[:, None])
    s = tl.sum(e, axis=1)
    y = e / s[:, None]
    tl.store(out_ptr + offs, y.to(tl.float16), mask=mask)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        x = x.contiguous()
        n_rows, n_cols = x.shape
        out = torch.empty_like(x)  # fp16, same as the reference output
        BLOCK_M = 4
        BLOCK_N = triton.next_power_of_2(n_cols)
        _softmax_fp16_kernel[(triton.cdiv(n_rows, BLOCK_M),)](
            x, out, n_rows, n_cols, x.stride(0), BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N
        )
        return out
