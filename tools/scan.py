"""Static scan of a candidate's source: what its names and strings can reach, before any of it runs.

A Triton kernel needs torch, triton, numpy and arithmetic. It has no use for the OS, the interpreter's
frames and code objects, the dispatcher, process-wide hooks, files, clocks or threads, and each of
those is how a published cheat worked (patched timers and comparisons, frame walks that rewrite the
checker's locals, dispatch modes that make later comparisons agree). A finding means `rejected`;
`device_branch` is the exception the judge treats on its own (on a CPU check the GPU path never ran).

What the scan follows, rather than a list of call spellings:
- imports: allowed top-level modules only, none of their dangerous submodules;
- names: an alias of a library object (`T = torch.Tensor`, `self.lib = torch`, a default argument, a
  loop variable, a container, `type(x)`, a local function's return value, a direct call's argument)
  resolves to its library path, so assigning through it is `patching` and a forbidden path
  (`torch.overrides`, `torch.jit.fork`, `np.ctypeslib`, `triton.runtime`) is found whatever it is called;
- reflection: getattr/hasattr/setattr and operator.attrgetter/methodcaller only as direct calls with a
  literal, harmless name; aliased, passed as values (`reduce(getattr, ...)`) or given computed names
  they are findings, and so is `str.format` on a template that is not a literal;
- strings: every str and bytes constant outside docstrings, folded where built from constants
  (`"f_" + "back"`, `"".join(...)`, slices), is split into identifier tokens; a forbidden module or
  interpreter internal (`"sys"`, `"{0.__globals__}"`) is a finding, and so is an English-word module
  name (`inspect`, `time`) when it is a component of a dotted path (never in prose);
- device branches: control flow that depends on the device (`is_cuda`, `device.type == "cpu"`,
  `torch.cuda.is_available()`, a device as a lookup key, a try/except around a kernel launch).

Its limits, honestly: it is a filter, not the proof. Python offers more ways to reach an object than
a static scan can follow, and code that runs in the candidate's process can in principle do whatever
that process can. Known gaps: library objects passed through data the scan cannot see (filled at run
time, returned by a library call, handed to a function called indirectly); names built by library
calls that take strings (`get_submodule`, `torch.ops` lookups); device tests that never name the
device (timing, pointer values, which attributes a kernel object has); a Triton kernel that writes
outside its tensors (under the interpreter, a write into the worker's own memory); native code reached
through allowed libraries by routes not listed here. So the judge keeps the reference, the comparison
and the clock outside the candidate's process and checks from there.

Honest code it rejects, by choice: attribute assignments on a function's parameters other than
self/cls/ctx (`def init(m): m.bias = ...`: the parameter may be a module object), writes to
`torch._dynamo.config`/`torch._inductor.config` (inductor's compiler command is one of them), Triton's
driver beyond the read-only device queries of its tutorials, and clocks (`triton.testing`, event timing).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from kopt.tools.scan_names import (
    GETTERS, Names, _binding_targets, _dotted, _flatten, _literal, _root, _short, _under, _walk_local,
)
from kopt.tools.scan_rules import (
    ALLOWED_DUNDERS, ALLOWED_IMPORTS, ALLOWED_PATHS, DEVICE_ATTRS, DEVICE_NS, DEVICE_PROBES, DEVICE_TOKENS, DOTTED,
    FLAG_PREFIXES, FORBIDDEN_CALLS, FORBIDDEN_PATHS, HOOK_DUNDERS, INTERNALS, LIBRARY_REGISTRATIONS, MODULES,
    NAMED_CALLS, ORDINARY, REFLECT, SELF, STR_TESTS, TOKEN, TORCH_NAMESPACES, WORD_MODULES, forbidden_attr,
    forbidden_token,
)

@dataclass(frozen=True)
class Finding:
    code: str      # machine-readable kind, e.g. "forbidden_import"
    message: str   # one sentence for people
    line: int = 0

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "line": self.line}


def scan_source(source: str) -> list[Finding]:
    """Static findings for a candidate's source; an empty list means nothing suspicious."""
    try:  # type comments are code too (TorchScript evaluates them); they are not always well placed
        tree = ast.parse(source, type_comments=True)
    except SyntaxError:
        tree = ast.parse(source)
    return _Scan(tree).run()


