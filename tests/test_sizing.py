"""kopt.tools.sizing and kopt.tools.judged: the one sizing policy (judged sizes, unseen ones)."""
from __future__ import annotations

import random
import sys
import textwrap

import pytest

from kopt.tools import sizing
from kopt.tools.judged import judged_config
from kopt.tools.loader import exec_module

SRC = textwrap.dedent('''\
    import torch
    import torch.nn as nn

    batch_size = 4096
    dim = 128 * 4
    small = 7
    reduce_dim = 1
    negative = -1000
    eps = 1e-5
    zero = 0.0
    name = "not a size"
    flag = True
    derived = batch_size * 2
    height, width = 256, 96
    shape = (128, 4096)
    annotated: int = 5000
    CPU_SIZES = {"batch_size": 16, "dim": 32}


    def helper():
        inner = 100000
        return inner


    class Model(nn.Module):
        def __init__(self, dim, eps, classes):
            super().__init__()
            self.lin = nn.Linear(dim, classes)
            self.eps = eps

        def forward(self, x, t):
            return self.lin(x) * self.eps


    def get_inputs():
        return [torch.randn(batch_size, dim), torch.randint(0, 1000, (batch_size,), dtype=torch.int64)]


    def get_init_inputs():
        return [dim, 0.5, 1000]
    ''')


def _syms():
    return {s.key: s for s in sizing.scan(SRC)}


def _run(src: str) -> dict:
    ns: dict = {}
    exec(compile(src, "<cfg>", "exec"), ns)
    return ns


def test_scan_finds_sizes_tuples_expressions_literals_and_scalar_args():
    s = _syms()
    sizes = {k: v.value for k, v in s.items() if v.kind == "size"}
    args = {k: v.value for k, v in s.items() if v.kind == "arg"}
    assert sizes == {"batch_size": 4096, "dim": 512, "height": 256, "width": 96, "shape[0]": 128, "shape[1]": 4096,
                     "annotated": 5000, "literal 1000": 1000}
    # Axes, small structural ints, negatives, bools, strings, zero and derived names are not varied.
    assert args == {"eps": 1e-5, "literal 0.5": 0.5}
    assert len(s["literal 1000"].spans) == 2  # both places a literal size is written change together


def test_apply_rewrites_in_place_and_keeps_every_line_number():
    s = list(_syms().values())
    values = {"batch_size": 37, "dim": 53, "height": 11, "shape[1]": 29, "literal 1000": 13, "eps": 2e-5,
              "literal 0.5": 0.75}
    out = sizing.apply(SRC, s, values)
    assert len(out.splitlines()) == len(SRC.splitlines())
    for a, b in zip(SRC.splitlines(), out.splitlines()):
        if a != b:
            assert a.split("=")[0] == b.split("=")[0] or a.strip().startswith("return")
    ns, orig = _run(out), _run(SRC)
    assert (ns["batch_size"], ns["dim"], ns["height"], ns["width"], ns["shape"]) == (37, 53, 11, 96, (128, 29))
    assert ns["derived"] == 74 and ns["eps"] == 2e-5 and ns["helper"]() == 100000
    assert ns["get_init_inputs"]() == [53, 0.75, 13]
    x, t = ns["get_inputs"]()
    assert tuple(x.shape) == (37, 53) and int(t.max()) < 13
    for k in ("small", "reduce_dim", "negative", "zero", "name", "flag", "annotated"):
        assert ns[k] == orig[k], k


def test_cpu_sizes_and_cap_values():
    s = list(_syms().values())
    assert sizing.cpu_sizes_values(s, {"batch_size": 16, "dim": 32, "not_there": 3}) == {"batch_size": 16, "dim": 32}
    capped = sizing.capped_values(s)
    assert capped == {"batch_size": 64, "dim": 64, "height": 64, "width": 64, "shape[0]": 64, "shape[1]": 64,
                      "annotated": 64, "literal 1000": 64}
    assert sizing.AUTO_CAP == 64


