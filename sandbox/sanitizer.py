"""Memory sanitizer for Triton kernels run by the interpreter (TRITON_INTERPRET=1).

The interpreter runs program instances one after another and reads/writes through raw pointers, so on a
CPU an out-of-bounds access silently corrupts the process (or crashes it) and a data race between programs
always gives the sequential answer. This module hooks the interpreter's builder (load/store and atomics)
and its grid executor, and checks every access of a launch as it happens:
- out of bounds: a byte of an accessed element (masked-off lanes excluded) outside the storage of every
  tensor argument of the launch. Raised as SanitizerError before the access runs, so it never lands.
- conflicts between programs of one launch (races on a GPU, where programs run concurrently): two programs
  plain-storing the same address; a plain load of what another program stores; a plain store or load
  against another program's atomic. Atomics against atomics and anything within one program are fine.
Not modelled: locks built from atomics (data a spin lock guards is reported as a race), ordering between
launches (each launch is checked on its own), memory reached through pointers that are not tensor
arguments (reported as out of bounds). Not thread-safe: the interpreter's builder is one global object.
"""
from __future__ import annotations

import os

import numpy as np

# Conflict tracking keeps, per kind of access, the first and the latest program that touched each granule
# (= smallest element size among the launch's tensors; an access narrower than that, through a cast
# pointer, counts as touching its whole granule) of the launch's tensors: 8 bytes per granule and kind,
# freed after the launch. Above this many granules (64 MiB of fp32 tensors) a launch is only checked
# for out-of-bounds accesses, and a note says so.
MAX_GRANULES = 1 << 24
EMPTY = -1

# builder method -> (kind, index of the pointer argument, index of the mask argument or None), counted
# after `self`. These leading positions are the same in Triton 3.6 and 3.9 (and the first interpreter);
# whatever a version adds after them passes through untouched. Methods a version lacks are skipped.
_HOOKS = {
    "create_load": ("load", 0, None), "create_store": ("store", 0, None),
    "create_masked_load": ("load", 0, 1), "create_masked_store": ("store", 0, 2),
    "create_atomic_rmw": ("atomic", 1, 3), "create_atomic_cas": ("atomic", 0, None),
    "create_atomic_load": ("atomic", 0, 1), "create_atomic_store": ("atomic", 0, 2),
}
# (kind of this access, kind another program used) -> finding code and sentence; {store}/{load}/{atomic}
# name the program that made that kind of access, {a}/{b} the two programs of a store/store conflict.
_CONFLICTS = {
    ("store", "store"): ("race_write_write", "programs {a} and {b} both store to {where}"),
    ("store", "load"): ("race_read_write", "program {store} stores to {where} while program {load} loads it"),
    ("load", "store"): ("race_read_write", "program {store} stores to {where} while program {load} loads it"),
    ("store", "atomic"): ("race_write_write",
                          "program {store} stores to {where} while program {atomic} atomically updates it"),
    ("atomic", "store"): ("race_write_write",
                          "program {store} stores to {where} while program {atomic} atomically updates it"),
    ("load", "atomic"): ("race_read_write",
                         "program {atomic} atomically updates {where} while program {load} reads it with a plain load"),
    ("atomic", "load"): ("race_read_write",
                         "program {atomic} atomically updates {where} while program {load} reads it with a plain load"),
}

_active: "Sanitizer | None" = None
_reason = ""


class SanitizerError(Exception):
    """An access the sanitizer stopped before it ran; str() is the finding's sentence."""


def unavailable_reason() -> str:
    return _reason


def install() -> "Sanitizer | None":
    """Patch the interpreter (once per process); None, with unavailable_reason(), where it cannot be hooked."""
    global _active, _reason
    if _active is not None:
        return _active
    if os.environ.get("TRITON_INTERPRET", "0").lower() not in ("1", "true", "on", "yes"):
        _reason = "TRITON_INTERPRET is not set, so kernels do not run through the interpreter"
        return None
    try:
        from triton.runtime import interpreter as interp
        builder_cls, grid_cls = type(interp.interpreter_builder), interp.GridExecutor
    except Exception as e:  # noqa: BLE001 - whatever breaks here means "cannot hook"
        _reason = f"cannot reach the Triton interpreter's builder and grid executor: {e!r}"
        return None
    need = ["create_masked_load", "create_masked_store", "set_grid_dim", "set_grid_idx"]
    missing = [n for n in need if not hasattr(builder_cls, n)]
    if missing or "__call__" not in grid_cls.__dict__:
        _reason = f"this Triton's interpreter lacks {', '.join(missing or ['GridExecutor.__call__'])}"
        return None
    _active = Sanitizer(interp, builder_cls, grid_cls)
    return _active


