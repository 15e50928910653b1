# kopt-corpus: problem=linear_scale_residual.py expect=correct
# why: tiled tl.dot matmul with epilogue (acc + bias) * scale + residual in one kernel
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _linear_scale_res_kernel(x_ptr, w_ptr, b_ptr, r_ptr, out_ptr, M, N, K, scale,
                             stride_xm, stride_xk, stride_wn, stride_wk,
                             stride_rm, stride_rn, stride_om, stride_on,
                             BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    pid_m = tl.program_id(0)
    pid_n = tl.program_id(1)
    rm = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    rn = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    rk = tl.arange(0, BLOCK_K)
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k0 in range(0, K, BLOCK_K):
        kk = k0 + rk
        a = tl.load(x_ptr + rm[:, None] * stride_xm + kk[None, :] * stride_xk,
                    mask=(rm[:, None] < M) & (kk[None, :] < K), other=0.0)
        w = tl.load(w_ptr + kk[:, None] * stride_wk + rn[None, :] * stride_wn,
                    mask=(kk[:, None] < K) & (rn[None, :] < N), other=0.0)
        acc += tl.dot(a, w, input_precision="ieee")  # no TF32: match fp32 torch
    out_mask = (rm[:, None] < M) & (rn[None, :] < N)  # M=97, N=112 leave partial tiles
    bias = tl.load(b_ptr + rn, mask=rn < N, other=0.0)
    res = tl.load(r_ptr + rm[:, None] * stride_rm + rn[None, :] * stride_rn, mask=out_mask, other=0.0)
    y = (acc + bias[None, :]) * scale + res
    tl.store(out_ptr + rm[:, None] * stride_om + rn[None, :] * stride_on, y, mask=out_mask)


class ModelNew(nn.Module):
    def __init__(self, in_features, out_features, scale):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)
        self.scale = scale

    def forward(self, x, residual):
        x = x.contiguous()
        residual = residual.contiguous()
        w = self.linear.weight
        M, K = x.shape
        N = w.shape[0]
        out = torch.empty((M, N), device=x.device, dtype=x.dtype)
        BM, BN, BK = 32, 32, 32
        grid = (triton.cdiv(M, BM), triton.cdiv(N, BN))
        _linear_scale_res_kernel[grid](
            x, w, self.linear.bias, residual, out, M, N, K, float(self.scale),
            x.stride(0), x.stride(1), w.stride(0), w.stride(1),
            residual.stride(0), residual.stride(1), out.stride(0), out.stride(1),
            BLOCK_M=BM, BLOCK_N=BN, BLOCK_K=BK,
        )
        return out
