"""Unit tests for kopt.tools.integrity: the static source scan and the runtime TamperWatch."""
from __future__ import annotations

import sys
import textwrap
import time
import types

import pytest
import torch

from kopt.tools.integrity import CATALOG, Finding, TamperWatch, scan_source

HONEST = textwrap.dedent('''\
    """A fused linear + bias-free ReLU written the usual way."""
    from __future__ import annotations

    import math
    from typing import Optional

    import torch
    import torch.nn.functional as F
    import triton
    import triton.language as tl
    from torch import nn

    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True


    @triton.autotune(configs=[triton.Config({"BLOCK_SIZE": 1024}, num_warps=4),
                              triton.Config({"BLOCK_SIZE": 2048}, num_warps=8)], key=["n_elements"])
    @triton.jit
    def relu_kernel(x_ptr, out_ptr, n_elements, BLOCK_SIZE: tl.constexpr):
        pid = tl.program_id(axis=0)
        offsets = pid * BLOCK_SIZE + tl.arange(0, BLOCK_SIZE)
        mask = offsets < n_elements
        x = tl.load(x_ptr + offsets, mask=mask, other=0.0)
        y = tl.where(x > 0, x, 0.0)
        tl.store(out_ptr + offsets, y, mask=mask)


    def triton_relu(x: torch.Tensor) -> torch.Tensor:
        x = x.contiguous()
        out = torch.empty_like(x)
        n = x.numel()
        grid = lambda meta: (triton.cdiv(n, meta["BLOCK_SIZE"]),)
        relu_kernel[grid](x, out, n)
        return out


    class ModelNew(nn.Module):
        def __init__(self, in_features: int, out_features: int, scale: Optional[float] = None):
            super().__init__()
            self.linear = nn.Linear(in_features, out_features)
            self.scale = scale if scale is not None else 1.0 / math.sqrt(in_features)
            self.register_buffer("ones", torch.ones(out_features))
            setattr(self, "extra", nn.Parameter(torch.zeros(out_features)))

        @torch.no_grad()
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            h = F.linear(x, self.linear.weight, self.linear.bias)
            if not h.is_cuda:
                return F.relu(h) * self.scale
            out = triton_relu(h)
            out[..., 0] = out[..., 0] * 1.0
            return out * self.scale + getattr(self, "extra")
    ''')


def _codes(src: str) -> list[str]:
    return [f.code for f in scan_source(textwrap.dedent(src))]


# ----------------------------------------------------------------------------- scan_source

def test_honest_triton_candidate_has_no_findings():
    compile(HONEST, "<honest>", "exec")  # it is real Python
    assert scan_source(HONEST) == []


@pytest.mark.parametrize("src", [
    "import torch\ntorch.backends.cuda.matmul.allow_tf32 = True\n",
    "import torch\ntorch.backends.cudnn.benchmark = False\n",
    "import torch as th\nth.backends.cuda.matmul.allow_fp16_reduced_precision_reduction = True\n",
    "import numpy as np\nimport einops\nfrom functools import partial\nimport itertools, operator\n",
    "import torch\nclass ModelNew(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    "        self.w = torch.nn.Parameter(torch.ones(3))\n        self.cache = {}\n        self.cache['k'] = 1\n",
    "x = [1, 2]\nx[0] = 3\nlocal = object()\n",
])
def test_allowed_code_has_no_findings(src):
    assert scan_source(src) == []


