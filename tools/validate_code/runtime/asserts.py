"""Rewriting the tests' assert statements so a failure reports its operands, as pytest does.

``assert f(x) == 5, msg`` becomes::

    _rt_l = f(x)
    _rt_r = 5
    if not _rt_cmp('==', _rt_l, _rt_r):
        _rt_fail(7, _rt_l, _rt_r, msg)

Operands are evaluated once, in the same order as Python would, and the message only on failure.
Chained comparisons keep their lazy evaluation and report no operands.

An ``==`` between an object of the solution's and a value of the test's is also tried against a
probe: the test's value with every leaf replaced by a random value of the same type (another
number, another string; dict keys stay). No honest value equals that, so an object that says it
does answers yes to anything, or to anything of a type, and the assert fails instead of passing.
The probe goes first or second at random, so an object that says yes only to the first value it
meets is caught as often as not, and every further assert raises the odds.
"""

from __future__ import annotations

import ast
import io
import math
import operator
import secrets

from .proxy import Remote, remote_type_name

NOVALUE = object()

_OPS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}
COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "is": operator.is_,
    "is not": operator.is_not,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
}
_LITERAL_CALLS = {
    "set",
    "frozenset",
    "list",
    "tuple",
    "dict",
    "approx",
    "float",
    "int",
    "str",
    "bytes",
    "range",
    "Fraction",
    "Decimal",
}


def is_literalish(node: ast.AST) -> bool:
    """True for expressions that read as an expected value (``5``, ``[1, 2]``, ``-3.0``, ``approx(1.5)``)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return is_literalish(node.operand)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(is_literalish(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and is_literalish(k) for k in node.keys) and all(
            is_literalish(v) for v in node.values
        )
    if isinstance(node, ast.Name):
        return node.id.lower() in ("expected", "want", "wanted", "expect")
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        return name in _LITERAL_CALLS and all(is_literalish(a) for a in node.args)
    return False


def source_segment(lines: list[str], node: ast.stmt) -> str | None:
    """`ast.get_source_segment` on source already split into lines (ends kept); offsets are UTF-8 bytes."""
    if node.end_lineno is None or node.end_col_offset is None or node.end_lineno > len(lines):
        return None
    first, last = node.lineno - 1, node.end_lineno - 1
    if first == last:
        return lines[first].encode()[node.col_offset : node.end_col_offset].decode()
    head = lines[first].encode()[node.col_offset :].decode()
    tail = lines[last].encode()[: node.end_col_offset].decode()
    return "".join([head, *lines[first + 1 : last], tail])


class AssertRewriter(ast.NodeTransformer):
    """Rewrites every assert in a module; `asserts` maps each assert id to what a report needs."""

    def __init__(self, source: str) -> None:
        # Split once: `ast.get_source_segment` splits the whole source again for every assert,
        # which made thousands of asserts in one file quadratic.
        self.lines = io.StringIO(source, newline="").readlines()
        self.asserts: dict[int, dict] = {}

    def visit_Assert(self, node: ast.Assert) -> list[ast.stmt]:
        aid = len(self.asserts) + 1
        segment = source_segment(self.lines, node) or ast.unparse(node)
        info = {"line": node.lineno, "source": segment[:500], "op": None, "swap": False}
        self.asserts[aid] = info
        test, msg = node.test, node.msg if node.msg is not None else ast.Constant(None)
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            op = _OPS[type(test.ops[0])]
            info["op"] = op
            info["swap"] = is_literalish(test.left) and not is_literalish(test.comparators[0])
            body = [
                _assign("_rt_l", test.left),
                _assign("_rt_r", test.comparators[0]),
                ast.If(
                    test=ast.UnaryOp(
                        ast.Not(), _call("_rt_cmp", ast.Constant(op), _name("_rt_l"), _name("_rt_r"))
                    ),
                    body=[
                        ast.Expr(_call("_rt_fail", ast.Constant(aid), _name("_rt_l"), _name("_rt_r"), msg))
                    ],
                    orelse=[],
                ),
            ]
        elif isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            info["op"] = "not"
            body = [
                _assign("_rt_l", test.operand),
                ast.If(
                    test=_name("_rt_l"),
                    body=[ast.Expr(_call("_rt_fail", ast.Constant(aid), _name("_rt_l"), _novalue(), msg))],
                    orelse=[],
                ),
            ]
        elif isinstance(test, ast.Compare):
            info["op"] = "chain"
            body = [
                ast.If(
                    test=ast.UnaryOp(ast.Not(), test),
                    body=[ast.Expr(_call("_rt_fail", ast.Constant(aid), _novalue(), _novalue(), msg))],
                    orelse=[],
                )
            ]
        else:
            info["op"] = "truth"
            body = [
                _assign("_rt_l", test),
                ast.If(
                    test=ast.UnaryOp(ast.Not(), _name("_rt_l")),
                    body=[ast.Expr(_call("_rt_fail", ast.Constant(aid), _name("_rt_l"), _novalue(), msg))],
                    orelse=[],
                ),
            ]
        return [_located(stmt, node) for stmt in body]


def _located(stmt: ast.stmt, origin: ast.stmt) -> ast.stmt:
    """Give generated nodes the assert's position so tracebacks point at the assert line."""
    for child in ast.walk(stmt):
        if isinstance(child, (ast.expr, ast.stmt)) and getattr(child, "lineno", None) is None:
            ast.copy_location(child, origin)
    return stmt


