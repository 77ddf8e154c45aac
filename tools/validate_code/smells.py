"""Accidental quadratic work, found in the AST (level 4 warnings, about 1 ms per module).

RMO201  membership test, ``.index()`` or ``.count()`` on a list inside a loop (use a set or dict)
RMO202  nested loops over the same sequence (every pair: O(n²))
RMO203  a string built with ``+=`` inside a loop (use a list and ``"".join``)
RMO204  ``.pop(0)`` or ``.insert(0, x)`` on a list inside a loop (use ``collections.deque``)

A name counts as a list (or a string) only when every assignment to it in its function makes
one, so a parameter or a value of unknown type is never flagged.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from .models import Finding

_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def smells(tree: ast.Module, code: str) -> list[Finding]:
    lines = code.splitlines()
    found: dict[tuple[str, int], Finding] = {}
    for scope in [
        tree,
        *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))),
    ]:
        lists, strings = _typed_names(scope)
        for code_, node, message in _scope_smells(scope, lists, strings):
            key = (code_, node.lineno)
            if key not in found:
                source = lines[node.lineno - 1].strip()[:300] if node.lineno <= len(lines) else None
                found[key] = Finding(
                    code=code_,
                    message=message,
                    line=node.lineno,
                    column=node.col_offset + 1,
                    severity="warning",
                    source_line=source,
                )
    return sorted(found.values(), key=lambda f: (f.line or 0, f.code))


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """Nodes of `scope` without descending into nested functions or classes."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _SCOPES):
            stack.extend(ast.iter_child_nodes(node))


def _typed_names(scope: ast.AST) -> tuple[set[str], set[str]]:
    kinds: dict[str, set[str]] = {}
    for node in _own_nodes(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and _leftmost_added(node.value) != target.id:
                    kinds.setdefault(target.id, set()).add(_kind(node.value))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            kinds.setdefault(node.target.id, set()).add(_kind(node.value))
        elif isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.target, ast.Name):
            kinds.setdefault(node.target.id, set()).add("other")
    lists = {name for name, k in kinds.items() if k == {"list"}}
    strings = {name for name, k in kinds.items() if k == {"str"}}
    return lists, strings


def _kind(value: ast.expr) -> str:
    if isinstance(value, (ast.List, ast.ListComp)):
        return "list"
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in ("list", "sorted")
    ):
        return "list"
    if (isinstance(value, ast.Constant) and isinstance(value.value, str)) or isinstance(value, ast.JoinedStr):
        return "str"
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "str":
        return "str"
    return "other"


def _scope_smells(scope: ast.AST, lists: set[str], strings: set[str]) -> Iterator[tuple[str, ast.AST, str]]:
    for loop in (n for n in _own_nodes(scope) if isinstance(n, _LOOPS)):
        body = _loop_body(loop)
        for node in (n for part in body for n in [part, *_own_nodes(part)]):
            yield from _in_loop(node, lists, strings)
        if isinstance(loop, (ast.For, ast.AsyncFor)):
            key = _sequence_key(loop.iter)
            if key is not None:
                for inner in (n for part in loop.body for n in [part, *_own_nodes(part)]):
                    if isinstance(inner, (ast.For, ast.AsyncFor)) and _sequence_key(inner.iter) == key:
                        yield (
                            "RMO202",
                            inner,
                            f"Nested loops over the same sequence `{key}`: this visits every pair, O(n²). A dict or set lookup, sorting, or a single pass usually avoids it.",
                        )


def _loop_body(loop: ast.AST) -> list[ast.AST]:
    if isinstance(loop, (ast.For, ast.AsyncFor, ast.While)):
        return [*loop.body, *([loop.test] if isinstance(loop, ast.While) else [])]
    parts: list[ast.AST] = [loop.elt] if not isinstance(loop, ast.DictComp) else [loop.key, loop.value]
    for gen in loop.generators:
        parts.extend(gen.ifs)
    return parts


def _in_loop(node: ast.AST, lists: set[str], strings: set[str]) -> Iterator[tuple[str, ast.AST, str]]:
    if isinstance(node, ast.Compare):
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, ast.Name) and right.id in lists:
                yield (
                    "RMO201",
                    node,
                    f"`in` on the list `{right.id}` inside a loop scans the whole list each time (O(n²) overall); keep a set for membership tests.",
                )
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
    ):
        name, method = node.func.value.id, node.func.attr
        if name in lists and method in ("index", "count"):
            yield (
                "RMO201",
                node,
                f"`{name}.{method}()` inside a loop scans the list each time (O(n²) overall); keep a dict of positions or counts.",
            )
        elif name in lists and _is_front(method, node.args):
            yield (
                "RMO204",
                node,
                f"`{name}.{method}(0, ...)` shifts every element, O(n) per call inside a loop; use collections.deque (popleft/appendleft).",
            )
    elif (
        isinstance(node, ast.AugAssign)
        and isinstance(node.op, ast.Add)
        and isinstance(node.target, ast.Name)
        and node.target.id in strings
    ):
        yield (
            "RMO203",
            node,
            f"Building the string `{node.target.id}` with += inside a loop copies it each time (O(n²)); append pieces to a list and ''.join() it.",
        )
    elif (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id in strings
        and _leftmost_added(node.value) == node.targets[0].id
    ):
        yield (
            "RMO203",
            node,
            f"Building the string `{node.targets[0].id}` with + inside a loop copies it each time (O(n²)); append pieces to a list and ''.join() it.",
        )


def _leftmost_added(expr: ast.expr) -> str | None:
    """``s`` for ``s + a + b`` (which parses as ``(s + a) + b``)."""
    if not (isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add)):
        return None
    while isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        expr = expr.left
    return expr.id if isinstance(expr, ast.Name) else None


def _is_front(method: str, args: list[ast.expr]) -> bool:
    first = args[0] if args else None
    zero = isinstance(first, ast.Constant) and first.value == 0
    return (method == "pop" and zero and len(args) == 1) or (method == "insert" and zero and len(args) == 2)


def _sequence_key(expr: ast.expr) -> str | None:
    """`xs`, `range(len(xs))`, `range(i, len(xs))` and `enumerate(xs)` all iterate over `xs`."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
        if expr.func.id == "enumerate" and expr.args:
            return _sequence_key(expr.args[0])
        if expr.func.id == "range" and expr.args:
            last = expr.args[1] if len(expr.args) >= 2 else expr.args[0]
            if (
                isinstance(last, ast.Call)
                and isinstance(last.func, ast.Name)
                and last.func.id == "len"
                and len(last.args) == 1
            ):
                inner = last.args[0]
                return inner.id if isinstance(inner, ast.Name) else None
    return None
