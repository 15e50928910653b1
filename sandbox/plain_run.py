"""The plain process of the final verification: a candidate with no kopt frame, module or name
around it. kopt.tools.plain passes this file's text to `python -I -c`, inside the usual sandbox;
it never imports kopt (do not add a kopt import here). It speaks kopt's frame format on the two
fds in W_FDS: `load` (the candidate at a configuration), `call` (one forward on given inputs,
the output sent back as dtype, shape and raw bytes). The reference side compares.
"""
import importlib.util
import json
import os
import struct
import sys

PREFIX = struct.Struct("<IQ")


def read_exact(fd, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = os.read(fd, min(n - len(buf), 1 << 22))
        if not chunk:
            raise SystemExit(0)
        buf += chunk
    return bytes(buf)


def receive(fd):
    head, size = PREFIX.unpack(read_exact(fd, PREFIX.size))
    return json.loads(read_exact(fd, head)), (read_exact(fd, size) if size else b"")


def send(fd, header, payload=b""):
    head = json.dumps(header).encode()
    data = PREFIX.pack(len(head), len(payload)) + head + payload
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def rebuild(spec, payload, torch, device):
    kind = spec["t"]
    if kind == "tensor":
        dtype = getattr(torch, spec["dtype"])
        raw = bytearray(payload[spec["off"]:spec["off"] + spec["nbytes"]])
        if not raw:
            return torch.empty(spec["shape"], dtype=dtype, device=device)
        flat = torch.frombuffer(raw, dtype=torch.uint8).view(dtype)
        if spec.get("stride") is None:
            return flat.reshape(spec["shape"]).to(device)
        lead = int(spec.get("storage_offset", 0))
        base = torch.empty(lead + flat.numel(), dtype=dtype)
        base[lead:].copy_(flat)
        return base.to(device).as_strided(spec["shape"], spec["stride"], lead)
    if kind == "v":
        return spec["v"]
    if kind in ("list", "tuple"):
        items = [rebuild(x, payload, torch, device) for x in spec["items"]]
        return tuple(items) if kind == "tuple" else items
    if kind == "dict":
        return {k: rebuild(v, payload, torch, device) for k, v in spec["items"]}
    raise ValueError(kind)


def flatten(obj, torch, chunks, at):
    if isinstance(obj, torch.Tensor):
        t = obj.detach().cpu().contiguous()
        data = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        chunks.append(data)
        at[0] += len(data)
        return {"t": "tensor", "dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape),
                "off": at[0] - len(data), "nbytes": len(data), "device": str(obj.device),
                "plain": type(obj) is torch.Tensor}
    if isinstance(obj, (list, tuple)):
        return {"t": type(obj).__name__ if type(obj) in (list, tuple) else "list",
                "items": [flatten(x, torch, chunks, at) for x in obj]}
    if isinstance(obj, dict):
        return {"t": "dict", "items": [[str(k), flatten(v, torch, chunks, at)] for k, v in obj.items()]}
    if isinstance(obj, (bool, int, float, str)) or obj is None:
        return {"t": "v", "v": obj}
    return {"t": "opaque", "type": type(obj).__qualname__}


def main():
    fd_in, fd_out = (int(x) for x in os.environ.pop("W_FDS").split(","))
    import torch
    model, device, count = None, "cpu", 0
    while True:
        header, payload = receive(fd_in)
        try:
            if header["op"] == "load":
                device = header["device"]
                count += 1
                spec = importlib.util.spec_from_file_location(f"candidate{count}", header["path"])
                module = importlib.util.module_from_spec(spec)
                sys.modules[module.__name__] = module
                source = header.get("source") or open(header["path"]).read()
                exec(compile(source, header["path"], "exec"), module.__dict__)
                got = rebuild(header["spec"], payload, torch, "cpu")
                torch.manual_seed(header["seed"])
                model = module.ModelNew(*got["init"])
                own = model.state_dict()
                model.load_state_dict({k: v for k, v in got["state"].items()
                                       if k in own and tuple(own[k].shape) == tuple(v.shape)}, strict=False)
                model = model.to(device)
                send(fd_out, {"ok": True})
            elif header["op"] == "call":
                inputs = rebuild(header["spec"], payload, torch, device)
                with torch.no_grad():
                    out = model(*inputs)
                chunks, at = [], [0]
                spec = flatten({"out": out}, torch, chunks, at)
                send(fd_out, {"ok": True, "spec": spec}, b"".join(chunks))
            else:
                return 0
        except BaseException as e:  # noqa: BLE001 - reported, the reference side decides
            send(fd_out, {"op": "error", "kind": "runtime_error", "message": f"{type(e).__name__}: {str(e)[:500]}"})


if __name__ == "__main__":
    sys.exit(main())
