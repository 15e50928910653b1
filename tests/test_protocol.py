"""Unit tests for kopt.sandbox.protocol: the tensor codec and the length-prefixed frames."""
from __future__ import annotations

import json
import os
import pickle
import struct
import threading
import time
import tracemalloc

import pytest
import torch

from kopt.sandbox.protocol import (_DTYPES, Frame, Opaque, ProtocolError, decode, describe, encode,
                                   recv_frame, send_frame)

PREFIX = struct.Struct("<IQ")


# ----------------------------------------------------------------------------- helpers

def _raw(t: torch.Tensor) -> bytes:
    """The exact bytes of a tensor's elements in row-major order (NaN-safe, -0.0-safe)."""
    t = t.detach().resolve_conj().resolve_neg().contiguous().reshape(-1)
    return t.view(torch.uint8).numpy().tobytes() if t.numel() else b""


def _assert_same(decoded, expected: torch.Tensor):
    assert type(decoded) is torch.Tensor
    assert decoded.dtype == expected.dtype
    assert tuple(decoded.shape) == tuple(expected.shape)
    assert decoded.device.type == "cpu"
    assert _raw(decoded) == _raw(expected)


def _sample(name: str) -> torch.Tensor:
    """A 3x5 tensor of the given dtype with extreme / special values mixed in."""
    dtype = getattr(torch, name)
    g = torch.Generator().manual_seed(1234)
    if dtype.is_complex:
        re = torch.randn(3, 5, generator=g, dtype=torch.float64)
        t = torch.complex(re, -2 * re + 0.5).to(dtype)
        t[0, 0] = complex(float("inf"), -1.0)
    elif dtype.is_floating_point:
        t = (torch.randn(3, 5, generator=g, dtype=torch.float64) * 100).to(dtype)
        t[0, 0], t[0, 1], t[0, 2], t[0, 3] = float("nan"), float("inf"), float("-inf"), -0.0
    elif dtype == torch.bool:
        t = torch.tensor([[True, False, True, True, False]] * 3)
        t[1, 0] = False
    else:
        info = torch.iinfo(dtype)
        t = torch.arange(15, dtype=torch.int64).reshape(3, 5).to(dtype)
        t[0, 0], t[0, 1] = info.min, info.max
    return t


def _views(name: str):
    base = _sample(name)
    return {
        "contiguous": base,
        "zero_dim": base[1, 2].clone(),
        "zero_dim_view": base[2, 3],
        "zero_size": base[:0],
        "zero_size_3d": torch.empty((2, 0, 4), dtype=base.dtype),
        "non_contiguous": base[:, ::2],
        "transposed": base.t(),
        "expanded": base[:1].expand(4, 5),
        "offset_view": base[1:, 2:],
    }


@pytest.fixture
def pipe():
    r, w = os.pipe()
    fds = {"r": r, "w": w}
    yield fds
    for fd in fds.values():
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass


def _close_w(fds):
    os.close(fds["w"])
    fds["w"] = None


def _soon(seconds: float = 5.0) -> float:
    return time.monotonic() + seconds


# ----------------------------------------------------------------------------- codec

def test_dtype_list_covers_the_tricky_dtypes():
    for name in ("bfloat16", "bool", "complex64", "complex128", "float16", "uint8", "int8"):
        assert name in _DTYPES


@pytest.mark.parametrize("layout", list(_views("float32")))
@pytest.mark.parametrize("name", _DTYPES)
def test_tensor_round_trip_every_dtype_and_layout(name, layout):
    t = _views(name)[layout]
    spec, payload = encode(t)
    itemsize = t.element_size()
    assert spec["t"] == "tensor"
    assert spec["dtype"] == name
    assert spec["shape"] == list(t.shape)
    assert spec["off"] == 0
    assert spec["nbytes"] == t.numel() * itemsize == len(payload)
    assert spec["plain"] is True
    # The spec is what travels in a JSON header.
    spec = json.loads(json.dumps(spec))
    out = decode(spec, payload)
    _assert_same(out, t)


def test_decoded_tensor_is_writable_and_does_not_alias_the_payload():
    t = torch.arange(6, dtype=torch.float32)
    spec, payload = encode(t)
    buf = bytearray(payload)
    out = decode(spec, buf)
    out[0] = 100.0  # must not raise (frombuffer over a read-only buffer would warn/fail)
    assert bytes(buf) == payload
    out2 = decode(spec, payload)
    assert out2[0].item() == 0.0


