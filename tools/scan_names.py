"""What a candidate's names and expressions hold, for the static scan (`kopt.tools.scan`).

Flow- and scope-insensitive on purpose: a name that is ever bound to a library object (directly, through
an alias, a container, a default argument, a loop, a local function's return or a direct call's argument)
counts as that object everywhere. That over-approximates, which for a filter is the safe direction.
"""
from __future__ import annotations

import ast
import re

from kopt.tools.scan_rules import (
    BUILTIN_PASS, DEVICE_ATTRS, DEVICE_NS, DEVICE_QUERY, ELEMENT_METHODS, PASS_THROUGH, SELF, STORE_METHODS,
)

GETTERS = ("operator.attrgetter", "operator.methodcaller")
# Builtins whose result still says which device a value was on (`len(str(x.device))`).
DEVICE_BUILTINS = {"str", "repr", "format", "hash", "int", "bool", "len", "ord", "list", "tuple", "sorted", "min",
                   "max", "set", "frozenset"}
DEVICE_LITERAL = re.compile(r"(cuda|cpu|meta|mps|xpu|hip)(:\d+)?|.*cuda.*")
FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id] + parts[::-1]) if isinstance(node, ast.Name) else None


def _root(node):
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node


def _literal(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _int(node):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = _int(node.operand)
        return None if v is None else -v
    return node.value if isinstance(node, ast.Constant) and type(node.value) is int else None


def _under(path, prefixes):
    return any(path == p or path.startswith(p + ".") for p in ((prefixes,) if isinstance(prefixes, str) else prefixes))


def _short(node):
    text = ast.unparse(node) if isinstance(node, ast.AST) else repr(node)
    return text if len(text) <= 60 else text[:57] + "..."


def _binding_targets(node):
    if isinstance(node, (ast.Assign, ast.Delete)):
        return node.targets
    if isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.comprehension)):
        return [node.target]
    if isinstance(node, ast.withitem) and node.optional_vars is not None:
        return [node.optional_vars]
    return []


def _flatten(targets):
    for t in targets:
        if isinstance(t, (ast.Tuple, ast.List)):
            yield from _flatten(t.elts)
        else:
            yield t.value if isinstance(t, ast.Starred) else t


def _walk_local(nodes):
    """Like ast.walk over statements, without entering nested functions and classes."""
    todo = list(nodes)
    while todo:
        node = todo.pop()
        yield node
        todo.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, (*FUNCS, ast.ClassDef)))


def _device_query(path):
    return bool(path) and _under(path, DEVICE_NS) and bool(DEVICE_QUERY.match(path.rsplit(".", 1)[-1]))


_STR_METHODS = {m: getattr(str, m) for m in ("lower", "upper", "strip", "lstrip", "rstrip", "title", "capitalize",
                                             "swapcase", "casefold")}