def test_candidate_copies_of_constants_follow_the_problem():
    s = list(_syms().values())
    cand = "batch_size = 4096\ndim = 512\nBLOCK = 512\nheight, width = 256, 96\neps = 1e-5\nother = 3\n"
    out, names = sizing.candidate_source(cand, s, {"batch_size": 37, "dim": 53, "width": 9, "eps": 3e-5})
    ns = _run(out)
    assert (ns["batch_size"], ns["dim"], ns["BLOCK"], ns["width"], ns["eps"]) == (37, 53, 512, 9, 3e-5)
    assert sorted(names) == ["batch_size", "dim", "eps", "width"]
    # A same-named constant with another value is the candidate's own: it stays.
    out, names = sizing.candidate_source("dim = 1024\n", s, {"dim": 53})
    assert out == "dim = 1024\n" and names == []


@pytest.mark.parametrize("seed", range(6))
def test_proposals_are_odd_non_powers_of_two_around_the_judged_values(seed):
    s = list(_syms().values())
    base = {"batch_size": 16, "dim": 32}
    rng = random.Random(seed)
    for larger in (False, True):
        values, strategy = sizing.propose(s, base, rng, 0, larger)
        assert strategy == "independent-odd"
        for sym in s:
            v, b = values[sym.key], base.get(sym.key, sym.value)
            assert v != b
            if sym.kind == "size":
                assert v % 2 == 1 and v & (v - 1)
                if not larger:
                    assert v < b
        if larger:
            assert any(values[k.key] > base.get(k.key, k.value) for k in s if k.kind == "size")
        assert 0 < values["eps"] and 0 < values["literal 0.5"] < 1


def test_later_strategies_keep_divisibility_and_equal_sizes_equal():
    src = "hidden = 96\nheads_dim = 96\nnum_heads = 4\nscale = 2.0\n"
    s = sizing.scan(src)
    rng = random.Random(3)
    heads = sizing.scan("hidden = 96\nheads_dim = 96\nnum_heads = 12\n")
    for seed in range(20):  # hidden = num_heads * head_dim must keep holding (a view to heads)
        v, strategy = sizing.propose(heads, {}, random.Random(seed), 2, seed % 2 == 1, "hidden")
        assert strategy == "consistent-divisible"
        assert v["hidden"] % v["num_heads"] == 0 and v["heads_dim"] % v["num_heads"] == 0, v
        assert seed % 2 == 1 or v["hidden"] == v["heads_dim"], v  # elongated: only hidden grows
        assert v["hidden"] != 96 and v["num_heads"] != 12, v
    v, strategy = sizing.propose(s, {}, rng, 3, False)
    assert strategy == "consistent-mult8"
    assert v["hidden"] == v["heads_dim"] and v["hidden"] % 8 == 0 and v["hidden"] & (v["hidden"] - 1)
    v, strategy = sizing.propose(s, {}, rng, 5, True)
    assert strategy == "single" and len([k for k in v if k in ("hidden", "heads_dim", "num_heads")]) == 1
    v, strategy = sizing.propose(s, {}, rng, 7, True)
    assert strategy == "args-only" and set(v) == {"scale"}


def test_describe_names_what_changed():
    s = list(_syms().values())
    text = sizing.describe(s, {"batch_size": 37, "dim": 32, "eps": 3.7e-5}, {"batch_size": 16, "dim": 32})
    assert text == "batch_size 37, eps 3.7e-05"
    assert sizing.describe(s, {"literal 1000": 13}) == "size 1000 -> 13"


# ----------------------------------------------------------------------------- judged configurations (torch)

def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def test_judged_config_uses_cpu_sizes(tmp_path):
    p = _write(tmp_path, "p.py", SRC)
    module, cfg = judged_config(str(p), "cpu")
    try:
        assert cfg.note == "CPU_SIZES" and cfg.values == {"batch_size": 16, "dim": 32}
        assert module.batch_size == 16 and module.dim == 32
        assert cfg.sizes() == {"batch_size": [4096, 16], "dim": [512, 32]}
        module, cfg = judged_config(str(p), "cuda")
        assert cfg.note == "as written" and module.batch_size == 4096
    finally:
        sys.modules.pop(module.__name__, None)


BIG = '''\
    import torch
    import torch.nn as nn

    rows, cols = 4096, 8192

    class Model(nn.Module):
        def forward(self, x):
            return x.softmax(-1)

    def get_inputs():
        return [torch.randn(rows, cols)]

    def get_init_inputs():
        return []
    '''