def test_encode_detaches_grad_tensors():
    t = torch.randn(4, 3, requires_grad=True)
    spec, payload = encode(t * 2)
    out = decode(spec, payload)
    assert not out.requires_grad
    assert torch.equal(out, (t * 2).detach())


def test_nested_list_tuple_dict_round_trip():
    a = torch.arange(4, dtype=torch.float32)
    b = torch.ones(2, 3, dtype=torch.int64).t()
    c = torch.tensor(True)
    d = torch.randn(2, 2, dtype=torch.float64)
    obj = {"out": [a, (b, 3, 4.5, "s", None, True)], "inner": {"c": c, "deep": [[d], ()]}, 7: []}
    spec, payload = encode(obj)
    assert len(payload) == sum(x.numel() * x.element_size() for x in (a, b, c, d))
    # Offsets are laid out back to back in encounter order.
    assert spec["items"][0][1]["items"][0]["off"] == 0
    assert spec["items"][0][1]["items"][1]["items"][0]["off"] == a.numel() * 4
    got = decode(json.loads(json.dumps(spec)), payload)
    assert isinstance(got, dict) and set(got) == {"out", "inner", "7"}  # keys become strings
    assert isinstance(got["out"], list) and isinstance(got["out"][1], tuple)
    _assert_same(got["out"][0], a)
    _assert_same(got["out"][1][0], b)
    assert got["out"][1][1:] == (3, 4.5, "s", None, True)
    assert type(got["out"][1][1]) is int and type(got["out"][1][5]) is bool
    _assert_same(got["inner"]["c"], c)
    assert isinstance(got["inner"]["deep"], list) and isinstance(got["inner"]["deep"][1], tuple)
    _assert_same(got["inner"]["deep"][0][0], d)
    assert got["7"] == []


def test_sequence_subclasses_travel_as_lists():
    spec, payload = encode(torch.Size([2, 3]))
    assert spec["t"] == "list"
    assert decode(spec, payload) == [2, 3]


class _PlainSubclass(torch.Tensor):
    pass


def test_tensor_subclass_is_encoded_by_base_bytes_and_marked_not_plain():
    base = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    sub = base.clone().as_subclass(_PlainSubclass)
    spec, payload = encode(sub)
    assert spec["plain"] is False
    assert encode(base)[0]["plain"] is True
    out = decode(spec, payload)
    assert type(out) is torch.Tensor
    _assert_same(out, base)


class _LyingSubclass(torch.Tensor):
    """Hands the encoder zeros through the Python methods it calls after detach()."""

    def reshape(self, *args, **kwargs):
        return torch.zeros(self.numel(), dtype=torch.float32)

    def numpy(self, *args, **kwargs):
        import numpy as np
        return np.zeros(self.numel() * self.element_size(), dtype=np.uint8)


def test_lying_tensor_subclass_cannot_choose_the_encoded_bytes():
    real = torch.arange(1, 5, dtype=torch.float32)
    sub = real.clone().as_subclass(_LyingSubclass)
    spec, payload = encode(sub)
    assert spec["plain"] is False
    _assert_same(decode(spec, payload), real)


def test_conjugate_view_is_encoded_by_value():
    x = torch.tensor([1 + 2j, 3 - 4j], dtype=torch.complex64)
    spec, payload = encode(x.conj())
    _assert_same(decode(spec, payload), x.conj().resolve_conj())


class _Thing:
    pass


@pytest.mark.parametrize("value, type_name", [
    (object(), "builtins.object"),
    (_Thing(), f"{__name__}._Thing"),
    (b"bytes", "builtins.bytes"),
    ({1, 2}, "builtins.set"),
    (1 + 2j, "builtins.complex"),
])
def test_unsupported_objects_become_opaque(value, type_name):
    spec, payload = encode(value)
    assert spec == {"t": "opaque", "type": type_name}
    assert payload == b""
    got = decode(spec, payload)
    assert got == Opaque(type_name)
    assert describe(spec) == type_name


def test_numpy_array_is_opaque_not_rebuilt():
    import numpy as np
    spec, payload = encode([np.ones(3), torch.ones(1)])
    got = decode(spec, payload)
    assert got[0] == Opaque("numpy.ndarray")
    assert isinstance(got[1], torch.Tensor)


