"""Rewriting the tests' assert statements so a failure reports its operands, as pytest does.

``assert f(x) == 5, msg`` becomes::

    _rt_l = f(x)
    _rt_r = 5
    if not _rt_cmp('==', _rt_l, _rt_r):
        _rt_fail(7, _rt_l, _rt_r, msg)

Operands are evaluated once, in the same order as Python would, and the message only on failure.
Chained comparisons keep their lazy evaluation and report no operands.
"""

from __future__ import annotations

import ast
import io
import operator

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

    def globals(self) -> dict:
        return {"_rt_cmp": self.compare, "_rt_fail": self.fail, "_rt_novalue": NOVALUE}

    @staticmethod
    def compare(op: str, left, right) -> bool:
        return bool(COMPARE[op](left, right))

    def fail(self, aid: int, left, right, msg) -> None:
        info = self.asserts[aid]
        exc = AssertionError(str(msg) if msg is not None else info["source"])
        exc._rt_assert = (aid, left, right)
        raise exc
