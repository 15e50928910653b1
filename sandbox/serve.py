"""What both worker roles share: the request loop, errors as frames, and plain helpers.

A worker is started by kopt.sandbox.isolation inside the sandbox and talks frames
(kopt.sandbox.protocol) on two pipe fds named in KOPT_FDS. The roles are separate programs with
their own state: kopt.sandbox.ref_worker (loads the problem, makes inputs, compares: it never runs
candidate code) and kopt.sandbox.cand_worker (loads the candidate; it never sees the problem file
or a reference output). Expected failures come back as {"op": "error", "kind": ...}, never as a
dead pipe.
"""
from __future__ import annotations

import os
import sys
import traceback

from kopt.sandbox.protocol import recv_frame, send_frame

CLIP = 4000
_OWN = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_OWN_DIRS = tuple(os.path.join(_OWN, d) + os.sep for d in ("sandbox", "tools", "agent", "kopt", "prompts"))


def user_frame(exc: BaseException) -> str:
    """`file:line in func: code` of the deepest frame in the user's own file (not torch, not kopt).

    kopt's own frames are its package folders, not everything under the checkout: a candidate kept
    in ./kopt-runs/ beside them keeps its line numbers."""
    where = ""
    for fr in traceback.extract_tb(exc.__traceback__):
        f = fr.filename
        if "site-packages" in f or f.startswith(_OWN_DIRS) or f.startswith("<"):
            continue
        where = f"{os.path.basename(f)} line {fr.lineno}, in {fr.name}" + (f": `{fr.line.strip()}`" if fr.line else "")
    return where


def error(kind: str, message: str, exc: BaseException) -> tuple[dict, bytes]:
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        text = f"{type(exc).__name__}: {exc}"
    except BaseException:  # noqa: BLE001 - a hostile __str__
        text = type(exc).__name__
    where = user_frame(exc)
    return {"op": "error", "kind": kind, "message": f"{message}: {text[:600]}" + (f" (at {where})" if where else ""),
            "traceback": tb[-CLIP:]}, b""


def call_error(exc: BaseException) -> tuple[dict, bytes]:
    name = type(exc).__name__
    mod = type(exc).__module__ or ""
    if "CompilationError" in name or (mod.startswith("triton") and "Compil" in name):
        return error("compile_error", "the Triton kernel failed to compile", exc)
    if name == "InterpreterError":  # the interpreter's form of an error in a kernel's body
        return error("compile_error", "the Triton kernel failed in the interpreter", exc)
    if name == "SanitizerError":
        return error("sanitizer", "a Triton kernel accessed memory outside its tensors", exc)
    if isinstance(exc, MemoryError) or "OutOfMemory" in name:
        return error("runtime_error", "forward ran out of memory", exc)
    return error("runtime_error", "forward raised an exception", exc)


def versions() -> dict:
    import torch
    info = {"torch": torch.__version__, "python": sys.version.split()[0], "pid": os.getpid(),
            "uid": os.getuid(), "interpret": os.environ.get("TRITON_INTERPRET") == "1",
            "ro_failed": os.environ.get("KOPT_RO_FAILED", "").split(), "cuda": torch.cuda.is_available()}
    try:
        import triton
        info["triton"] = triton.__version__
    except Exception:  # noqa: BLE001
        info["triton"] = None
    if info["cuda"]:
        info["device_name"] = torch.cuda.get_device_name()
    return info


def set_device(state, device: str) -> None:
    import torch
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError("CUDA was requested but torch sees no GPU in this process")
    state.device = device


def detached_copy(obj):
    import torch
    if isinstance(obj, torch.Tensor):
        return obj.detach().clone()
    if isinstance(obj, (tuple, list)):
        return type(obj)(detached_copy(o) for o in obj)
    return obj


def to_cpu(obj):
    import torch
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu()
    if isinstance(obj, (tuple, list)):
        return type(obj)(to_cpu(o) for o in obj)
    return obj


def serve(state, ops: dict, error_kind: str) -> int:
    in_fd, out_fd = (int(x) for x in os.environ.pop("KOPT_FDS").split(","))
    while True:
        frame = recv_frame(in_fd)
        op = frame.header.get("op")
        if op == "exit":
            return 0
        handler = ops.get(op)
        try:
            header, data = handler(state, frame.header, frame.payload) if handler else (
                {"op": "error", "kind": "protocol", "message": f"unknown op {op!r}"}, b"")
        except BaseException as e:  # noqa: BLE001 - the judge decides what it means
            header, data = error(error_kind, f"{op} failed", e)
        send_frame(out_fd, header, data)