def _name(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Load())


def _novalue() -> ast.Name:
    return _name("_rt_novalue")


def _assign(name: str, value: ast.expr) -> ast.Assign:
    return ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=value)


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=_name(name), args=list(args), keywords=[])


class AssertionHelpers:
    """The functions the rewritten asserts call; installed in the tests' globals."""

    def __init__(self, asserts: dict[int, dict]) -> None:
        self.asserts = asserts
        # The last `==` overruled by a probe, for `fail`: (the solution's type, the probe it also equalled).
        self._refuted: tuple[str, object] | None = None

    def globals(self) -> dict:
        return {"_rt_cmp": self.compare, "_rt_fail": self.fail, "_rt_novalue": NOVALUE}

    def compare(self, op: str, left, right) -> bool:
        self._refuted = None
        if op != "==":
            return bool(COMPARE[op](left, right))
        # Two plain values cannot lie, and two of the solution's leave no honest side to probe with.
        in_left, in_right = _remote_in(left), _remote_in(right)
        if (in_left is None) == (in_right is None):
            return bool(left == right)
        suspect = in_left if in_left is not None else in_right
        if secrets.randbits(1):
            self._refuted = _equal_to_probe(left, right, suspect, left_is_solutions=in_left is not None)
            held = bool(left == right)
        else:
            held = bool(left == right)
            if held:
                self._refuted = _equal_to_probe(left, right, suspect, left_is_solutions=in_left is not None)
        return held and self._refuted is None

    def fail(self, aid: int, left, right, msg) -> None:
        info = self.asserts[aid]
        exc = AssertionError(str(msg) if msg is not None else info["source"])
        exc._rt_assert = (aid, left, right)
        exc._rt_refuted, self._refuted = self._refuted, None
        raise exc


# How much of a value is searched for the solution's objects, or copied into a probe; past this,
# an equality is taken as it is.
_PROBE_NODES = 10_000


def _equal_to_probe(left, right, suspect: Remote, *, left_is_solutions: bool) -> tuple[str, object] | None:
    """(the suspect's type, the probe) when the solution's side of ``left == right`` also equals a probe."""
    expected, actual = (right, left) if left_is_solutions else (left, right)
    try:
        probe = _probe(expected, actual, [_PROBE_NODES])
    except (RecursionError, OverflowError, ValueError):  # too deep or odd a value to copy: take == as it is
        return None
    if probe is _NO_PROBE:
        return None
    try:
        fooled = bool(left == probe) if left_is_solutions else bool(probe == right)
    except Exception:  # an object that refuses to compare with the probe is not equal to everything
        return None
    return (remote_type_name(suspect), probe) if fooled else None


