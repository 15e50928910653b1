"""Input buffers as both workers build them: same layout as the reference made them, the same
content transforms, and (on CPU) living in memory the reference reads back itself.

Layout. A tensor keeps its shape, strides and storage offset end to end (the codec carries them),
so a transposed or sliced input reaches the candidate exactly as `get_inputs()` made it and an
honest kernel that reads strides is judged on the real thing.

Fresh contents. Timed calls and rechecks refill the same buffers with a *mix* of an earlier
input: the flattened elements are cut into blocks of a random length, the blocks shuffled, and the
whole rolled, all from a seed. The values keep their distribution (indices stay valid) but rows are
torn apart at random places, so a cache that recognises earlier inputs (by content, sorted
values, a rotation) has nothing cheap to answer with.

Shared memory (CPU). The judge creates one memfd and hands it to both workers. The candidate's
input buffers for a call live in a region the judge chose; after the call the reference maps the
region read-only and compares it, byte for byte, with what it put there. The candidate's process
is never asked whether its inputs changed, so rebinding whatever reports them gains nothing.
On a GPU the buffers are device memory and come back through the candidate's reply (guarded by
the tamper catalog); sandbox/isolation.py says so.
"""
from __future__ import annotations

import mmap
import os

from kopt.sandbox.protocol import region_layout

PAGE = mmap.ALLOCATIONGRANULARITY


def alloc_like(src):
    """An uninitialised tensor with src's shape, strides and storage offset."""
    import torch
    if not isinstance(src, torch.Tensor):
        return src
    if src.numel() == 0:
        return torch.empty_like(src)
    span = 1 + sum((s - 1) * st for s, st in zip(src.shape, src.stride()) if s > 0)
    base = torch.empty(src.storage_offset() + span, dtype=src.dtype, device=src.device)
    return base.as_strided(src.shape, src.stride(), src.storage_offset())


def region_bytes(tensors) -> int:
    """An upper bound of the shared region that input buffers like these need."""
    import torch
    total = 0
    for t in tensors:
        if isinstance(t, torch.Tensor):
            span = 1 + sum((s - 1) * st for s, st in zip(t.shape, t.stride()) if s > 0) if t.numel() else 0
            total += (max(t.numel(), t.storage_offset() + span) * t.element_size() + 255) // 256 * 256
    return total


def mixed(src, seed: int):
    """The content transform of the module docstring (seed != 0), as a new tensor of src's shape.

    A negative seed makes a near-duplicate instead: two positions of the last dim swapped in every
    row. Row sums, maxima and sorted values stay; a cache keyed on any of them answers wrongly."""
    import torch
    if seed < 0:
        out = src.clone()
        if src.dim() and src.shape[-1] >= 2:
            g = torch.Generator().manual_seed(-seed)
            i, j = (int(v) for v in torch.randperm(src.shape[-1], generator=g)[:2])
            out[..., i], out[..., j] = src[..., j], src[..., i]
        return out
    flat = src.reshape(-1)
    n = flat.numel()
    if n < 2:
        return src.clone()
    g = torch.Generator().manual_seed(seed)
    blocks = int(torch.randint(8, 513, (1,), generator=g))
    b = max(1, n // blocks)
    m = n // b
    order = torch.randperm(m, generator=g).to(src.device)
    head = flat[:m * b].view(m, b).index_select(0, order).reshape(-1)
    out = torch.cat([head, flat[m * b:]])
    return out.roll(int(torch.randint(0, n, (1,), generator=g))).view(src.shape)


def fill(dst, src, seed: int) -> None:
    """dst <- mixed(src, seed), whatever dst's layout. On the CPU the bytes are written through a
    separate tensor over the same memory, as numpy, DLPack or another process write them: dst's
    version counter (`x._version`) does not move, so a cache keyed on it answers new contents wrongly."""
    import torch
    if not isinstance(dst, torch.Tensor):
        return
    new = mixed(src, seed) if seed else src
    if dst.device.type == "cpu" and not dst.requires_grad and dst.dtype != torch.bfloat16 and dst.numel():
        try:
            alias = torch.from_numpy(dst.detach().numpy())  # same bytes, its own version counter
        except (TypeError, RuntimeError, ValueError):
            alias = None
        if alias is not None:
            alias.copy_(new)
            return
    dst.copy_(new)


def fresh(inputs, seed: int = 0) -> list:
    """New buffers laid out like `inputs`, filled with their (mixed) contents."""
    out = []
    for x in inputs:
        y = alloc_like(x)
        fill(y, x, seed)
        out.append(y)
    return out


class Shared:
    """The memfd shared by the judge's workers (fd number from KOPT_SHM_FD), mapped per region."""

    def __init__(self, fd: int | None):
        self.fd = fd

    @classmethod
    def from_env(cls) -> "Shared":
        v = os.environ.pop("KOPT_SHM_FD", "")
        return cls(int(v) if v.isdigit() else None)

    def tensors(self, offset: int, spec: dict, writable: bool) -> list:
        """The input tensors of `spec` (an encoded input list) laid out in the region at `offset`."""
        import torch
        from kopt.sandbox.protocol import dtype_of
        items = spec.get("items", [])
        places, size = region_layout(items)
        if offset % PAGE:
            raise ValueError("region offset is not page aligned")
        mm = mmap.mmap(self.fd, max(size, 1), offset=offset,
                       prot=mmap.PROT_READ | (mmap.PROT_WRITE if writable else 0))
        out = []
        for item, place in zip(items, places):
            if place is None:
                out.append(item.get("v"))
                continue
            at, count = place
            dtype = dtype_of(item["dtype"])
            if count == 0:
                out.append(torch.empty(item["shape"], dtype=dtype))
                continue
            if writable:
                raw = torch.frombuffer(mm, dtype=torch.uint8, count=count, offset=at)
            else:  # read back into private memory: nothing the candidate does later can change it
                raw = torch.frombuffer(bytearray(mm[at:at + count]), dtype=torch.uint8)
            flat = raw.view(dtype)
            out.append(flat.as_strided(item["shape"], item.get("stride") or _contiguous(item["shape"]),
                                       item.get("storage_offset", 0)))
        if not writable:
            mm.close()
        return out


def _contiguous(shape) -> list[int]:
    stride, acc = [], 1
    for s in reversed(shape):
        stride.append(acc)
        acc *= max(s, 1)
    return list(reversed(stride))
