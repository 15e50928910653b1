"""pyproject promises Python 3.10: kopt's own code must parse there and import only what 3.10's
standard library has (a 3.11-only module such as tomllib is allowed behind a version check).
Torch has no CPU wheel for 3.10 on this machine's disk, so the whole program is not run there."""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGES = ("agent", "tools", "sandbox", "kopt", "prompts")


def _python310() -> str | None:
    """A working 3.10 interpreter (a pyenv shim on PATH may exist without one behind it)."""
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    for c in [*sorted(pyenv.glob("3.10*/bin/python3.10")), shutil.which("python3.10")]:
        if c and subprocess.run([str(c), "-c", "import sys; assert sys.version_info[:2] == (3, 10)"],
                                capture_output=True).returncode == 0:
            return str(c)
    return None


PY310 = _python310()


def _sources() -> list[Path]:
    return sorted(p for d in PACKAGES for p in (ROOT / d).rglob("*.py"))


def _version_guarded(tree: ast.AST) -> set[int]:
    """ids of import nodes under `if sys.version_info ...:` (either branch)."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "version_info" in ast.unparse(node.test):
            for sub in node.body + node.orelse:
                ids.update(id(n) for n in ast.walk(sub))
    return ids


def _stdlib_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    guarded = _version_guarded(tree)
    names = set()
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return {n for n in names if n in sys.stdlib_module_names}


@pytest.mark.skipif(PY310 is None, reason="no Python 3.10 interpreter on this machine")
def test_sources_parse_and_import_only_stdlib_that_310_has():
    files = _sources()
    wanted = sorted(set().union(*(_stdlib_imports(p) for p in files)))
    script = ("import ast, importlib.util, sys\n"
              "bad = [f for f in sys.argv[2:] if not ast.parse(open(f).read(), f)]\n"
              "missing = [m for m in sys.argv[1].split(',') if importlib.util.find_spec(m) is None]\n"
              "print('missing:', missing)\n")
    r = subprocess.run([str(PY310), "-c", script, ",".join(wanted), *map(str, files)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]  # a SyntaxError under 3.10 lands here
    assert r.stdout.strip() == "missing: []", r.stdout


def test_the_check_sees_an_unguarded_311_module(tmp_path):
    # The test above must be able to fail: tomllib unguarded is reported, guarded is not.
    bare = tmp_path / "bare.py"
    bare.write_text("import tomllib\n")
    guarded = tmp_path / "guarded.py"
    guarded.write_text("import sys\nif sys.version_info >= (3, 11):\n    import tomllib\nelse:\n    import tomli as tomllib\n")
    assert "tomllib" in _stdlib_imports(bare)
    assert "tomllib" not in _stdlib_imports(guarded)
