"""Unit tests for kopt.tools.loader: static inspection, readable LoadErrors, executing.
(Sizes and configurations: tests/test_sizing.py.)"""
from __future__ import annotations

import ast
import sys
import textwrap
import traceback

import pytest
import torch

from kopt.tools import loader
from kopt.tools.loader import LoadError, check_signatures, exec_module, inspect_file

PROBLEM = textwrap.dedent('''\
    import torch
    import torch.nn as nn

    batch_size = 4096
    dim = 128 * 4
    eps = 1e-5
    CPU_SIZES = {"batch_size": 16, "dim": 32}


    class Model(nn.Module):
        def __init__(self, dim, eps):
            super().__init__()
            self.eps = eps

        def forward(self, x, y):
            return x + y


    def get_inputs():
        return [torch.randn(batch_size, dim), torch.randn(batch_size, dim)]


    def get_init_inputs():
        return [dim, eps]
    ''')

CANDIDATE = textwrap.dedent('''\
    import torch
    import torch.nn as nn


    class ModelNew(nn.Module):
        def __init__(self, dim, eps):
            super().__init__()

        def forward(self, a, b):
            return a + b
    ''')


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def _load_error(path, kind) -> str:
    with pytest.raises(LoadError) as ei:
        inspect_file(path, kind)
    msg = str(ei.value)
    assert "\n" not in msg.strip(), f"not one paragraph: {msg!r}"
    assert msg.strip(), "empty message"
    return msg


def _cand(tmp_path, forward="self, a, b", init="self, dim, eps", extra="", name="cand.py"):
    return inspect_file(_write(tmp_path, name, f'''\
        import torch.nn as nn
        {extra}
        class ModelNew(nn.Module):
            def __init__({init}):
                super().__init__()

            def forward({forward}):
                return None
        '''), "candidate")


@pytest.fixture
def problem(tmp_path):
    return inspect_file(_write(tmp_path, "problem.py", PROBLEM), "problem")


# ----------------------------------------------------------------------------- inspect_file

def test_inspect_valid_problem(problem, tmp_path):
    assert set(problem.classes) == {"Model"}
    assert {"get_inputs", "get_init_inputs"} <= problem.functions
    assert problem.cpu_sizes == {"batch_size": 16, "dim": 32}
    assert problem.method_params("Model", "__init__") == ["dim", "eps"]
    assert problem.method_params("Model", "forward") == ["x", "y"]
    assert problem.method_params("Model", "backward") is None
    assert problem.method_params("Nope", "forward") is None
    assert problem.path == tmp_path / "problem.py"
    assert problem.source == PROBLEM
    assert isinstance(problem.tree, ast.Module)


def test_inspect_valid_candidate_has_no_cpu_sizes(tmp_path):
    info = inspect_file(_write(tmp_path, "cand.py", CANDIDATE), "candidate")
    assert "ModelNew" in info.classes
    assert info.cpu_sizes is None


def test_method_params_spells_out_star_args(tmp_path):
    info = _cand(tmp_path, forward="self, x, /, y, *rest, scale, **kw")
    assert info.method_params("ModelNew", "forward") == ["x", "y", "*rest", "scale", "**kw"]


@pytest.mark.parametrize("kind, what", [("problem", "problem"), ("candidate", "candidate")])
def test_missing_file(tmp_path, kind, what):
    p = tmp_path / "nowhere" / "missing.py"
    msg = _load_error(p, kind)
    assert str(p) in msg
    assert "does not exist" in msg
    assert what in msg


def test_directory_is_not_a_file(tmp_path):
    msg = _load_error(tmp_path, "problem")
    assert str(tmp_path) in msg
    assert "not a file" in msg


def test_unreadable_bytes(tmp_path):
    p = tmp_path / "latin.py"
    p.write_bytes(b"x = '\xff\xfe'\n")
    msg = _load_error(p, "candidate")
    assert str(p) in msg and "cannot be read" in msg


def test_syntax_error_names_file_and_line(tmp_path):
    p = _write(tmp_path, "broken.py", '''\
        import torch

        def forward(x:
            return x
        ''')
    msg = _load_error(p, "candidate")
    assert str(p) in msg
    assert "not valid Python" in msg
    assert "line 3" in msg


