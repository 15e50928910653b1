"""Unit tests for the static source scan (kopt.tools.integrity / kopt.tools.scan) and the runtime
tamper catalog (kopt.sandbox.tamper)."""
from __future__ import annotations

import re
import sys
import textwrap
import time
import types
from pathlib import Path

import pytest
import torch

from kopt.sandbox.tamper import CATALOG, TamperWatch, mode_stacks
from kopt.tools.integrity import Finding, scan_source

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
            if h.device != self.ones.device:
                h = h.to(self.ones.device)
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
    ("import torch\nname = 'all' + 'close'\ngetattr(torch, name)", "reflection"),
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
    # Telling the judge's worker from a user's process: honest only where one thread runs, or seeded.
    ("import torch\nif torch.get_num_threads() == 1:\n    pass", "forbidden_attribute"),
    ("from torch import get_num_threads", "forbidden_import"),
    ("import torch\nseeded = torch.initial_seed() < 2 ** 32", "forbidden_attribute"),
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


# ----------------------------------------------------------------------------- scan_source: what names reach
# One row per attack: (rule, code it must get, attacking snippet, honest look-alike with no finding).

RULES = [
    # 1. strings that name forbidden things, exact, folded, or as a token of a dotted/format string
    ("string", "forbidden_string", "import torch\nframe_attr = 'f_back'",
     "import torch\nraise ValueError('select the rows first; the time dim and code path are wrong')"),
    ("string", "forbidden_string", "def f(fn):\n    return '{0.__globals__}'.format(fn)",
     "def f(x):\n    return '{0.shape} {1:.3f}'.format(x, 1.0)"),
    ("string", "forbidden_string", "name = 'f_' + 'back'", "name = 'n_' + 'elements'"),
    ("string", "forbidden_string", "name = ''.join(['_get', 'frame'])", "name = ''.join(['BLOCK', '_M'])"),
    ("string", "forbidden_string", "name = 'kcab_f'[::-1]", "name = 'kcolb'[::-1]"),
    ("string", "forbidden_string", "name = '%s%s' % ('__glo', 'bals__')", "name = '%s_%s' % ('bias', 'scale')"),
    ("string", "forbidden_string", "name = chr(95) * 2 + 'import' + chr(95) * 2", "name = chr(65) + 'B'"),
    ("string", "forbidden_string", "key = b'sys'", "key = b'abc'"),
    ("string", "forbidden_string", "mods = {'builtins': 1}", "cfg = {'BLOCK_SIZE': 128}"),
    ("string", "forbidden_string", "path = 'time.perf_counter'", "spec = 'bij,bjk->bik'"),
    ("string", "forbidden_string", "path = 'kopt.sandbox.protocol'", "msg = 'kopt: the input must be contiguous'"),
    ("string", "forbidden_string", "name = 'inspect'", "name = 'modules'"),
    ("string", "forbidden_string", "x = '__main__'",
     '"""Docstrings may say sys, f_back, __globals__ and kopt.sandbox."""\nif __name__ == "__main__":\n    pass'),
    # 2. reflective helpers: only direct calls with a literal, harmless name
    ("reflect", "reflection", "g = getattr\ng(x, 'f_' + 'back')", "w = getattr(self, 'weight')"),
    ("reflect", "reflection", "import functools\nfunctools.reduce(getattr, ['f_back', 'f_locals'], frame)",
     "import functools\nimport operator\nfunctools.reduce(operator.mul, [2, 3], 1)"),
    ("reflect", "reflection", "list(map(getattr, objs, names))", "list(map(abs, [1, -2]))"),
    ("reflect", "reflection", "import operator\nop = operator.attrgetter(name)",
     "import operator\nop = operator.attrgetter('shape')"),
    ("reflect", "reflection", "import operator\ngetter = operator.attrgetter", "import operator\nfirst = operator.itemgetter(0)"),
    ("reflect", "forbidden_attribute", "from operator import attrgetter as ag\nag('gi_frame.f_back')(gen)",
     "from operator import attrgetter as ag\nag('weight.shape')(layer)"),
    ("reflect", "introspection", "import operator\noperator.methodcaller('__reduce__')(x)",
     "import operator\noperator.methodcaller('sum', 1)(x)"),
    ("reflect", "reflection", "hasattr(x, name)", "hasattr(self, 'bias')"),
    ("reflect", "reflection", "setattr(self, name, value)", "setattr(self, 'scale', 1.0)"),
    ("reflect", "reflection", "def f(fn, tmpl):\n    return tmpl.format(fn)", "MSG = 'bad {}'\nMSG.format(1)"),
    # 3. names that reach the interpreter, the dispatcher or native code through allowed modules
    ("reach", "dispatch_override", "import torch\n@torch.library.impl('aten::add.Tensor', 'CPU')\ndef f(a, b):\n    pass",
     "import torch\n@torch.library.custom_op('mylib::fused', mutates_args=())\ndef f(x: torch.Tensor) -> torch.Tensor:\n"
     "    return x.clone()\n@torch.library.register_fake('mylib::fused')\ndef g(x):\n    return torch.empty_like(x)"),
    ("reach", "dispatch_override", "import torch\nlib = torch.library.Library('aten', 'IMPL')",
     "import torch\nlib = torch.library.Library('mylib', 'DEF')"),
    ("reach", "dispatch_override", "import torch\naten = torch.ops.aten\ntorch.library.register_kernel(aten.sub.Tensor, 'cpu')",
     "import torch\naten = torch.ops.aten\ny = aten.sub.Tensor(a, b)"),
    ("reach", "forbidden_import", "from torch.overrides import TorchFunctionMode", "from torch.nn import functional as F"),
    ("reach", "forbidden_attribute", "import torch\nclass M(torch.overrides.TorchFunctionMode):\n    pass",
     "import torch\nclass M(torch.nn.Module):\n    pass"),
    ("reach", "forbidden_import", "import torch.utils._python_dispatch as d", "import torch.utils.checkpoint as c"),
    ("reach", "introspection", "class T:\n    def __torch_function__(cls, func, types, args=(), kwargs=None):\n        pass",
     "class T:\n    def __repr__(self):\n        return 'T'"),
    ("reach", "forbidden_attribute", "import torch\nfut = torch.jit.fork(fn, x)", "import torch\nf = torch.jit.script(fn)"),
    ("reach", "forbidden_attribute", "import torch\nj = torch.jit\nj._fork(fn, x)", "import torch\nj = torch.jit\nj.is_scripting()"),
    ("reach", "forbidden_attribute", "import torch\ns = torch.cuda.Stream()", "import torch\ns = torch.cuda.current_stream()"),
    ("reach", "patching", "import torch\nE = torch.cuda.Event\nE.elapsed_time = lambda a, b: 1.0",
     "import torch\nsync = torch.cuda.synchronize\nev = torch.cuda.Event()"),
    ("reach", "patching", "import torch\ntorch.cuda.synchronize = lambda: None", "import torch\ntorch.cuda.synchronize()"),
    ("reach", "forbidden_attribute", "import torch\nt = torch.fx.traceback", "import torch\ng = torch.fx.symbolic_trace"),
    ("reach", "forbidden_attribute", "import numpy as np\np = a.ctypes.data", "import numpy as np\np = a.shape"),
    ("reach", "forbidden_attribute", "import numpy as np\nv = np.ctypeslib.as_array(ptr, (4,))", "import numpy as np\nv = np.asarray(a)"),
    ("reach", "forbidden_attribute", "import numpy as np\nv = np.lib.stride_tricks.as_strided(a, (9,), (8,))",
     "import numpy as np\nv = np.broadcast_to(a, (9,))"),
    ("reach", "forbidden_import", "from triton.runtime.jit import JITFunction", "from triton.runtime import driver"),
    ("reach", "forbidden_attribute", "import triton\nd = triton.runtime.driver.active\nd.launcher_cls = None",
     "import triton\ndev = triton.runtime.driver.active.get_active_torch_device()\n"
     "n = triton.runtime.driver.active.utils.get_device_properties(0)['multiprocessor_count']"),
    ("reach", "forbidden_attribute", "import torch\nf = torch._logging.logging.currentframe", "import torch\nf = torch.nn.functional"),
    ("reach", "forbidden_attribute", "import typing\ns = typing.sys", "import typing\no = typing.Optional"),
    ("reach", "forbidden_attribute", "import collections\ns = collections._sys", "import collections\nd = collections.OrderedDict()"),
    ("reach", "forbidden_attribute", "import torch\ntorch.serialization.warnings.showwarning = f",
     "import torch\ntorch.backends.cudnn.benchmark = True"),
    ("reach", "forbidden_attribute", "import torch\nm = torch.utils.cpp_extension.load_inline('m', src)",
     "import torch\nm = torch.utils.checkpoint.checkpoint"),
    ("reach", "forbidden_attribute", "import torch\ntorch.set_default_device('meta')", "import torch\nd = torch.get_default_dtype()"),
    ("reach", "forbidden_attribute", "import torch\ntorch.save(x, 'cache.pt')", "import torch\ny = torch.stack([x, x])"),
    ("reach", "context_escape", "import torch\ndef g():\n    with torch.device('meta'):\n        yield",
     "import torch\ndef g(x):\n    with torch.no_grad():\n        return x * 2"),
    # names that hold library objects: patching through an alias, a container, a parameter, a return value
    ("alias", "patching", "import torch\nT = torch.Tensor\nT.clone = f", "import torch\nT = torch.Tensor\ny = T.clone(x)"),
    ("alias", "patching", "import torch\nclass M:\n    def __init__(self):\n        self.lib = torch\n"
     "    def go(self):\n        self.lib.allclose = f",
     "import torch\nclass M:\n    def __init__(self):\n        self.lib = torch\n    def go(self):\n        self.n = 3"),
    ("alias", "patching", "def patch(m):\n    m.allclose = f", "def fill(t):\n    t[0] = 1.0"),
    ("alias", "patching", "import torch\ntype(torch.ones(1)).clone = f", "import torch\nout = torch.ones(1)\nout.requires_grad = False"),
    ("alias", "patching", "import torch\nfor m in (torch,):\n    m.allclose = f",
     "import torch\nclass M(torch.nn.Module):\n    def freeze(self):\n        for p in self.parameters():\n"
     "            p.requires_grad = False"),
    ("alias", "patching", "import torch\nm = next(iter([torch]))\nm.allclose = f", "import torch\nm = max([1, 2])\nm = m + 1"),
    ("alias", "patching", "import torch\nd = {'t': torch}\nd['t'].allclose = f", "import torch\nd = {'t': 1}\nd['t'] = 2"),
    ("alias", "patching", "import torch\ndef lib():\n    return torch\nT = lib()\nT.equal = f",
     "import torch\ndef make():\n    return torch.zeros(2)\nz = make()\nz[0] = 1.0"),
    ("alias", "patching", "import torch\ndef ident(m):\n    return m\nident(torch).equal = f",
     "import torch\ndef double(t):\n    return t * 2\ny = double(torch.ones(2))"),
    ("alias", "patching", "import torch\nT = getattr(torch, 'Tensor')\nT.sub = f", "import torch\nr = getattr(torch, 'relu')(x)"),
    # 4. control flow that depends on the device
    ("device", "device_branch", "def f(x):\n    if x.is_cuda:\n        return x\n    return x * 2",
     "import torch\ndef f(x):\n    return torch.empty(3, device=x.device)"),
    ("device", "device_branch", "def f(x):\n    return x if x.device.type == 'cuda' else -x",
     "def f(x, w):\n    return x.to(w.device)"),
    ("device", "device_branch", "def f(x):\n    if x.device.type != 'cpu':\n        return x",
     "def f(x, w):\n    if x.device != w.device:\n        x = x.to(w.device)\n    return x"),
    ("device", "device_branch", "import torch\nUSE_GPU = torch.cuda.is_available()",
     "import torch\ns = torch.cuda.current_stream"),
    ("device", "device_branch", "import torch\nf = lambda x: x.cuda() if torch.cuda.is_available() else x",
     "import torch\nf = lambda x: x.contiguous() if x.dim() == 2 else x"),
    ("device", "device_branch", "def f(x):\n    return str(x.device) == 'cpu'", "def f(x):\n    return str(x.dtype) == 'torch.float32'"),
    ("device", "device_branch", "def f(x):\n    assert not x.is_cpu", "def f(x):\n    assert x.is_contiguous()"),
    ("device", "device_branch", "import torch\ndef f(x):\n    return x.device == torch.device('cpu')",
     "import torch\ndef f(x):\n    return torch.zeros(2, device=torch.device('cpu'))"),
    ("device", "device_branch", "def f(x):\n    return 'cuda' in str(x.device)", "def f(x):\n    return 'float' in str(x.dtype)"),
    ("device", "device_branch", "def f(x):\n    dev = x.device.type\n    if dev == 'cuda':\n        return x",
     "import torch\ndef f(x):\n    dev = x.device\n    return torch.zeros(3, device=dev)"),
    ("device", "device_branch", "def f(x, a, b):\n    return {'cuda': a, 'cpu': b}[x.device.type](x)",
     "def f(self, x):\n    return self.cache[x.device]"),
    ("device", "device_branch", "def f(self, x):\n    key = x.device.type\n    return self.impl.get(key)(x)",
     "def f(self, x):\n    key = (tuple(x.shape), x.dtype, str(x.device))\n    hit = self.ws.get(key)\n"
     "    if hit is None:\n        hit = self.ws[key] = x.new_empty(x.shape)\n    return hit"),
    ("device", "device_branch", "def f(x):\n    return str(x.device).startswith('cuda')", "def f(x):\n    return str(x.dtype).startswith('torch')"),
    ("device", "device_branch", "def f(x):\n    match x.device.type:\n        case 'cuda':\n            return x",
     "def f(x):\n    match x.dim():\n        case 2:\n            return x"),
    ("device", "device_branch", "def f(x):\n    if x.get_device() < 0:\n        return x", "def f(x):\n    if x.dim() < 2:\n        return x"),
    ("device", "device_branch", "def f(x):\n    if getattr(x, 'is_cuda'):\n        return x",
     "def f(x):\n    if getattr(x, 'requires_grad'):\n        return x"),
    ("device", "device_branch", "def helper(t, p):\n    return t.startswith(p)\ndef f(x, p):\n    return helper(x.device.type, p)",
     "def helper(t, p):\n    return t.startswith(p)\ndef f(x, p):\n    return helper(str(x.dtype), p)"),
    ("device", "device_branch", "def f(x):\n    return 'cuda' in x.type()", "def f(x):\n    return 'float' in str(x.dtype)"),
    ("device", "device_branch", "import operator\ndef f(x, s):\n    return operator.eq(x.device.type, s)",
     "import operator\ndef f(x, s):\n    return operator.eq(x.dtype, s)"),
    ("device", "device_branch", "def f(x, s):\n    return len(str(x.device)) == s", "def f(x, s):\n    return len(str(x.shape)) == s"),
    ("device", "device_branch", "def f(x, mode):\n    if mode == 'cuda':\n        return x", "def f(x, mode):\n    if mode == 'fast':\n        return x"),
    ("device", "device_branch", "def f(x):\n    try:\n        return x.to('cuda')\n    except RuntimeError:\n        return x",
     "def f(x):\n    try:\n        return x.to(float)\n    except RuntimeError:\n        raise"),
    ("device", "device_branch", "import torch\nif torch.cuda.get_device_capability()[0] >= 9:\n    BLOCK = 128",
     "import torch\nimport triton\nBLOCK = triton.next_power_of_2(100)"),
    ("device", "device_branch", "import torch\nimport torch.nn.functional as F\ndef f(k, x, grid):\n    try:\n"
     "        k[grid](x)\n    except Exception:\n        return F.relu(x)\n    return x",
     "def f(k, x, grid):\n    try:\n        k[grid](x)\n    except Exception as e:\n        raise RuntimeError('launch failed') from e\n"
     "    return x"),
    ("device", "device_branch", "import triton\ndef f(k):\n    return isinstance(k, triton.runtime.JITFunction)",
     "import triton\ndef f(k):\n    return isinstance(k, triton.Config)"),
    ("device", "device_branch", "FLAG = 'TRITON_INTERPRET'", "FLAG = 'TRITON_BLOCK'"),
    # The built-in compiler's bf16 matmul launch (agent/fusion/kernel_mm.py) passes exactly this.
    ("device", "device_branch", "def launch(k, x):\n    k[(1,)](x, UPCAST=x.device.type == 'cpu')",
     "def launch(k, x):\n    k[(1,)](x, UPCAST=False)"),
    ("device", "device_branch", "import torch\nclass M:\n    def __init__(self):\n        self.graph = torch.cuda.CUDAGraph()\n"
     "    def f(self, x):\n        if x.is_cuda:\n            return x",
     "import torch\nclass M:\n    def __init__(self):\n        self.graph = torch.cuda.CUDAGraph()\n"
     "    def f(self, x):\n        if self.graph is None:\n            return x"),
]


