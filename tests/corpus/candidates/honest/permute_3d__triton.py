# kopt-corpus: problem=permute_3d.py expect=correct
# why: (B, S, D) -> contiguous (B, D, S) copy, tiled per batch on a 3D grid
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _permute_kernel(x_ptr, out_ptr, S, D,
                    stride_xb, stride_xs, stride_xd, stride_ob, stride_od, stride_os,
                    BLOCK_S: tl.constexpr, BLOCK_D: tl.constexpr):
    pid_s = tl.program_id(0)
    pid_d = tl.program_id(1)
    b = tl.program_id(2)
    s = pid_s * BLOCK_S + tl.arange(0, BLOCK_S)
    d = pid_d * BLOCK_D + tl.arange(0, BLOCK_D)
    mask = (s[:, None] < S) & (d[None, :] < D)  # S=97, D=200 leave partial tiles
    tile = tl.load(x_ptr + b * stride_xb + s[:, None] * stride_xs + d[None, :] * stride_xd, mask=mask)
    # out[b, d, s] = x[b, s, d]
    tl.store(out_ptr + b * stride_ob + d[None, :] * stride_od + s[:, None] * stride_os, tile, mask=mask)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        B, S, D = x.shape
        out = torch.empty((B, D, S), device=x.device, dtype=x.dtype)
        BS, BD = 64, 64
        grid = (triton.cdiv(S, BS), triton.cdiv(D, BD), B)
        _permute_kernel[grid](
            x, out, S, D,
            x.stride(0), x.stride(1), x.stride(2), out.stride(0), out.stride(1), out.stride(2),
            BLOCK_S=BS, BLOCK_D=BD,
        )
        return out