def _elem_bytes(ptrs) -> int:
    ty = getattr(ptrs.dtype, "element_ty", ptrs.dtype)  # the handle's dtype is the pointer type
    if hasattr(ty, "element_ty"):
        return 8  # a pointer to pointers
    return max(1, getattr(ty, "primitive_bitwidth", 8) // 8)  # int1 lives in memory as one byte


def _tensors(obj, name, out):
    """(name, tensor) for each tensor in an argument: tuples, TensorDescriptor and TensorWrapper bases too."""
    if hasattr(obj, "untyped_storage"):
        out.append((name, obj))
    elif hasattr(getattr(obj, "base", None), "untyped_storage"):
        out.append((name, obj.base))
    elif isinstance(obj, (tuple, list)):
        for i, x in enumerate(obj):
            _tensors(x, f"{name}[{i}]", out)


class Sanitizer:
    def __init__(self, interp, builder_cls, grid_cls):
        self._builder = interp.interpreter_builder
        self._findings, self._notes, self._saved = [], [], []
        self._launch, self._in_launch = 0, False
        # The judge turns it on for the calls it wants sanitized (the first of each configuration):
        # programs, masks and bounds are a property of the sizes, so one call per configuration shows them.
        self.enabled = True
        self._busy = False  # inside a hooked call: create_load -> create_masked_load is one access, not two
        for name, (kind, pi, mi) in _HOOKS.items():
            if name in builder_cls.__dict__:
                self._patch(builder_cls, name, self._hook(builder_cls.__dict__[name], kind, pi, mi))
        grid_call = grid_cls.__call__
        self._patch(grid_cls, "__call__", lambda ex, *a, **k: self._run_launch(grid_call, ex, a, k))
        if "_init_args_hst" in grid_cls.__dict__:
            init = grid_cls._init_args_hst
            # Off a CPU the kernel's pointers point into these host copies, not into the caller's tensors.
            self._patch(grid_cls, "_init_args_hst", lambda ex, a, k: self._set_spans(ex, *init(ex, a, k)))

    def _patch(self, obj, name, value):
        self._saved.append((obj, name, obj.__dict__[name]))
        setattr(obj, name, value)

    def close(self):
        global _active
        while self._saved:
            obj, name, value = self._saved.pop()
            setattr(obj, name, value)
        if _active is self:
            _active = None

    def take(self) -> list[dict]:
        """Findings since the last take()."""
        out, self._findings = self._findings, []
        return out

    def notes(self) -> list[str]:
        """What was not checked (and why) since the last notes()."""
        out, self._notes = self._notes, []
        return out

    def _hook(self, orig, kind, pi, mi):
        def hook(b, *args, **kwargs):
            if self._busy or not self._in_launch:
                return orig(b, *args, **kwargs)
            self._access(kind, args[pi], args[mi] if mi is not None and mi < len(args) else None)
            self._busy = True
            try:
                return orig(b, *args, **kwargs)
            finally:
                self._busy = False
        return hook

    # ---- one launch ----
    def _run_launch(self, grid_call, ex, args, kwargs):
        if self._in_launch or not self.enabled:  # nested: not reachable in today's interpreters
            return grid_call(ex, *args, **kwargs)
        self._launch += 1
        self._kernel = getattr(ex.fn, "__name__", "?")
        self._conflicts, self._tables = {}, {}
        self._set_spans(ex, args, kwargs)
        self._in_launch = True
        try:
            return grid_call(ex, *args, **kwargs)
        except Exception as e:
            # The interpreter wraps a kernel's exception in InterpreterError(repr(e)); hand ours back
            # unwrapped, so the caller gets the readable sentence and can tell it apart.
            cause = e
            while cause is not None and not isinstance(cause, SanitizerError):
                cause = cause.__cause__ or cause.__context__
            if cause is not None and cause is not e:
                raise cause from None
            raise
        finally:
            self._in_launch = False
            self._tables = {}
            if not self._tracking:
                self._notes.append(f"kernel {self._kernel} (launch {self._launch}): its tensors span {self._ngran} "
                                   f"elements, more than the {MAX_GRANULES} tracked; conflicts between programs "
                                   "were not checked in this launch (out-of-bounds accesses were)")
            for code, (text, count) in self._conflicts.items():
                msg = (f"{code} in kernel {self._kernel} (launch {self._launch}): {text} in the same launch, "
                       f"whose result then depends on the order in which a GPU runs the programs "
                       f"({count} conflicting lane(s) of this kind)")
                self._findings.append({"code": code, "kernel": self._kernel, "message": msg,
                                       "launch": self._launch})

    def _set_spans(self, ex, args, kwargs):
        names = list(getattr(ex, "arg_names", []))
        names += [f"arg{i}" for i in range(len(names), len(args))]
        found = []
        for name, a in [*zip(names, args), *kwargs.items()]:
            _tensors(a, name, found)
        spans = {}
        for name, t in found:  # views of one storage share its span; the first argument names it
            st = t.untyped_storage()
            spans.setdefault(st.data_ptr(), (st.data_ptr(), st.data_ptr() + st.nbytes(), name, t.data_ptr(),
                                             t.element_size()))
        self._spans = sorted(spans.values())
        self._lo = np.array([s[0] for s in self._spans], dtype=np.uint64)
        self._hi = np.array([s[1] for s in self._spans], dtype=np.uint64)
        # A compact address space: the spans laid end to end, each rounded up to whole granules.
        self._gran = min([s[4] for s in self._spans], default=1)
        padded = [-(-(hi - lo) // self._gran) * self._gran for lo, hi, *_ in self._spans]
        self._base = np.array([0] + padded, dtype=np.uint64).cumsum(dtype=np.uint64)
        self._ngran = int(self._base[-1]) // self._gran
        self._tracking = self._ngran <= MAX_GRANULES
        return args, kwargs

    # ---- one access ----
    def _access(self, kind, ptrs, mask):
        addr = np.asarray(ptrs.data)
        if mask is not None:
            m = np.asarray(mask.data, dtype=bool)
            addr = addr.ravel() if m.all() else addr[np.broadcast_to(m, addr.shape)]
        addr = addr.ravel().astype(np.uint64, copy=False)
        if not addr.size:
            return
        size = _elem_bytes(ptrs)
        x, y, z = self._builder.grid_idx
        _, ny, nz = self._builder.grid_dim
        pid = (x * ny + y) * nz + z  # linear id in the interpreter's loop order: it only grows in a launch
        lo, hi = int(addr.min()), int(addr.max()) + size
        j = int(np.searchsorted(self._lo, np.uint64(lo), side="right")) - 1
        if j >= 0 and hi <= int(self._hi[j]):  # the common case: the whole access inside one tensor
            comp = addr + np.uint64((int(self._base[j]) - int(self._lo[j])) % (1 << 64))  # wraps to - lo + base
        else:
            i = np.searchsorted(self._lo, addr, side="right").astype(np.int64) - 1
            ok = (i >= 0) & (addr + np.uint64(size) <= self._hi[np.maximum(i, 0)]) if self._hi.size else i >= 0
            if not ok.all():
                self._out_of_bounds(kind, addr[~ok], size, pid)
            comp = addr - self._lo[i] + self._base[i]
        if self._tracking:
            g = (comp // np.uint64(self._gran)).astype(np.int64)
            if size > self._gran:  # a wide element covers several granules
                g = (g[:, None] + np.arange(size // self._gran)).ravel()
            self._track(kind, g, pid)

    def _out_of_bounds(self, kind, bad, size, pid):
        code = "oob_load" if kind == "load" else "oob_store"
        verb = {"load": "loads", "store": "stores", "atomic": "atomically updates"}[kind]
        msg = (f"{code} in kernel {self._kernel} (launch {self._launch}): program {self._pid_text(pid)} {verb} "
               f"{size} byte(s) at {self._where(int(bad[0]))}, outside every tensor argument "
               f"({bad.size} lane(s) of this access out of bounds)")
        self._findings.append({"code": code, "kernel": self._kernel, "message": msg, "launch": self._launch})
        raise SanitizerError(msg)  # before the access: the interpreter writes through raw pointers

    # Each table holds, per granule, (first program << 32) | latest program, or EMPTY: one gather answers
    # "did another program touch it" (programs run in increasing linear id, so first..latest covers them).
    def _track(self, kind, g, pid):
        own = (pid << 32) | pid
        for other in ("store", "load", "atomic"):
            table = self._tables.get(other)
            if table is None or (kind, other) not in _CONFLICTS:
                continue
            seen = table[g]
            hit = (seen != EMPTY) & (seen != own)
            if hit.any():
                self._conflict(kind, other, g, hit, pid, seen)
        table = self._tables.get(kind)
        if table is None:
            table = self._tables[kind] = np.full(self._ngran, EMPTY, dtype=np.int64)
        seen = table[g]
        table[g] = np.where(seen == EMPTY, own, (seen & ~0xFFFFFFFF) | pid)

    def _conflict(self, kind, other, g, hit, pid, seen):
        code, template = _CONFLICTS[(kind, other)]
        k = int(np.flatnonzero(hit)[0])
        first, last = int(seen[k]) >> 32, int(seen[k]) & 0xFFFFFFFF
        other_pid = first if first != pid else last
        if code in self._conflicts:
            text, count = self._conflicts[code]
            self._conflicts[code] = (text, count + int(hit.sum()))
            return
        comp = int(g[k]) * self._gran
        s = int(np.searchsorted(self._base, np.uint64(comp), side="right")) - 1
        where = self._where(int(self._lo[s]) + comp - int(self._base[s]))
        roles = {other: self._pid_text(other_pid), kind: self._pid_text(pid),
                 "a": self._pid_text(other_pid), "b": self._pid_text(pid)}
        self._conflicts[code] = (template.format(where=where, **roles), int(hit.sum()))

    def _pid_text(self, pid):
        _, ny, nz = self._builder.grid_dim
        return f"({pid // (ny * nz)}, {pid // nz % ny}, {pid % nz})"

    def _where(self, addr):
        """'byte offset +N of argument x (element k; ...)' against the nearest tensor argument."""
        if not self._spans:
            return f"address {addr:#x} (the launch has no tensor arguments)"
        dist = [max(lo - addr, addr - hi + 1, 0) for lo, hi, *_ in self._spans]
        lo, hi, name, ptr, esize = self._spans[int(np.argmin(dist))]
        off = addr - ptr
        return (f"byte offset {off:+d} of argument '{name}' (element {off // esize}; its storage covers bytes "
                f"[{lo - ptr}, {hi - ptr}) from its data pointer)")
