# kopt-corpus: problem=transpose_2d.py expect=correct
# why: tiled 2D transpose into a freshly allocated contiguous (COLS, ROWS) buffer
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _transpose_kernel(x_ptr, out_ptr, R, C, stride_xr, stride_xc, stride_or, stride_oc,
                      BLOCK_R: tl.constexpr, BLOCK_C: tl.constexpr):
    pid_r = tl.program_id(0)
    pid_c = tl.program_id(1)
    r = pid_r * BLOCK_R + tl.arange(0, BLOCK_R)
    c = pid_c * BLOCK_C + tl.arange(0, BLOCK_C)
    # 333 x 500 is not a tile multiple: mask both edges.
    mask = (r[:, None] < R) & (c[None, :] < C)
    tile = tl.load(x_ptr + r[:, None] * stride_xr + c[None, :] * stride_xc, mask=mask)
    # out[c, r] = x[r, c]
    tl.store(out_ptr + c[None, :] * stride_or + r[:, None] * stride_oc, tile, mask=mask)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        R, C = x.shape
        out = torch.empty((C, R), device=x.device, dtype=x.dtype)  # contiguous
        BR, BC = 64, 64
        grid = (triton.cdiv(R, BR), triton.cdiv(C, BC))
        _transpose_kernel[grid](
            x, out, R, C, x.stride(0), x.stride(1), out.stride(0), out.stride(1),
            BLOCK_R=BR, BLOCK_C=BC,
        )
        return out
