# tl.dot on a (16, 4) x (4, 16) fp32 tile. The interpreter multiplies it exactly; Triton's GPU
# compiler rejects it, because an fp32 tl.dot needs an inner dimension of at least 8.
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _narrow_matmul_kernel(a_ptr, b_ptr, c_ptr, M, N,
                          BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    rm = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    rn = tl.program_id(1) * BLOCK_N + tl.arange(0, BLOCK_N)
    rk = tl.arange(0, BLOCK_K)
    a = tl.load(a_ptr + rm[:, None] * BLOCK_K + rk[None, :], mask=rm[:, None] < M, other=0.0)
    b = tl.load(b_ptr + rk[:, None] * N + rn[None, :], mask=rn[None, :] < N, other=0.0)
    c = tl.dot(a, b)
    tl.store(c_ptr + rm[:, None] * N + rn[None, :], c, mask=(rm[:, None] < M) & (rn[None, :] < N))


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, a, b):
        a, b = a.contiguous(), b.contiguous()
        M, K = a.shape
        N = b.shape[1]
        c = torch.empty((M, N), dtype=a.dtype, device=a.device)
        grid = (triton.cdiv(M, 16), triton.cdiv(N, 16))
        _narrow_matmul_kernel[grid](a, b, c, M, N, BLOCK_M=16, BLOCK_N=16, BLOCK_K=K)
        return c