_NO_PROBE = object()


def _probe(expected, actual, budget: list[int]):
    """`expected` with each part that meets an object of the solution's in `actual` replaced by another
    value of its type; parts that meet plain values stay, so they still compare equal. _NO_PROBE when
    nothing was replaced or the value is too large to walk."""
    budget[0] -= 1
    if budget[0] < 0:
        return _NO_PROBE
    if isinstance(actual, Remote):
        return _replaced(expected, budget)
    kind = type(expected)
    if kind in (list, tuple) and type(actual) is kind and len(actual) == len(expected):
        parts = [_probe(e, a, budget) for e, a in zip(expected, actual, strict=True)]
        if all(part is _NO_PROBE for part in parts) or budget[0] < 0:
            return _NO_PROBE
        return kind(e if part is _NO_PROBE else part for e, part in zip(expected, parts, strict=True))
    if kind is dict and type(actual) is dict and actual.keys() == expected.keys():
        parts = {key: _probe(value, actual[key], budget) for key, value in expected.items()}
        if all(part is _NO_PROBE for part in parts.values()) or budget[0] < 0:
            return _NO_PROBE
        return {key: expected[key] if part is _NO_PROBE else part for key, part in parts.items()}
    if kind in (set, frozenset) and _remote_in(actual) is not None:
        return kind(_fresh_text() for _ in expected)
    return _NO_PROBE


def _replaced(value, budget: list[int]):
    """`value` with every leaf replaced by another of its type (dict keys kept); _NO_PROBE past the budget."""
    budget[0] -= 1
    if budget[0] < 0:
        return _NO_PROBE
    kind = type(value)
    if kind in (list, tuple, dict, set, frozenset) and not value:
        # Nothing inside to replace: an empty container's probe is one holding something.
        return {_fresh_text(): _fresh_text()} if kind is dict else kind([_fresh_text()])
    if kind in (list, tuple):
        items = [_replaced(item, budget) for item in value]
        return _NO_PROBE if any(item is _NO_PROBE for item in items) else kind(items)
    if kind is dict:
        values = {key: _replaced(item, budget) for key, item in value.items()}
        return _NO_PROBE if any(v is _NO_PROBE for v in values.values()) else values
    if kind in (set, frozenset):
        return kind(_fresh_text() for _ in value)
    return _other(value)


def _other(value):
    """A value of `value`'s type that no honest object equal to `value` can also equal."""
    kind = type(value)
    if kind is bool:
        return not value
    if kind is int:
        return value + 1 + secrets.randbelow(1 << 40)
    if kind is float:
        if not math.isfinite(value):
            return float(secrets.randbelow(1 << 20))
        return value + 1.0 + abs(value) + secrets.randbelow(1 << 20)  # far beyond any tolerance
    if kind is complex:
        return complex(_other(value.real), _other(value.imag))
    if kind is bytes:
        return secrets.token_bytes(12) + value[:4]
    return _fresh_text()  # str, None and everything else


def _fresh_text() -> str:
    return secrets.token_urlsafe(12)


def _remote_in(value) -> Remote | None:
    """`value`, or the first object of the solution's within its first `_PROBE_NODES` values, or None.

    Tested with ``is None`` only: a proxy's truth value is a call into the solution."""
    stack, seen = [value], 0
    while stack and seen < _PROBE_NODES:
        item = stack.pop()
        seen += 1
        if isinstance(item, Remote):
            return item
        kind = type(item)
        if kind in (list, tuple, set, frozenset):
            stack.extend(item)
        elif kind is dict:
            stack.extend(item.keys())
            stack.extend(item.values())
    return None
