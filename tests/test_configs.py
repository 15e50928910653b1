"""Where a verdict holds, through the real CLI: the configurations a check covers, what it says when
it cannot vary a problem, and problems that cannot run on the CPU."""
from __future__ import annotations

import textwrap

from conftest import run_kopt

# KernelBench style, no CPU_SIZES, sizes as literals inside get_inputs/get_init_inputs, big enough
# to be capped on CPU; the scale is a constructor argument.
LITERAL_PROBLEM = '''\
    import torch
    import torch.nn as nn

    class Model(nn.Module):
        def __init__(self, features, scale):
            super().__init__()
            self.features = features
            self.scale = scale

        def forward(self, x):
            return torch.tanh(x) * self.scale

    def get_inputs():
        return [torch.randn(4096, 2048)]

    def get_init_inputs():
        return [2048, 0.75]
    '''

HONEST = '''\
    import torch
    import torch.nn as nn

    class ModelNew(nn.Module):
        def __init__(self, features, scale):
            super().__init__()
            self.scale = scale

        def forward(self, x):
            return torch.tanh(x) * self.scale
    '''

BAKED = HONEST.replace("return torch.tanh(x) * self.scale", "return torch.tanh(x.view(64, 64)) * 0.75")


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def _check(cand, prob, *extra):
    return run_kopt("check", str(cand), "--ref", str(prob), "--json", "--device", "cpu", "--no-xcompile", *extra,
                    timeout=120)


def test_literal_sizes_and_arguments_are_capped_then_varied(tmp_path):
    prob = _write(tmp_path, "lit.py", LITERAL_PROBLEM)
    v = _check(_write(tmp_path, "honest.py", HONEST), prob).json
    assert v["status"] == "correct", v["reason"]
    assert v["sizes"]["note"] == "auto-capped to 64" and v["inputs"] == ["Tensor[float32, (64, 64)]"]
    judged, *unseen = v["configs"]
    assert judged["kind"] == "judged" and len(unseen) == 3 and all(c["match"] for c in unseen)
    for c in unseen:  # the scale moved, and the sizes moved off 64 in both functions at once
        assert c["values"]["value 0.75"] != 0.75 and c["values"]["size 2048"] != 64
    assert not [w for w in v["warnings"] if w.startswith("verified at the judged configuration")]


def test_a_candidate_baked_to_the_judged_sizes_is_wrong_at_a_named_configuration(tmp_path):
    prob = _write(tmp_path, "lit.py", LITERAL_PROBLEM)
    res = _check(_write(tmp_path, "baked.py", BAKED), prob)
    v = res.json
    assert res.code == 1 and v["status"] in ("incorrect", "runtime_error")
    assert " at size 4096 -> " in v["reason"] or "wrong at size" in v["reason"], v["reason"]
    assert v["configs"][0]["match"] is True and v["configs"][1]["match"] is False


def test_a_problem_with_nothing_to_vary_says_so(tmp_path):
    prob = _write(tmp_path, "fixed.py", '''\
        import torch
        import torch.nn as nn

        class Model(nn.Module):
            def forward(self, x):
                return x.relu()

        def get_inputs():
            return [torch.randn(5, 7)]

        def get_init_inputs():
            return []
        ''')
    cand = _write(tmp_path, "c.py", "import torch.nn as nn\n\nclass ModelNew(nn.Module):\n"
                                   "    def forward(self, x):\n        return x.relu()\n")
    v = _check(cand, prob).json
    assert v["status"] == "correct"
    assert "verified at the judged configuration only: the problem has no size constant or scalar argument to vary" \
        in v["warnings"]
    assert v["coverage"]["unseen_configs"] == 0
    v = _check(_write(tmp_path, "h.py", HONEST), _write(tmp_path, "lit.py", LITERAL_PROBLEM), "--unseen", "0").json
    assert v["status"] == "correct" and len(v["configs"]) == 1
    assert any("unseen configurations were turned off" in w for w in v["warnings"])


def test_a_problem_that_cannot_run_on_cpu_is_told_what_to_set(tmp_path):
    prob = _write(tmp_path, "huge.py", '''\
        import torch
        import torch.nn as nn

        class Model(nn.Module):
            def forward(self, x):
                return x.expand(60000, 60000, 4).sum(-1).reshape(-1)[:7] * 2.0 + torch.ones(60000, 60000)[0, :7]

        def get_inputs():
            return [torch.randn(4)]

        def get_init_inputs():
            return []
        ''')
    cand = _write(tmp_path, "c.py", "import torch.nn as nn\n\nclass ModelNew(nn.Module):\n"
                                   "    def forward(self, x):\n        return x\n")
    res = _check(cand, prob, "--memory-gb", "2")
    v = res.json
    assert res.code == 2 and v["status"] == "error"
    assert "unusable on CPU" in v["reason"] and "CPU_SIZES" in v["reason"] and "--memory-gb" in v["reason"]


DISPATCH = '''\
    import torch
    import torch.nn as nn
    import triton
    import triton.language as tl

    @triton.jit
    def _tanh(x):  # a helper compiled into the kernels, never launched itself
        e = tl.exp(-2.0 * tl.abs(x))
        t = (1.0 - e) / (1.0 + e)
        return tl.where(x >= 0, t, -t)

    @triton.jit
    def tanh_scale(x_ptr, y_ptr, n, scale, BLOCK: tl.constexpr):
        offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        m = offs < n
        tl.store(y_ptr + offs, _tanh(tl.load(x_ptr + offs, mask=m)) * scale, mask=m)

    @triton.jit
    def tanh_scale_wide(x_ptr, y_ptr, n, scale, BLOCK: tl.constexpr):
        offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        tl.store(y_ptr + offs, _tanh(tl.load(x_ptr + offs)) * scale)  # no mask: wrong past the end

    class ModelNew(nn.Module):
        def __init__(self, features, scale):
            super().__init__()
            self.scale = scale

        def forward(self, x):
            x = x.contiguous()
            y = torch.empty_like(x)
            n = x.numel()
            kernel = tanh_scale_wide if n > (1 << 24) else tanh_scale  # only at sizes no CPU check uses
            kernel[(triton.cdiv(n, 1024),)](x, y, n, float(self.scale), BLOCK=1024)
            return y
    '''


def test_a_kernel_no_checked_call_launched_is_named_in_the_verdict(tmp_path):
    v = _check(_write(tmp_path, "dispatch.py", DISPATCH), _write(tmp_path, "lit.py", LITERAL_PROBLEM)).json
    assert v["status"] == "correct", v["reason"]
    never = [w for w in v["warnings"] if w.startswith("never launched in any checked call")]
    assert never and "tanh_scale_wide" in never[0] and "_tanh" not in never[0].split("(")[0], v["warnings"]
