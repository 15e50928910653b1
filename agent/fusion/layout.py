"""Kernel axes: how a group's iteration space is laid out over memory, shared by every kernel kind.

Dims of the iteration space S are collapsed into as few kernel axes as the tensors allow (two
adjacent dims merge when every tensor steps over them as over one dim), as PyTorch's
TensorIterator does: an all-contiguous elementwise op becomes one flat axis, a layer norm over
(B, S, D) becomes rows × columns. Size-1 dims are dropped. The decision is made from the traced
strides; the generated forward recomputes sizes and strides at run time with `_axes`.
"""
from __future__ import annotations


def expanded_stride(shape, stride, target) -> list[int]:
    """Strides of a tensor broadcast to `target` (0 where it broadcasts), right-aligned."""
    pad = len(target) - len(shape)
    out = []
    for d in range(len(target)):
        k = d - pad
        if k < 0 or shape[k] == 1:
            out.append(0)
        else:
            out.append(stride[k])
    return out


def collapse(target, dims: list[int], tensors: list[tuple]) -> list[list[int]]:
    """Group `dims` (ascending, all within `target`) into mergeable runs; tensors = [(shape, stride)]."""
    dims = [d for d in dims if target[d] != 1]
    strides = [expanded_stride(s, st, target) for s, st in tensors]
    axes: list[list[int]] = []
    for d in dims:
        if axes and axes[-1][-1] == d - 1 or (axes and _adjacent_after_ones(target, axes[-1][-1], d)):
            prev = axes[-1][-1]
            if all(st[prev] == st[d] * target[d] for st in strides):
                axes[-1].append(d)
                continue
        axes.append([d])
    return axes


def _adjacent_after_ones(target, a: int, b: int) -> bool:
    return b > a and all(target[k] == 1 for k in range(a + 1, b))


def axis_strides(shape, stride, target, axes) -> list[int]:
    es = expanded_stride(shape, stride, target)
    return [es[a[-1]] for a in axes]


HELPERS = '''
def _axes(shape, axes, *tensors):
    """Kernel axis sizes, then each tensor's stride per axis (broadcast dims step by 0)."""
    sizes = [math.prod(shape[d] for d in axis) for axis in axes]
    strides = []
    for t in tensors:
        s = t.expand(shape).stride()
        strides.extend(s[axis[-1]] for axis in axes)
    return sizes, strides
'''