@pytest.mark.parametrize("src, code", [
    ("import os", "forbidden_import"),
    ("import os.path as osp", "forbidden_import"),
    ("from os import system", "forbidden_import"),
    ("from subprocess import run", "forbidden_import"),
    ("import torch.multiprocessing", "forbidden_import"),
    ("import torch.multiprocessing as mp", "forbidden_import"),
    ("from torch import multiprocessing", "forbidden_import"),
    ("from torch.utils import _C", "forbidden_import"),
    ("import threading", "forbidden_import"),
    ("import ctypes", "forbidden_import"),
    ("import requests", "forbidden_import"),
    ("from . import helper", "forbidden_import"),
    ("from .helper import kernel", "forbidden_import"),
    ("from .. import x", "forbidden_import"),
    ("from triton import compile", "forbidden_import"),
    ("import torch\ntorch.os.system('id')", "forbidden_attribute"),
    ("import torch\ntorch._C._set_grad_enabled(False)", "forbidden_attribute"),
    ("import torch\ntorch.distributed.init_process_group()", "forbidden_attribute"),
    ("import numpy\nnumpy.sys.modules", "forbidden_attribute"),
    ("frame.f_back.f_locals", "forbidden_attribute"),
    ("sys._getframe(1)", "forbidden_attribute"),
    ("__import__('os')", "dynamic_code"),
    ("eval('1+1')", "dynamic_code"),
    ("exec('x = 1')", "dynamic_code"),
    ("compile('x', 'f', 'exec')", "dynamic_code"),
    ("open('/etc/passwd').read()", "dynamic_code"),
    ("globals()['x'] = 1", "dynamic_code"),
    ("locals()", "dynamic_code"),
    ("vars(torch)", "dynamic_code"),
    ("breakpoint()", "dynamic_code"),
    ("f = eval", "dynamic_code"),
    ("delattr(obj, 'x')", "dynamic_code"),
    ("import torch\nname = 'all' + 'close'\ngetattr(torch, name)", "dynamic_code"),
    ("x.__class__.__bases__", "introspection"),
    ("().__class__.__base__.__subclasses__()", "introspection"),
    ("f.__globals__['x']", "introspection"),
    ("__builtins__['eval']", "introspection"),
    ("def f():\n    return __loader__", "introspection"),
    ("import torch\ntorch.allclose = lambda *a, **k: True", "patching"),
    ("import torch\nimport torch.nn.functional as F\nF.relu = lambda x: x", "patching"),
    ("from torch import nn\nnn.functional.relu = lambda x: x", "patching"),
    ("import torch\ntorch.Tensor.__eq__ = lambda a, b: True", "patching"),
    ("import torch\ntorch.Tensor.__eq__ = lambda a, b: True", "introspection"),
    ("from torch import Tensor\nTensor.clone = lambda self: self", "patching"),
    ("import torch as th\nth.equal = None", "patching"),
    ("import torch\ndel torch.allclose", "patching"),
    ("import torch\ntorch.cuda.Event.elapsed_time += 0", "patching"),
    ("import torch\nok, torch.equal = 1, None", "patching"),
    ("import triton\ntriton.testing.do_bench = None", "patching"),
    ("import torch\ntorch.testing.__dict__['assert_close'] = None", "patching"),
    ("import time\ntime.perf_counter = lambda: 0.0", "patching"),
    ("import torch\nsetattr(torch, 'allclose', f)", "patching"),
    ("setattr(x.y, 'z', 1)", "patching"),
])
def test_scan_findings_have_the_right_code(src, code):
    findings = scan_source(src)
    assert code in [f.code for f in findings], findings
    assert all(isinstance(f, Finding) and f.message for f in findings)


def test_patching_message_names_the_full_library_path():
    msgs = [f.message for f in scan_source("import torch.nn.functional as F\nF.relu = None\n")
            if f.code == "patching"]
    assert msgs == ["assigns to `torch.nn.functional.relu`, replacing library code"]
    msgs = [f.message for f in scan_source("import torch\ntorch.allclose = None\n") if f.code == "patching"]
    assert msgs == ["assigns to `torch.allclose`, replacing library code"]


def test_forbidden_attribute_message_shows_the_dotted_path():
    (f,) = scan_source("import torch\ntorch.os.system('id')\n")
    assert f.code == "forbidden_attribute" and "`torch.os`" in f.message


def test_sys_getframe_with_import_reports_both():
    codes = _codes("import sys\nsys._getframe(0).f_back.f_locals['ok'] = True\n")
    assert codes.count("forbidden_import") == 1
    assert codes.count("forbidden_attribute") >= 3  # _getframe, f_back, f_locals


def test_findings_carry_line_numbers():
    src = "import torch\n\nx = 1\nimport os\n\n\neval('2')\n"
    got = {(f.code, f.line) for f in scan_source(src)}
    assert got == {("forbidden_import", 4), ("dynamic_code", 7)}