def test_describe():
    spec, _ = encode([torch.zeros(2, 3, dtype=torch.float16), 3, (1, 2)])
    assert describe(spec) == "list(Tensor[float16, (2, 3)], int, tuple(int, int))"
    assert describe(spec["items"][0]) == "Tensor[float16, (2, 3)]"
    assert describe(spec["items"][1]) == "int"
    assert describe(spec["items"][2]) == "tuple(int, int)"


def test_decode_moves_to_requested_device():
    t = torch.arange(3, dtype=torch.int32)
    spec, payload = encode(t)
    out = decode(spec, payload, device="cpu")
    _assert_same(out, t)


# ----------------------------------------------------------------------------- decode rejections

def _f32_spec(**kw):
    spec = {"t": "tensor", "dtype": "float32", "shape": [2, 2], "off": 0, "nbytes": 16}
    spec.update(kw)
    return spec


@pytest.mark.parametrize("spec, payload_len", [
    (_f32_spec(nbytes=12), 16),          # too few bytes for the shape
    (_f32_spec(nbytes=20), 32),          # too many bytes for the shape
    (_f32_spec(off=4), 16),              # runs past the payload
    (_f32_spec(off=-4), 16),             # negative offset
    (_f32_spec(shape=[2, 3]), 16),       # shape needs 24 bytes
    (_f32_spec(), 8),                    # payload shorter than announced
    (_f32_spec(dtype="float16", nbytes=16), 16),  # itemsize is taken from the dtype
], ids=["nbytes_small", "nbytes_big", "off_past_end", "off_negative", "shape_bigger", "short_payload",
        "dtype_itemsize"])
def test_decode_rejects_bytes_that_do_not_match(spec, payload_len):
    with pytest.raises(ProtocolError) as ei:
        decode(spec, b"\0" * payload_len)
    assert ei.value.kind == "malformed"


@pytest.mark.parametrize("dtype", ["float8_e4m3fn", "uint16", "object", "Tensor", "qint8", None, 3])
def test_decode_rejects_unknown_dtype(dtype):
    with pytest.raises(ProtocolError, match="unsupported dtype") as ei:
        decode(_f32_spec(dtype=dtype, nbytes=4, shape=[4]), b"\0" * 16)
    assert ei.value.kind == "malformed"


def test_encoded_non_wire_dtype_is_rejected_on_decode():
    spec, payload = encode(torch.zeros(3, dtype=torch.float8_e4m3fn))
    with pytest.raises(ProtocolError, match="unsupported dtype"):
        decode(spec, payload)


@pytest.mark.parametrize("shape, nbytes", [([-1, 4], 0), ([-2, -2], 16), ([4, -1], 0)])
def test_decode_rejects_negative_dims(shape, nbytes):
    # [-2, -2] has a positive element count (4) and a matching nbytes: only the sign check stops it.
    with pytest.raises(ProtocolError, match="negative") as ei:
        decode(_f32_spec(shape=shape, nbytes=nbytes), b"\0" * 16)
    assert ei.value.kind == "malformed"


@pytest.mark.parametrize("spec", [
    {"t": "pickle", "data": "x"},
    {"t": "module", "name": "os"},
    {"x": 1},
    "tensor",
    ["t", "tensor"],
    None,
    {"t": "list", "items": [{"t": "nope"}]},
])
def test_decode_rejects_unknown_kinds_and_non_dict_specs(spec):
    with pytest.raises(ProtocolError) as ei:
        decode(spec, b"")
    assert ei.value.kind == "malformed"


@pytest.mark.parametrize("spec", [
    {"t": "tensor", "dtype": "float32"},                                     # no shape/off/nbytes
    {"t": "tensor", "dtype": "float32", "shape": "ab", "off": 0, "nbytes": 0},
    {"t": "tensor", "dtype": "float32", "shape": [0, 2 ** 70], "off": 0, "nbytes": 0},
    {"t": "list"},                                                           # no items
    {"t": "list", "items": 5},
    {"t": "dict", "items": [1]},
], ids=["missing_keys", "shape_string", "huge_dim", "list_no_items", "items_int", "dict_item_int"])
def test_decode_raises_protocol_error_for_malformed_fields(spec):
    with pytest.raises(ProtocolError):
        decode(spec, b"")


# ----------------------------------------------------------------------------- pickle is never executed