@pytest.mark.parametrize("rule, code, attack, honest", RULES, ids=[f"{r[0]}-{i}" for i, r in enumerate(RULES)])
def test_static_scan_rule_flags_attack_and_spares_its_lookalike(rule, code, attack, honest):
    compile(attack, "<attack>", "exec"), compile(honest, "<honest>", "exec")  # both are real Python
    assert code in _codes(attack), scan_source(attack)
    assert scan_source(honest) == []


def test_static_scan_device_branch_is_its_own_code_and_nothing_else():
    # The judge treats device_branch on its own (on a CPU check the GPU path never ran), so an honest
    # kernel that only branches on the device must get that finding and no other.
    src = HONEST.replace("if h.device != self.ones.device:", "if not h.is_cuda:")
    assert {f.code for f in scan_source(src)} == {"device_branch"}


def test_static_scan_reports_findings_once_per_line_for_a_device_branch():
    got = scan_source("def f(x):\n    if not x.is_cuda and x.device.type == 'cpu':\n        return x\n")
    assert [(f.code, f.line) for f in got] == [("device_branch", 2)]


def _as_candidate(path):
    return re.sub(r"\bclass Model\b", "class ModelNew", path.read_text())


ROOT = Path(__file__).resolve().parent.parent
HONEST_FILES = sorted((ROOT / "tests" / "corpus" / "candidates" / "honest").glob("*.py"))
PROBLEMS = sorted([*(ROOT / "eval_suite").glob("**/*.py"), *(ROOT / "tests" / "heldout").glob("*.py")])