def test_finding_as_dict():
    f = Finding("patching", "assigns to `torch.allclose`", 3)
    assert f.as_dict() == {"code": "patching", "message": "assigns to `torch.allclose`", "line": 3}


def test_getattr_with_constant_name_and_setattr_on_self_are_fine():
    src = textwrap.dedent('''\
        import torch
        class ModelNew(torch.nn.Module):
            def __init__(self):
                super().__init__()
                setattr(self, "w", torch.nn.Parameter(torch.ones(2)))
            def forward(self, x):
                return getattr(torch, "relu")(x) * getattr(self, "w", 1.0)
        ''')
    assert scan_source(src) == []


def test_scan_raises_syntax_error_for_invalid_source():
    with pytest.raises(SyntaxError):
        scan_source("def (:\n")


def test_for_loop_target_rebinding_library_code_is_patching():
    assert "patching" in _codes("import torch\nfor torch.allclose in [lambda *a, **k: True]:\n    pass\n")


def test_getattr_with_constant_forbidden_name_is_reported():
    assert _codes("import torch\ngetattr(torch, 'os').system('id')\n") != []


# ----------------------------------------------------------------------------- TamperWatch

def test_catalog_names_are_unique_and_resolve():
    keys = [f"{m}.{a}" for m, a in CATALOG]
    assert len(keys) == len(set(keys))
    w = TamperWatch()
    for k in ("torch.allclose", "torch.Tensor.__eq__", "time.perf_counter",
              "kopt.sandbox.protocol.encode", "builtins.isinstance"):
        assert w._objs[k] is not None, k


def test_tamperwatch_reports_replaced_torch_allclose_and_recovers():
    w = TamperWatch()
    assert w.changed() == []
    original = torch.allclose
    try:
        torch.allclose = lambda *a, **k: True
        assert w.changed() == ["torch.allclose"]
    finally:
        torch.allclose = original
    assert w.changed() == []


def test_tamperwatch_reports_deleted_function():
    w = TamperWatch()
    original = torch.isfinite
    try:
        del torch.isfinite
        assert w.changed() == ["torch.isfinite"]
    finally:
        torch.isfinite = original
    assert w.changed() == []


def test_tamperwatch_reports_patched_tensor_method():
    w = TamperWatch()
    had_own = "clone" in vars(torch.Tensor)
    original = vars(torch.Tensor).get("clone")
    try:
        torch.Tensor.clone = lambda self, *a, **k: self
        assert "torch.Tensor.clone" in w.changed()
    finally:
        if had_own:
            torch.Tensor.clone = original
        else:
            del torch.Tensor.clone
    assert w.changed() == []


def test_tamperwatch_reports_patched_timer():
    w = TamperWatch()
    original = time.perf_counter
    try:
        time.perf_counter = lambda: 0.0
        changed = w.changed()
    finally:
        time.perf_counter = original
    assert changed == ["time.perf_counter"]
    assert w.changed() == []


def test_tamperwatch_reports_replaced_sys_modules_entry():
    w = TamperWatch()
    original = sys.modules["json"]
    try:
        sys.modules["json"] = types.ModuleType("json")
        changed = w.changed()
    finally:
        sys.modules["json"] = original
    assert "sys.modules['json']" in changed
    assert "json.dumps" in changed
    assert w.changed() == []


def test_classmethod_torch_function_is_not_reported_as_changed():
    # getattr gives a fresh bound method each time: an identity check through getattr would misfire.
    assert torch.Tensor.__torch_function__ is not torch.Tensor.__torch_function__
    w = TamperWatch()
    for _ in range(3):
        assert "torch.Tensor.__torch_function__" not in w.changed()
    assert w.changed() == []


def test_tamperwatch_reports_replaced_torch_function_classmethod():
    w = TamperWatch()
    original = vars(torch.Tensor)["__torch_function__"]
    try:
        torch.Tensor.__torch_function__ = classmethod(original.__func__)  # same code, new object
        assert w.changed() == ["torch.Tensor.__torch_function__"]
    finally:
        torch.Tensor.__torch_function__ = original
    assert w.changed() == []
