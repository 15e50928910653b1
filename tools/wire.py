"""The typed wire: what each reply from a candidate's process must look like before the judge reads it.

The candidate shares its process with the candidate worker, so every reply header from there is
as untrusted as the candidate itself: a forged frame written straight into the pipe, or a worker
whose state the candidate bent, can send any JSON. Each op's reply is checked here against its
schema (required fields, their types, list items, no unknown fields), so that a missing, extra or
ill-typed field becomes a `rejected` verdict with a reason instead of a KeyError in the judge.
Payload bytes are checked by the codec (kopt.sandbox.protocol.decode), not here.

A schema maps a field to a type spec: a Python type or tuple of types (None allowed as a member),
`[spec]` for a list whose items all match spec, or a dict schema for a nested object (where the key
"*" admits further fields of any JSON value: findings and kernel records carry details the judge
only shows). Fields named in OPTIONAL[op] may be absent.
"""
from __future__ import annotations

NUM = (int, float)
OPT_NUM = (int, float, type(None))
ANY = (str, int, float, bool, list, dict, type(None))
FINDINGS = [{"code": str, "message": str, "sanitizer": bool, "*": ANY}]
KERNELS = [{"name": str, "*": ANY}]
NESTED_OPTIONAL = {"sanitizer"}
XCOMPILE_RESULT = {"key": str, "status": str}

REPLIES: dict[str, dict] = {
    "hello": {"ok": bool, "torch": str, "python": str, "pid": int, "uid": int, "interpret": bool,
              "ro_failed": [str], "cuda": bool, "triton": (str, type(None)), "device_name": str},
    "load_cand": {"ok": bool, "findings": FINDINGS, "matched": [str], "unmatched": [str]},
    "load_state": {"ok": bool, "matched": [str], "attrs": [str]},
    "mode": {"ok": bool},
    "put": {"ok": bool},
    "run": {"ok": bool, "ms": [NUM], "event_ms": [OPT_NUM], "host_ms": [OPT_NUM], "host_charged": int,
            "overhead_ms": OPT_NUM, "findings": FINDINGS, "kernels": KERNELS, "kept": [int], "spec": dict},
    "kept": {"ok": bool, "key": [int], "spec": dict},
    "recheck": {"ok": bool, "key": [int], "spec": dict, "findings": FINDINGS},
    "bulk": {"ok": bool, "ms": NUM},
    "xcompile": {"ok": bool, "results": [dict]},
    "ncu": {"ok": bool, "output": str, "returncode": int},
    # The plain process (sandbox/plain_run.py) of the final re-verification.
    "load": {"ok": bool},
    "call": {"ok": bool, "spec": dict},
    "error": {"op": str, "kind": str, "message": str, "traceback": str},
}
OPTIONAL: dict[str, set] = {
    "hello": {"device_name", "triton"},
    "run": {"spec", "event_ms", "host_ms", "overhead_ms", "host_charged"},
    "error": {"traceback"},
}
# Numeric fields of a cross-compile result that the judge does arithmetic on.
XCOMPILE_NUMERIC = ("shared_bytes", "stack_bytes", "local_bytes", "registers", "num_warps")


def problem(op: str, header: dict) -> str | None:
    """Why `header` is not a valid reply to `op` (None when it is)."""
    if not isinstance(header, dict):
        return "the reply header is not an object"
    kind = "error" if header.get("op") == "error" else op
    schema = REPLIES.get(kind)
    if schema is None:
        return None  # an op this table does not describe is not one the judge reads fields of
    if kind != "error" and header.get("ok") is not True:
        return "the reply is neither ok nor an error"
    why = _object(header, schema, OPTIONAL.get(kind, set()), "")
    if why is None and kind == "xcompile":
        why = _xcompile(header["results"])
    if why is None and kind in ("kept", "recheck") and len(header["key"]) != 2:
        why = "field 'key' is not [slot, mix]"
    if why is None and kind == "run" and not header["ms"]:
        why = "field 'ms' is empty (every run has at least one call)"
    return why


def _object(obj: dict, schema: dict, optional: set, where: str) -> str | None:
    extra = sorted(set(obj) - set(schema))
    if "*" in schema:
        for name in extra:
            if not isinstance(name, str) or _value(obj[name], schema["*"], f"{where}{name}"):
                return f"field {where}{name!r} is not plain data"
    elif extra:
        return f"unexpected field {where}{extra[0]!r}"
    for name, spec in schema.items():
        if name == "*":
            continue
        if name not in obj:
            if name in optional:
                continue
            return f"missing field {where}{name!r}"
        why = _value(obj[name], spec, f"{where}{name}")
        if why:
            return why
    return None


def _value(value, spec, where: str) -> str | None:
    if isinstance(spec, list):
        if not isinstance(value, list):
            return f"field {where!r} is a {type(value).__name__}, not a list"
        for i, item in enumerate(value):
            why = _value(item, spec[0], f"{where}[{i}]")
            if why:
                return why
        return None
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return f"field {where!r} is a {type(value).__name__}, not an object"
        return _object(value, spec, NESTED_OPTIONAL, f"{where}.")
    types = spec if isinstance(spec, tuple) else (spec,)
    types = tuple(type(None) if t is None else t for t in types)
    # bool is an int in Python: a count or a size must not be True.
    if isinstance(value, bool) and bool not in types:
        return f"field {where!r} is a bool, not {_names(types)}"
    if not isinstance(value, types):
        return f"field {where!r} is a {type(value).__name__}, not {_names(types)}"
    return None


def _xcompile(results: list) -> str | None:
    for i, r in enumerate(results):
        for name, spec in XCOMPILE_RESULT.items():
            if not isinstance(r.get(name), spec):
                return f"cross-compile result {i} lacks a {spec.__name__} {name!r}"
        for name in XCOMPILE_NUMERIC:
            v = r.get(name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, NUM)):
                return f"cross-compile result {i} has a {type(v).__name__} {name!r}, not a number"
    return None


def _names(types: tuple) -> str:
    return " or ".join("None" if t is type(None) else t.__name__ for t in types)