@pytest.mark.parametrize("path", HONEST_FILES + PROBLEMS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_static_scan_passes_honest_candidates_and_every_suite_problem_as_a_candidate(path):
    src = path.read_text() if path in HONEST_FILES else _as_candidate(path)
    assert scan_source(src) == []


def test_static_scan_covers_the_corpus_and_the_suite():
    assert len(HONEST_FILES) >= 20 and len(PROBLEMS) >= 80


# ----------------------------------------------------------------------------- TamperWatch

def test_catalog_names_are_unique_and_resolve():
    keys = [f"{m}.{a}" for m, a in CATALOG]
    assert len(keys) == len(set(keys))
    w = TamperWatch()
    for k in ("torch.allclose", "time.perf_counter", "torch.nn.Module.load_state_dict", "mmap.mmap"):
        assert w._objs[k] is not None, k


def test_tamperwatch_covers_kopts_own_bindings_and_their_code():
    from kopt.sandbox import protocol
    from kopt.tools import timing
    w = TamperWatch()
    original, code = protocol.encode, timing.summarize.__code__
    try:
        protocol.encode = lambda *a, **k: ({}, b"")
        assert "kopt.sandbox.protocol.encode" in w.changed()
    finally:
        protocol.encode = original
    try:
        timing.summarize.__code__ = (lambda ms: {}).__code__
        assert "kopt.tools.timing.summarize.__code__" in w.changed()
    finally:
        timing.summarize.__code__ = code
    assert w.changed() == []


def test_tamperwatch_covers_builtins_and_mode_stacks():
    import builtins
    from torch.utils._python_dispatch import TorchDispatchMode
    w = TamperWatch()
    original = builtins.isinstance
    try:
        builtins.isinstance = lambda a, b: True
        assert w.changed() == ["builtins.isinstance"]
    finally:
        builtins.isinstance = original
    assert w.changed() == [] and mode_stacks() == []

    class Lazy(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            return func(*args, **(kwargs or {}))

    with Lazy():
        assert mode_stacks() == ["torch dispatch mode"]
    assert mode_stacks() == []


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