def test_big_problem_without_cpu_sizes_is_capped_even_in_tuples(tmp_path):
    module, cfg = judged_config(str(_write(tmp_path, "big.py", BIG)), "cpu")
    assert cfg.note == "auto-capped to 64" and (module.rows, module.cols) == (64, 64)
    assert cfg.sizes() == {"rows": [4096, 64], "cols": [8192, 64]}


def test_literal_sizes_in_get_inputs_are_capped(tmp_path):
    src = BIG.replace("rows, cols = 4096, 8192\n", "").replace("torch.randn(rows, cols)", "torch.randn(4096, 8192)")
    module, cfg = judged_config(str(_write(tmp_path, "lit.py", src)), "cpu")
    assert cfg.note == "auto-capped to 64" and tuple(module.get_inputs()[0].shape) == (64, 64)


def test_a_cap_that_breaks_the_problem_keeps_the_original_and_says_why(tmp_path):
    src = BIG.replace("return x.softmax(-1)", "return x.view(4096, 8192).softmax(-1)")
    module, cfg = judged_config(str(_write(tmp_path, "keep.py", src)), "cpu")
    assert cfg.note.startswith("as written (smaller sizes do not run: RuntimeError")
    assert module.rows == 4096


def test_small_problem_runs_as_written(tmp_path):
    module, cfg = judged_config(str(_write(tmp_path, "small.py", BIG.replace("4096, 8192", "64, 100"))), "cpu")
    assert cfg.note == "as written" and cfg.values == {} and module.cols == 100


def test_problem_file_line_numbers_survive_cpu_sizes(tmp_path):
    p = _write(tmp_path, "p.py", SRC)
    module, cfg = judged_config(str(p), "cpu")
    assert cfg.source.count("\n") == SRC.count("\n")
    mod = exec_module(p, cfg.source)
    assert mod.Model.forward.__code__.co_firstlineno == SRC.splitlines().index("    def forward(self, x, t):") + 1


def test_cpu_sizes_applies_to_small_constants_too():
    src = "batch = 4\nheads = 2\ndim = 512\nCPU_SIZES = {'batch': 2, 'dim': 96}\n"
    s = sizing.scan(src)
    assert {x.key for x in s} == {"batch", "dim", "heads"}  # heads: small, but its name counts heads
    values = sizing.cpu_sizes_values(s, {"batch": 2, "dim": 96})
    assert _run(sizing.apply(src, s, values))["batch"] == 2
    for attempt in range(3):  # a judged size of 2 has no odd neighbour: it is not varied
        v, _ = sizing.propose(s, values, random.Random(attempt), attempt, False)
        assert "batch" not in v and v["dim"] != 96


def test_a_small_head_group_or_kernel_count_is_a_size_and_an_axis_is_not():
    src = "num_heads = 4\ngroups = 3\nbatch = 5\ndim = 1\nkernel_size = 3\nstride = 2\nwindow = (3, 5)\n"
    s = {x.key: x for x in sizing.scan(src)}
    assert set(s) == {"num_heads", "groups", "batch", "kernel_size", "window[0]", "window[1]"}
    assert all(x.kind == "size" for x in s.values())
    v, _ = sizing.propose(list(s.values()), {}, random.Random(0), 0, False)
    assert v["num_heads"] != 4 and v["groups"] != 3 and v["kernel_size"] != 3


def test_randint_value_ranges_stay_unless_they_are_also_sizes():
    src = ("import torch\nrows = 64\ndef get_inputs():\n    return [torch.randint(0, 256, (rows, 100), dtype=torch.uint8),"
           " torch.randint(0, 1000, (rows,))]\ndef get_init_inputs():\n    return [1000]\n")
    keys = {s.key: len(s.spans) for s in sizing.scan(src)}
    # 256 is uint8's range (a value bound only); 1000 is also a constructor size, so both move.
    assert keys == {"rows": 1, "literal 100": 1, "literal 1000": 2}


def test_an_elongated_configuration_grows_one_size_and_keeps_the_tensors_in_budget():
    src = "batch = 41\ndim = 203\nCPU_SIZES = {'batch': 41, 'dim': 203}\n"
    s = sizing.scan(src)
    for seed in range(20):
        v, _ = sizing.propose(s, {}, random.Random(seed), 0, True, long="dim")
        assert v["dim"] >= 203 * 2.5 and v["batch"] < 41
        assert v["dim"] * v["batch"] <= sizing.MAX_GROWTH * 203 * 41