class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_pickle_payload_is_never_executed(tmp_path, monkeypatch, pipe):
    marker = tmp_path / "pwned"
    blob = pickle.dumps(_Evil(str(marker)))
    assert b"system" in blob  # it really is a pickle that would call os.system

    def boom(*a, **k):
        raise AssertionError("something tried to unpickle")
    for name in ("loads", "load", "Unpickler", "_loads", "_load"):
        if hasattr(pickle, name):
            monkeypatch.setattr(pickle, name, boom)
    monkeypatch.setattr(torch, "load", boom)

    # 1. As a frame payload: handed back as opaque bytes.
    send_frame(pipe["w"], {"op": "reply", "spec": {"t": "opaque", "type": "x"}}, blob)
    frame = recv_frame(pipe["r"], deadline=_soon())
    assert frame.payload == blob and isinstance(frame.payload, bytes)

    # 2. Through the codec as a uint8 tensor: just bytes.
    spec = {"t": "tensor", "dtype": "uint8", "shape": [len(blob)], "off": 0, "nbytes": len(blob)}
    t = decode(spec, frame.payload)
    assert t.dtype == torch.uint8 and t.numpy().tobytes() == blob

    # 3. A spec that is the pickle itself (or claims to be one) is rejected, not loaded.
    for bad in (blob, {"t": "pickle", "data": blob.hex()}, {"t": "opaque", "type": blob.decode("latin-1")}):
        try:
            got = decode(bad, blob)
        except ProtocolError:
            continue
        assert isinstance(got, Opaque)

    # 4. The pickle as the *header* bytes of a frame is malformed JSON.
    os.write(pipe["w"], PREFIX.pack(len(blob), 0) + blob)
    with pytest.raises(ProtocolError) as ei:
        recv_frame(pipe["r"], deadline=_soon())
    assert ei.value.kind == "malformed"

    assert not marker.exists()


# ----------------------------------------------------------------------------- frames

def test_frame_round_trip(pipe):
    header = {"op": "call", "slot": 3, "nested": {"a": [1, 2.5, None, "x"]}}
    send_frame(pipe["w"], header, b"\x00\x01payload\xff")
    send_frame(pipe["w"], {"op": "exit"})
    f1 = recv_frame(pipe["r"], deadline=_soon())
    f2 = recv_frame(pipe["r"], deadline=_soon())
    assert isinstance(f1, Frame)
    assert f1.header == header and f1.payload == b"\x00\x01payload\xff"
    assert f2.header == {"op": "exit"} and f2.payload == b""


def test_frame_round_trip_without_deadline(pipe):
    send_frame(pipe["w"], {"k": "v"}, b"abc")
    f = recv_frame(pipe["r"])
    assert f.header == {"k": "v"} and f.payload == b"abc"


def test_large_frame_round_trip_with_encoded_tensor(pipe):
    t = torch.randn(512, 1024)  # 2 MiB: far more than a pipe buffer holds
    spec, payload = encode({"out": t})
    writer = threading.Thread(target=send_frame, args=(pipe["w"], {"spec": spec}, payload))
    writer.start()
    try:
        f = recv_frame(pipe["r"], deadline=_soon(10))
    finally:
        writer.join(10)
    got = decode(f.header["spec"], f.payload)
    _assert_same(got["out"], t)


def test_payload_cap_raises_before_reading_anything_more(pipe):
    header = json.dumps({"op": "reply"}).encode()
    announced = 10 * 10 ** 9  # 10 GB
    rest = header + b"x" * 100
    os.write(pipe["w"], PREFIX.pack(len(header), announced) + rest)
    tracemalloc.start()
    t0 = time.monotonic()
    try:
        with pytest.raises(ProtocolError) as ei:
            recv_frame(pipe["r"], deadline=_soon(3), max_payload=1 << 30)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert ei.value.kind == "oversize"
    assert "10000.0 MB" in str(ei.value)
    assert time.monotonic() - t0 < 1.0
    assert peak < 1 << 20
    # Neither the header nor the payload was consumed: the cap was checked on the prefix alone.
    assert os.read(pipe["r"], 1 << 16) == rest


def test_default_payload_cap_rejects_bottomless_reply(pipe):
    os.write(pipe["w"], PREFIX.pack(2, 1 << 40))  # 1 TB; nothing follows
    t0 = time.monotonic()
    with pytest.raises(ProtocolError) as ei:
        recv_frame(pipe["r"], deadline=_soon(3))
    assert ei.value.kind == "oversize"
    assert time.monotonic() - t0 < 1.0