class Names:
    """Aliases, string constants and device values of one module's source."""

    def __init__(self, tree):
        self.tree = tree
        self.parent = {c: n for n in ast.walk(tree) for c in ast.iter_child_nodes(n)}
        self.quiet: set[int] = set()         # string constants nothing can read: docstrings, the main guard
        self.alias: dict[str, str] = {}      # dotted name -> the library path it holds
        self.consts: dict[str, str] = {}     # names bound once, to a string built from constants
        self.dev: dict[str, bool] = {}       # dotted name -> holds a device value (True: a plain `x.device`)
        self.returns: dict[str, str] = {}    # local function -> library path one of its returns resolves to
        self.defs: dict[str, ast.AST] = {}
        self.classes: set[str] = set()
        self._prepare()

    def _prepare(self):
        stores: dict[str, int] = {}
        for n in ast.walk(self.tree):
            value = n.value if isinstance(n, ast.Expr) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, (str, bytes)):
                self.quiet.add(id(value))  # a docstring or a bare string statement: no name holds it
            elif (isinstance(n, ast.Compare) and isinstance(n.left, ast.Name) and n.left.id == "__name__"
                  and len(n.comparators) == 1 and _literal(n.comparators[0]) == "__main__"):
                self.quiet.add(id(n.comparators[0]))
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.defs.setdefault(n.name, n)
            elif isinstance(n, ast.ClassDef):
                self.classes.add(n.name)
            elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                stores[n.id] = stores.get(n.id, 0) + 1
            elif isinstance(n, ast.Import):
                for a in n.names:
                    self.alias[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(n, ast.ImportFrom) and not n.level:
                for a in n.names:
                    self.alias[a.asname or a.name] = f"{n.module}.{a.name}"
        for _ in range(4):  # aliases of aliases, through functions and back: a few rounds reach a fixpoint
            for n in ast.walk(self.tree):
                self._learn(n, stores)

    def _learn(self, n, stores):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                self._bind(t, n.value, n)
            t = n.targets[0]
            if len(n.targets) == 1 and isinstance(t, ast.Name) and stores.get(t.id) == 1:
                s = self.fold(n.value)
                if s is not None:
                    self.consts[t.id] = s
        elif isinstance(n, (ast.AnnAssign, ast.NamedExpr, ast.AugAssign)) and n.value is not None:
            self._bind(n.target, n.value, n)
        elif isinstance(n, (ast.For, ast.AsyncFor, ast.comprehension)):
            self._bind(n.target, n.iter, n)  # a container's path stands for its elements
        elif isinstance(n, FUNCS):
            a = n.args
            pos = a.posonlyargs + a.args
            for p, d in [*zip(pos[len(pos) - len(a.defaults):], a.defaults), *zip(a.kwonlyargs, a.kw_defaults)]:
                if d is not None:
                    self._bind_name(p.arg, d)
        elif isinstance(n, (ast.Return, ast.Yield, ast.YieldFrom)) and n.value is not None:
            fn, p = self._enclosing(n), self.path(n.value)
            if p and fn is not None and not isinstance(fn, ast.Lambda):
                self.returns.setdefault(fn.name, p)
        elif isinstance(n, ast.Match) and (p := self.path(n.subject)):
            for sub in ast.walk(n):
                if isinstance(sub, (ast.MatchAs, ast.MatchStar)) and sub.name:
                    self.alias.setdefault(sub.name, p)
        elif isinstance(n, ast.Call):
            self._learn_call(n)

    def _learn_call(self, n):
        f, args = n.func, n.args
        if isinstance(f, ast.Name) and f.id == "setattr" and len(args) == 3 and _literal(args[1]):
            if (obj := _dotted(args[0])) is not None:
                self._bind_name(f"{obj}.{args[1].value}", args[2])
        if isinstance(f, ast.Attribute) and f.attr in STORE_METHODS and (obj := _dotted(f.value)) is not None:
            for a in [*args, *(k.value for k in n.keywords)]:
                self._bind_name(obj, a)
        # A direct call of a local function: its parameters hold what is passed (also via partial and map).
        target, shift = None, 0
        if (self.path(f) == "functools.partial" or (isinstance(f, ast.Name) and f.id == "map")) and args \
                and isinstance(args[0], ast.Name):
            target, args = self.defs.get(args[0].id), args[1:]
        elif isinstance(f, ast.Name):
            target = self.defs.get(f.id)
        elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in SELF:
            target, shift = self.defs.get(f.attr), 1
        elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in self.classes:
            target, shift = self.defs.get(f.attr), -1  # Class.method(obj): obj is the method's self
        if target is not None:
            params = [p.arg for p in target.args.posonlyargs + target.args.args]
            shift = 0 if shift == -1 or not (params[:1] and params[0] in SELF) else shift
            for p, a in zip(params[shift:], args):
                self._bind_name(p, a)
            for k in n.keywords:
                if k.arg:
                    self._bind_name(k.arg, k.value)

    def _bind(self, target, value, node):
        if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)) \
                and len(target.elts) == len(value.elts):
            for t, v in zip(target.elts, value.elts):
                self._bind(t, v, node)
        elif isinstance(target, (ast.Tuple, ast.List, ast.Starred)):
            for t in _flatten([target]):
                self._bind(t, value, node)
        elif (name := _dotted(target)) is not None:
            self._bind_name(name, value)
            cls = self.parent.get(node)
            if isinstance(cls, ast.ClassDef) and isinstance(target, ast.Name):  # class attributes, seen via self
                self._bind_name(f"{cls.name}.{name}", value)
                self._bind_name(f"self.{name}", value)

    def _bind_name(self, name, value):
        if (p := self.path(value)) is not None:
            self.alias.setdefault(name, p)
        if self.is_device(value):
            self.dev.setdefault(name, self.plain_device(value))

    def _enclosing(self, node):
        while (node := self.parent.get(node)) is not None and not isinstance(node, FUNCS):
            pass
        return node

    def params(self, node):
        names = set()
        while (node := self._enclosing(node)) is not None:
            a = node.args
            names |= {p.arg for p in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg] if p}
        return names - SELF

    def path(self, node, depth=0):
        """The library path an expression's value is (or holds), e.g. `torch.nn.functional.relu`; else None."""
        if depth > 12 or node is None:
            return None
        if isinstance(node, (ast.Name, ast.Attribute)) and (d := _dotted(node)) in self.alias:
            return self.alias[d]
        if isinstance(node, ast.Attribute):
            p = self.path(node.value, depth + 1)
            return f"{p}.{node.attr}" if p else None
        if isinstance(node, ast.Subscript):
            p = self.path(node.value, depth + 1)
            return f"{p}[...]" if p else None
        if isinstance(node, ast.Call):
            return self._call_path(node, depth + 1)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.GeneratorExp,
                             ast.DictComp, ast.IfExp, ast.BoolOp, ast.NamedExpr, ast.Starred, ast.Await)):
            kids = node.values if isinstance(node, ast.Dict) else ast.iter_child_nodes(node)
            for kid in kids:
                if not isinstance(kid, (ast.comprehension, ast.expr_context)) and (p := self.path(kid, depth + 1)):
                    return p
        return None

    def _call_path(self, node, depth):
        f, args = node.func, [*node.args, *(k.value for k in node.keywords)]
        if isinstance(f, ast.Name) and f.id == "type" and len(node.args) == 1:
            return "type(...)"  # the class of a tensor is torch.Tensor
        if isinstance(f, ast.Name) and f.id == "getattr" and len(node.args) >= 2 and _literal(node.args[1]):
            p = self.path(node.args[0], depth)
            return f"{p}.{node.args[1].value}" if p else None
        if isinstance(f, ast.Lambda):
            return self.path(f.body, depth)
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
        on_self = isinstance(_root(f), ast.Name) and _root(f).id in SELF
        if name in self.returns and (isinstance(f, ast.Name) or on_self):
            return self.returns[name]
        if isinstance(f, ast.Attribute) and f.attr in ELEMENT_METHODS and (p := self.path(f.value, depth)):
            return p
        inner = self.path(f.func if isinstance(f, ast.Call) else f, depth)
        if inner is not None and inner.startswith("type(...)"):  # type(x).mro()[0] is still a class
            return inner
        builtin = isinstance(f, ast.Name) and f.id not in self.defs and f.id not in self.alias
        passes = (builtin and f.id in BUILTIN_PASS) \
            or (inner is not None and _under(inner, PASS_THROUGH))
        return next((p for a in args if (p := self.path(a, depth))), None) if passes else None

    def fold(self, node, depth=0):
        """The string an expression built only from constants evaluates to; else None."""
        if depth > 20:
            return None
        if isinstance(node, ast.Constant):
            v = node.value
            return v if isinstance(v, str) else v.decode("latin-1") if isinstance(v, bytes) else None
        if isinstance(node, ast.Name):
            return self.consts.get(node.id)
        if isinstance(node, ast.JoinedStr):
            parts = [self.fold(v.value if isinstance(v, ast.FormattedValue) else v, depth + 1) for v in node.values]
            return None if None in parts else "".join(parts)
        if isinstance(node, ast.BinOp):
            a, b = self.fold(node.left, depth + 1), self.fold(node.right, depth + 1)
            if isinstance(node.op, ast.Add) and a is not None and b is not None:
                return (a + b)[:10000]
            if isinstance(node.op, ast.Mult) and (a is None) != (b is None):
                n = _int(node.right if a is not None else node.left)
                return None if n is None else ((a if a is not None else b) * min(max(n, 0), 100))[:10000]
            if isinstance(node.op, ast.Mod) and a is not None:
                vals = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
                vals = [self.fold(v, depth + 1) for v in vals]
                try:
                    return None if None in vals else a % tuple(vals)
                except (TypeError, ValueError):
                    return None
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) \
                and (s := self.fold(node.value, depth + 1)) is not None:
            bounds = [None if b is None else _int(b) for b in (node.slice.lower, node.slice.upper, node.slice.step)]
            given = [b for b in (node.slice.lower, node.slice.upper, node.slice.step) if b is not None]
            if len([b for b in bounds if b is not None]) == len(given) and bounds[2] != 0:
                return s[slice(*bounds)]
        if isinstance(node, ast.Call):
            f, args = node.func, node.args
            if isinstance(f, ast.Attribute) and (s := self.fold(f.value, depth + 1)) is not None:
                if f.attr == "join" and len(args) == 1 and isinstance(args[0], (ast.List, ast.Tuple)):
                    parts = [self.fold(e, depth + 1) for e in args[0].elts]
                    return None if None in parts else s.join(parts)
                if f.attr in _STR_METHODS and not args:
                    return _STR_METHODS[f.attr](s)
                if f.attr in ("decode", "encode") and not args:
                    return s
                if f.attr == "replace" and len(args) == 2:
                    a, b = self.fold(args[0], depth + 1), self.fold(args[1], depth + 1)
                    return None if a is None or b is None else s.replace(a, b)[:10000]
            if isinstance(f, ast.Name) and len(args) == 1:
                if f.id == "str":
                    return self.fold(args[0], depth + 1)
                if f.id == "chr" and (i := _int(args[0])) is not None and 0 <= i < 0x110000:
                    return chr(i)
                if f.id in ("bytes", "bytearray") and isinstance(args[0], (ast.List, ast.Tuple)):
                    ints = [_int(e) for e in args[0].elts]
                    ok = None not in ints and all(0 <= i < 256 for i in ints)
                    return bytes(ints).decode("latin-1") if ok else None
        return None

    def is_device(self, node, depth=0):
        """True when an expression's value depends on the device the code runs on."""
        if depth > 12:
            return False
        if isinstance(node, (ast.Name, ast.Attribute)):
            if _dotted(node) in self.dev:
                return True
            if (p := self.path(node)) is not None:  # a library object: only a device query counts
                return _device_query(p)
            return isinstance(node, ast.Attribute) and (node.attr in DEVICE_ATTRS or node.attr == "device"
                                                         or self.is_device(node.value, depth + 1))
        if isinstance(node, ast.Call):
            f = node.func
            if (p := self.path(f)) is not None:
                return _device_query(p)
            if isinstance(f, ast.Attribute):  # x.get_device(); x.type() names the device ("torch.cuda.FloatTensor")
                return f.attr == "get_device" or (f.attr == "type" and not node.args and not node.keywords) \
                    or self.is_device(f.value, depth + 1)
            if isinstance(f, ast.Name) and f.id in ("getattr", "hasattr") and len(node.args) >= 2:
                lit = _literal(node.args[1])
                return lit in DEVICE_ATTRS or lit == "device" or self.is_device(node.args[0], depth + 1)
            if isinstance(f, ast.Call) and self.path(f.func) in GETTERS:
                names = {p for a in f.args if (lit := _literal(a)) for p in lit.split(".")}
                return bool(names & (DEVICE_ATTRS | {"device", "get_device"}))
            return isinstance(f, ast.Name) and f.id in DEVICE_BUILTINS \
                and any(self.is_device(a, depth + 1) for a in node.args)
        if isinstance(node, ast.JoinedStr):
            return any(isinstance(v, ast.FormattedValue) and self.is_device(v.value, depth + 1) for v in node.values)
        kids = {ast.Subscript: ("value",), ast.BinOp: ("left", "right"), ast.UnaryOp: ("operand",),
                ast.BoolOp: ("values",), ast.Tuple: ("elts",), ast.List: ("elts",), ast.Set: ("elts",),
                ast.Dict: ("values",), ast.IfExp: ("body", "orelse")}.get(type(node), ())
        subs = [getattr(node, k) for k in kids]
        subs = [x for v in subs for x in (v if isinstance(v, list) else [v])]
        return any(self.is_device(s, depth + 1) for s in subs)

    def device_literal(self, node):
        """A string constant naming a device type ("cuda", "cpu:0"), the other side of a device test."""
        return (s := _literal(node)) is not None and DEVICE_LITERAL.fullmatch(s) is not None

    def plain_device(self, node, depth=0):
        """A device used as it is: `x.device`, `str(x.device)`, or a cache key of them and other values.

        Comparing two tensors' devices, or keying a cache by (shape, dtype, device), does the same thing on
        every device: no branch. Naming a device type ("cuda", `x.device.type`) is what makes one.
        """
        if isinstance(node, ast.Attribute) and node.attr == "device":
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("str", "repr", "hash") \
                and len(node.args) == 1:
            return self.plain_device(node.args[0], depth + 1)
        if isinstance(node, (ast.Tuple, ast.List)) and depth < 4:
            devs = [e for e in node.elts if self.is_device(e)]
            return bool(devs) and all(self.plain_device(e, depth + 1) for e in devs)
        return self.dev.get(_dotted(node) if isinstance(node, (ast.Name, ast.Attribute)) else None) is True