def test_syntax_error_line_number_is_the_real_one(tmp_path):
    p = _write(tmp_path, "broken2.py", "x = 1\ny = 2\nz = = 3\n")
    msg = _load_error(p, "problem")
    assert "line 3" in msg and "line 1," not in msg
    assert "z = = 3" in msg


@pytest.mark.parametrize("drop, missing", [
    ("class Model", "class Model"),
    ("def get_inputs", "get_inputs()"),
    ("def get_init_inputs", "get_init_inputs()"),
])
def test_problem_missing_a_required_definition(tmp_path, drop, missing):
    src = PROBLEM.replace(drop, drop.replace(drop.split()[-1], "renamed_" + drop.split()[-1].lower()))
    p = _write(tmp_path, "problem.py", src)
    msg = _load_error(p, "problem")
    assert str(p) in msg
    assert f"does not define {missing}." in msg
    for other in {"class Model", "get_inputs()", "get_init_inputs()"} - {missing}:
        assert f"define {other}" not in msg and f", {other}" not in msg


def test_problem_missing_everything_lists_all(tmp_path):
    p = _write(tmp_path, "empty.py", "import torch\n")
    msg = _load_error(p, "problem")
    assert "does not define class Model, get_inputs(), get_init_inputs()" in msg


def test_nested_definitions_do_not_count(tmp_path):
    p = _write(tmp_path, "nested.py", '''\
        import torch.nn as nn
        if True:
            class ModelNew(nn.Module):
                pass
        def make():
            class ModelNew(nn.Module):
                pass
            return ModelNew
        ''')
    msg = _load_error(p, "candidate")
    assert "ModelNew" in msg and "it defines" not in msg


def test_candidate_without_modelnew_lists_its_classes(tmp_path):
    p = _write(tmp_path, "cand.py", '''\
        import torch.nn as nn
        class Model(nn.Module):
            pass
        class Helper:
            pass
        ''')
    msg = _load_error(p, "candidate")
    assert str(p) in msg
    assert "ModelNew" in msg
    assert "(it defines: Helper, Model)" in msg


def test_candidate_without_any_class(tmp_path):
    p = _write(tmp_path, "cand.py", "def forward(x):\n    return x\n")
    msg = _load_error(p, "candidate")
    assert "ModelNew" in msg and "it defines" not in msg


# ----------------------------------------------------------------------------- check_signatures

def test_matching_signatures_pass(problem, tmp_path):
    check_signatures(problem, _cand(tmp_path))  # parameter names may differ, counts may not


def test_forward_arity_mismatch(problem, tmp_path):
    cand = _cand(tmp_path, forward="self, a")
    with pytest.raises(LoadError) as ei:
        check_signatures(problem, cand)
    msg = str(ei.value)
    assert "forward signature of ModelNew (a)" in msg
    assert "Model's (x, y)" in msg
    assert "\n" not in msg


def test_constructor_arity_mismatch(problem, tmp_path):
    cand = _cand(tmp_path, init="self")
    with pytest.raises(LoadError) as ei:
        check_signatures(problem, cand)
    msg = str(ei.value)
    assert "constructor signature of ModelNew (no arguments)" in msg
    assert "Model's (dim, eps)" in msg


def test_extra_positional_forward_arg_is_a_mismatch(problem, tmp_path):
    with pytest.raises(LoadError, match="forward"):
        check_signatures(problem, _cand(tmp_path, forward="self, a, b, c"))


@pytest.mark.parametrize("forward, init", [
    ("self, *args", "self, dim, eps"),
    ("self, *inputs, **kwargs", "self, *args, **kwargs"),
    ("self, a, *rest", "self, *init"),
])
def test_star_args_candidate_is_accepted(problem, tmp_path, forward, init):
    check_signatures(problem, _cand(tmp_path, forward=forward, init=init))


def test_inherited_forward_is_accepted(problem, tmp_path):
    cand = inspect_file(_write(tmp_path, "cand.py", '''\
        import torch.nn as nn
        class Base(nn.Module):
            def forward(self, x, y):
                return x * y
        class ModelNew(Base):
            def __init__(self, dim, eps):
                super().__init__()
        '''), "candidate")
    assert cand.method_params("ModelNew", "forward") is None
    check_signatures(problem, cand)