class _Scan(Names):
    def run(self) -> list[Finding]:
        self.found: dict = {}
        for n in ast.walk(self.tree):
            if isinstance(n, (ast.Import, ast.ImportFrom)):
                self._import(n)
            elif isinstance(n, ast.Attribute):
                self._attribute(n)
            elif isinstance(n, ast.Name):
                self._name(n)
            elif isinstance(n, ast.Call):
                self._call(n)
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name in HOOK_DUNDERS:
                self.add("introspection", f"defines `{n.name}`, a hook that torch or the interpreter calls "
                         "outside the candidate's own calls", n)
            elif isinstance(n, (ast.With, ast.AsyncWith)):
                self._with(n)
            elif isinstance(n, ast.Try) or type(n).__name__ == "TryStar":
                self._try(n)
            if isinstance(n, (ast.Constant, ast.BinOp, ast.JoinedStr, ast.Call, ast.Subscript)):
                self._string(n)
            if getattr(n, "type_comment", None):
                self._string(n, n.type_comment)
            self._device_use(n)
            self._targets(n)
        return list(self.found.values())

    def add(self, code, msg, node):
        f = Finding(code, msg, getattr(node, "lineno", 0))
        # One device finding per line: `if not x.is_cuda` is one branch, however many rules see it.
        self.found.setdefault((code, f.line) if code == "device_branch" else (code, f.line, msg), f)

    def _called(self, node):
        p = self.parent.get(node)
        return isinstance(p, ast.Call) and p.func is node

    def _outermost(self, node):
        p = self.parent.get(node)
        return not (isinstance(p, ast.Attribute) and p.value is node)

    # --------------------------------------------------------------------------- imports and library paths

    def _import(self, n):
        if isinstance(n, ast.Import):
            for a in n.names:
                self._import_path(a.name, n, f"imports `{a.name}`, which a kernel has no use for "
                                  f"(allowed: {', '.join(sorted(ALLOWED_IMPORTS - {'__future__'}))})")
            return
        mod = n.module or ""
        if n.level:
            return self.add("forbidden_import", f"imports from `{'.' * n.level}{mod}`, which a kernel has no use "
                            "for", n)
        if self._import_path(mod, n, f"imports from `{mod}`, which a kernel has no use for"):
            for a in n.names:
                if forbidden_attr(a.name) or a.name in ORDINARY or a.name in FORBIDDEN_CALLS:
                    self.add("forbidden_import", f"imports `{a.name}` from `{mod}`", n)
                else:
                    self._check_path(f"{mod}.{a.name}", n, importing=True)

    def _import_path(self, name, n, msg):
        parts = name.split(".")
        if parts[0] not in ALLOWED_IMPORTS or any(p in MODULES or p in WORD_MODULES or p in INTERNALS for p in parts):
            self.add("forbidden_import", msg, n)
            return False
        return self._check_path(name, n, importing=True)

    def _check_path(self, path, node, importing=False):
        """Findings for a use (or import) of a library path; True when it is fine."""
        path = path.replace("[...]", "")
        if path in ALLOWED_PATHS or (importing and any(a.startswith(path + ".") for a in ALLOWED_PATHS)):
            return True
        last = path.rsplit(".", 1)[-1]
        if (_under(path, DEVICE_NS) and last in DEVICE_PROBES) or path in ("torch.version.cuda", "torch.version.hip"):
            self.add("device_branch", f"asks which device it runs on (`{path}`)", node)
            return False
        for prefix, why in FORBIDDEN_PATHS.items():
            if _under(path, prefix):
                code = "forbidden_import" if importing else "forbidden_attribute"
                self.add(code, f"reaches `{path}` ({why}), which a kernel has no use for", node)
                return False
        return True

    # --------------------------------------------------------------------------- names, attributes, reflection

    def _attribute(self, n):
        a = n.attr
        if a.startswith("__") and a.endswith("__") and a not in ALLOWED_DUNDERS:
            self.add("introspection", f"reaches into `{a}`, a way around the judge", n)
        elif a in DEVICE_ATTRS:
            self.add("device_branch", f"reads `{_short(n)}`, which differs between a CPU and a GPU", n)
        elif forbidden_attr(a):
            self.add("forbidden_attribute", f"uses `{_dotted(n) or a}`, which reaches `{a}`", n)
        if self._outermost(n) and (p := self.path(n)):
            self._check_path(p, n)
            if p in GETTERS and not self._called(n):
                self.add("reflection", f"uses `{p}` as a value, so the names it reaches cannot be checked", n)

    def _name(self, n):
        if n.id in FORBIDDEN_CALLS:
            self.add("dynamic_code", f"uses `{n.id}`, which can run or rewrite code at run time", n)
        elif n.id.startswith("__") and n.id not in ALLOWED_DUNDERS:
            self.add("introspection", f"uses `{n.id}`", n)
        elif isinstance(n.ctx, ast.Load) and not self._called(n):
            if n.id in REFLECT:
                self.add("reflection", f"uses `{n.id}` as a value (an alias or a callback), so the attribute "
                         "names it reaches cannot be checked", n)
            elif self.alias.get(n.id) in GETTERS:
                self.add("reflection", f"uses `{self.alias[n.id]}` as a value, so the names it reaches cannot be "
                         "checked", n)
        if isinstance(n.ctx, ast.Load) and self._outermost(n) and n.id in self.alias:
            self._check_path(self.alias[n.id], n)

    def _attr_name(self, a, node, via):
        """A literal attribute name reached through getattr, attrgetter or methodcaller."""
        if a.startswith("__") and a.endswith("__") and a not in ALLOWED_DUNDERS:
            self.add("introspection", f"reaches into `{a}` through {via}", node)
        elif a in DEVICE_ATTRS:
            self.add("device_branch", f"reads `{a}` through {via}", node)
        elif forbidden_attr(a):
            self.add("forbidden_attribute", f"reaches `{a}` through {via}", node)

    def _call(self, n):
        f, fp = n.func, self.path(n.func)
        if (isinstance(f, ast.Attribute) and f.attr == "numpy") or fp == "torch.from_numpy":
            # .numpy() works on CPU tensors only: on a GPU this path raises, or runs somewhere else.
            self.add("device_branch", f"computes through NumPy (`{_short(f)}`), which only CPU tensors can take", n)
        if isinstance(f, ast.Name) and f.id in REFLECT and n.args:
            lit = _literal(n.args[1]) if len(n.args) >= 2 and not isinstance(n.args[0], ast.Starred) else None
            if lit is None:
                self.add("reflection", f"calls {f.id} with a computed attribute name, which can reach anything", n)
            else:
                self._attr_name(lit, n, f.id)
            obj = n.args[0]
            if f.id in ("setattr", "delattr") and (not (isinstance(obj, ast.Name) and obj.id in SELF)
                                                   or self.path(obj)):
                self.add("patching", f"calls {f.id} on something other than self", n)
            if f.id == "getattr" and self._outermost(n) and (p := self.path(n)):
                self._check_path(p, n)
        if fp in GETTERS:
            for a in (n.args if fp == "operator.attrgetter" else n.args[:1]):
                if (lit := _literal(a)) is None:
                    self.add("reflection", f"calls {fp} with a computed name, which can reach anything", n)
                for part in (lit.split(".") if lit and fp == "operator.attrgetter" else [lit] if lit else []):
                    self._attr_name(part, n, fp)
        if isinstance(f, ast.Attribute) and f.attr in ("format", "format_map"):
            template = n.args[0] if isinstance(f.value, ast.Name) and f.value.id == "str" and n.args else f.value
            if self.fold(template) is None:
                self.add("reflection", f"calls `{_short(f)}` on a template that is not a literal; format fields "
                         "read attributes (`{0.__globals__}`)", n)
        if isinstance(f, ast.Attribute) and f.attr in NAMED_CALLS and len(n.args) > NAMED_CALLS[f.attr] \
                and self.fold(n.args[NAMED_CALLS[f.attr]]) is None:
            self.add("reflection", f"calls `{_short(f)}` with a computed name (an FX graph reaches attributes and "
                     "methods by name)", n)
        if fp and _under(fp, "torch.library") and fp.rsplit(".", 1)[-1] in LIBRARY_REGISTRATIONS:
            self._library(n, fp)

    def _library(self, n, fp):
        """torch.library registrations: the candidate's own namespace only, never torch's."""
        arg = n.args[0] if n.args else next((k.value for k in n.keywords if k.arg in ("qualname", "ns", "op", "name")),
                                            None)
        if arg is None:
            return
        lit, ns = self.fold(arg), None
        if lit is not None:
            ns = lit.split("::")[0] if "::" in lit or fp.endswith(".Library") else None
        elif (p := self.path(arg)) and p.startswith("torch.ops.") and p.count(".") >= 2:
            ns = p.split(".")[2]
        elif not (isinstance(arg, ast.Name) and arg.id in self.defs):  # a custom op defined here is fine
            return self.add("dispatch_override", f"registers on `{_short(arg)}` through {fp}, an operator the scan "
                            "cannot name (a torch operator would change what every caller computes)", n)
        if ns is not None and (ns in TORCH_NAMESPACES or ns.startswith("_")):
            self.add("dispatch_override", f"registers on `{lit or _short(arg)}` through {fp}: a kernel on a torch "
                     "operator changes what every caller computes, the judge's own reads included", n)

    # --------------------------------------------------------------------------- strings

    def _string(self, n, s=None):
        if id(n) in self.quiet or (isinstance(n, ast.Constant) and not isinstance(n.value, (str, bytes))):
            return
        s = self.fold(n) if s is None else s
        if s is None:
            return
        for tok in sorted(set(TOKEN.findall(s))):
            if tok in DEVICE_TOKENS:
                self.add("device_branch", f"names `{tok}`, which tells the interpreter from a GPU", n)
            elif forbidden_token(tok):
                self.add("forbidden_string", f"has the string {_short(s)}, which names `{tok}`", n)
        paths = [m.group().split(".") for m in DOTTED.finditer(s)]
        bad = [p for parts in paths for i, p in enumerate(parts) if p in WORD_MODULES and (i == 0 or p not in ORDINARY)]
        bad += [s.strip()] if s.strip() in WORD_MODULES and s.strip() not in ORDINARY else []
        if bad:
            self.add("forbidden_string", f"has the string {_short(s)}, which names `{bad[0]}`", n)

    # --------------------------------------------------------------------------- rebinding library code

    def _targets(self, n):
        for t in _flatten(_binding_targets(n)):
            if not isinstance(t, (ast.Attribute, ast.Subscript)):
                continue
            path = self.path(t.value)  # the object whose attribute or item is rebound
            if path := path and (f"{path}.{t.attr}" if isinstance(t, ast.Attribute) else f"{path}[...]"):
                flag = path.startswith(FLAG_PREFIXES) and isinstance(getattr(n, "value", None), ast.Constant) \
                    and isinstance(n, (ast.Assign, ast.AnnAssign))
                if not flag:
                    self.add("patching", f"assigns to `{path}`, replacing library code", n)
            elif isinstance(t, ast.Attribute):
                root = _root(t)
                if not isinstance(root, ast.Name):
                    self.add("patching", f"assigns to `{_short(t)}`, an attribute of a computed object "
                             "(it may be library code)", n)
                elif root.id in self.params(n):
                    self.add("patching", f"assigns to `{_short(t)}`, an attribute of the parameter `{root.id}` "
                             "(it may be a library object)", n)

    def _with(self, n):
        # A generator suspended inside `with` keeps the context (a torch-function mode, a default device)
        # active after the call returns, in code the candidate does not own.
        if any(isinstance(s, (ast.Yield, ast.YieldFrom)) for s in _walk_local(n.body)):
            self.add("context_escape", f"yields inside `with {_short(n.items[0].context_expr)}`, which stays "
                     "active after the call returns", n)

    # --------------------------------------------------------------------------- device branches

    def _try(self, n):
        if not n.handlers or all(all(isinstance(s, ast.Raise) for s in h.body) for h in n.handlers):
            return
        for s in _walk_local(n.body):
            if isinstance(s, ast.Call) and (
                    isinstance(s.func, ast.Subscript) or _under(self.path(s.func) or "", "torch.cuda")
                    or (isinstance(s.func, ast.Attribute) and s.func.attr == "cuda")
                    or any(self.device_literal(a) for a in [*s.args, *(k.value for k in s.keywords)])):
                self.add("device_branch", f"catches errors around `{_short(s)}`: where the kernel fails (it may on "
                         "one device only) the fallback is what runs", n)
                return

    def _device_use(self, n):
        tests = []
        if isinstance(n, ast.Compare):
            ops = [n.left, *n.comparators]
            if any(self.device_literal(o) for o in ops) or \
                    (any(self.is_device(o) for o in ops) and not all(self.plain_device(o) for o in ops)):
                return self.add("device_branch", f"branches on the device (`{_short(n)}`)", n)
        elif isinstance(n, (ast.If, ast.While, ast.IfExp, ast.Assert)):
            tests = [n.test]
        elif isinstance(n, ast.BoolOp):
            tests = n.values
        elif isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not):
            tests = [n.operand]
        elif isinstance(n, ast.comprehension):
            tests = n.ifs
        elif isinstance(n, ast.Match):
            tests = [n.subject]
        elif isinstance(n, ast.Subscript) and not self.plain_device(n.slice):
            tests = [n.slice]
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in STR_TESTS:
            tests = [x for x in (n.func.value, *n.args) if not self.plain_device(x)]
            if n.func.attr != "get" and any(self.device_literal(a) for a in n.args):
                return self.add("device_branch", f"branches on the device (`{_short(n)}`)", n)
        elif isinstance(n, ast.Call) and _under(self.path(n.func) or "", "operator"):  # operator.eq(x.device.type, ...)
            tests = [a for a in n.args if not self.plain_device(a)]
        for t in tests:
            if not isinstance(t, ast.Compare) and self.is_device(t):
                return self.add("device_branch", f"branches on the device (`{_short(t)}`)", n)