def test_header_cap_raises_before_reading_the_header(pipe):
    os.write(pipe["w"], PREFIX.pack((1 << 20) + 1, 0) + b"{}")
    t0 = time.monotonic()
    with pytest.raises(ProtocolError) as ei:
        recv_frame(pipe["r"], deadline=_soon(3))
    assert ei.value.kind == "oversize"
    assert time.monotonic() - t0 < 1.0
    assert os.read(pipe["r"], 16) == b"{}"


def test_custom_header_cap(pipe):
    send_frame(pipe["w"], {"key": "0123456789"})
    with pytest.raises(ProtocolError) as ei:
        recv_frame(pipe["r"], deadline=_soon(), max_header=10)
    assert ei.value.kind == "oversize"


def test_payload_exactly_at_cap_is_accepted(pipe):
    send_frame(pipe["w"], {}, b"12345678")
    f = recv_frame(pipe["r"], deadline=_soon(), max_payload=8)
    assert f.payload == b"12345678"


def test_timeout_when_nothing_arrives(pipe):
    t0 = time.monotonic()
    with pytest.raises(ProtocolError) as ei:
        recv_frame(pipe["r"], deadline=time.monotonic() + 0.3)
    waited = time.monotonic() - t0
    assert ei.value.kind == "timeout"
    assert 0.25 <= waited < 2.0


def test_timeout_on_a_partial_frame(pipe):
    os.write(pipe["w"], PREFIX.pack(20, 0) + b'{"op":')  # header promised 20 bytes, 6 sent
    with pytest.raises(ProtocolError) as ei:
        recv_frame(pipe["r"], deadline=time.monotonic() + 0.2)
    assert ei.value.kind == "timeout"


def test_timeout_with_deadline_already_past(pipe):
    send_frame(pipe["w"], {"op": "x"})  # data is even available: the deadline still rules
    t0 = time.monotonic()
    with pytest.raises(ProtocolError) as ei:
        recv_frame(pipe["r"], deadline=time.monotonic() - 1)
    assert ei.value.kind == "timeout"
    assert time.monotonic() - t0 < 0.5


def test_eof_before_anything(pipe):
    _close_w(pipe)
    with pytest.raises(ProtocolError) as ei:
        recv_frame(pipe["r"], deadline=_soon())
    assert ei.value.kind == "eof"


def test_eof_in_the_middle_of_the_payload(pipe):
    head = b"{}"
    os.write(pipe["w"], PREFIX.pack(len(head), 100) + head + b"x" * 40)
    _close_w(pipe)
    with pytest.raises(ProtocolError) as ei:
        recv_frame(pipe["r"], deadline=_soon())
    assert ei.value.kind == "eof"


@pytest.mark.parametrize("head", [b"{not json", b"\xff\xfe\x00garbage", b'{"a": 1', b""],
                         ids=["not_json", "not_utf8", "truncated_json", "empty"])
def test_malformed_header(pipe, head):
    os.write(pipe["w"], PREFIX.pack(len(head), 0) + head)
    with pytest.raises(ProtocolError) as ei:
        recv_frame(pipe["r"], deadline=_soon())
    assert ei.value.kind == "malformed"


@pytest.mark.parametrize("head", [b"[1, 2]", b'"text"', b"3", b"null"])
def test_header_that_is_not_an_object_is_malformed(pipe, head):
    os.write(pipe["w"], PREFIX.pack(len(head), 0) + head)
    with pytest.raises(ProtocolError, match="not an object") as ei:
        recv_frame(pipe["r"], deadline=_soon())
    assert ei.value.kind == "malformed"


def test_deeply_nested_header_is_malformed_not_a_crash(pipe):
    head = b"[" * 100_000
    writer = threading.Thread(target=os.write, args=(pipe["w"], PREFIX.pack(len(head), 0) + head))
    writer.start()
    try:
        with pytest.raises(ProtocolError) as ei:
            recv_frame(pipe["r"], deadline=_soon())
    finally:
        writer.join(5)
    assert ei.value.kind == "malformed"


def test_protocol_error_default_kind():
    e = ProtocolError("x")
    assert e.kind == "broken" and str(e) == "x"