def test_inherited_constructor_is_not_checked_statically(problem, tmp_path):
    cand = inspect_file(_write(tmp_path, "cand.py", '''\
        import torch.nn as nn
        class ModelNew(nn.Module):
            def forward(self, x, y):
                return x
        '''), "candidate")
    check_signatures(problem, cand)


def test_candidate_without_forward_and_without_bases(problem, tmp_path):
    cand = inspect_file(_write(tmp_path, "cand.py", '''\
        class ModelNew:
            def __init__(self, dim, eps):
                pass
        '''), "candidate")
    with pytest.raises(LoadError, match="has no forward method") as ei:
        check_signatures(problem, cand)
    assert str(cand.path) in str(ei.value)


# ----------------------------------------------------------------------------- CPU_SIZES

@pytest.mark.parametrize("value", [
    "dict(batch_size=16)",
    '{"batch_size": 1.5}',
    '{"batch_size": "16"}',
    "[16, 32]",
    "{1: 16}",
    "make_sizes()",
    '{"a": 1, **OTHER}',
    "None",
])
def test_cpu_sizes_must_be_a_literal_dict(tmp_path, value):
    p = _write(tmp_path, "problem.py", PROBLEM.replace('{"batch_size": 16, "dim": 32}', value))
    assert value in p.read_text()
    msg = _load_error(p, "problem")
    assert "CPU_SIZES" in msg and str(p) in msg
    assert "literal dict of name -> int" in msg


def test_cpu_sizes_with_unhashable_key_is_a_load_error(tmp_path):
    p = _write(tmp_path, "problem.py", PROBLEM.replace('{"batch_size": 16, "dim": 32}', "{[1]: 2}"))
    _load_error(p, "problem")


# ----------------------------------------------------------------------------- exec_module

def test_exec_module_runs_file_as_a_fresh_module_named_as_import_names_it(tmp_path):
    stem = "kopt_test_cand_xyzzy"
    p = _write(tmp_path, f"{stem}.py", '''\
        import dataclasses
        X = 41
        @dataclasses.dataclass
        class Point:
            a: int
        def f():
            return X + 1
        ''')
    m1 = exec_module(p)
    m2 = exec_module(p)
    try:
        assert m1.f() == 42 and m1.Point(3).a == 3  # dataclasses resolve their module
        # Named by the stem, as `import stem` would: nothing in its name tells the judge's loader
        # from a user's import (the latest load holds the name).
        assert m1.__name__ == m2.__name__ == stem and sys.modules[stem] is m2
        assert m1.__file__ == str(p)
        assert str(tmp_path) not in sys.path
        m1.X = 0
        assert m2.f() == 42 and m1.f() == 1  # separate module state
        assert m1 is not m2
    finally:
        sys.modules.pop(m1.__name__, None)
        sys.modules.pop(m2.__name__, None)


def test_exec_module_uses_given_source_and_odd_stems(tmp_path):
    p = _write(tmp_path, "my-cand.py", "X = 1\n")
    m = exec_module(p, source="X = 5\n")
    try:
        assert m.X == 5
        assert m.__name__ == "my_cand" and "my-cand" not in sys.modules
    finally:
        sys.modules.pop(m.__name__, None)


def test_exec_module_never_shadows_a_real_module(tmp_path):
    import json
    m = exec_module(_write(tmp_path, "json.py", "X = 1\n"))
    try:
        assert sys.modules["json"] is json and m.__name__.startswith("json_") and m.X == 1
    finally:
        sys.modules.pop(m.__name__, None)


def test_exec_module_propagates_errors_with_the_file_name(tmp_path):
    p = _write(tmp_path, "raises.py", "x = 1\nraise ValueError('from the file')\n")
    with pytest.raises(ValueError, match="from the file") as ei:
        exec_module(p)
    frames = traceback.extract_tb(ei.value.__traceback__)
    assert any(f.filename == str(p) and f.lineno == 2 for f in frames)
