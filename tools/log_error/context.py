"""Where in the solution an error happened: the AST nodes around the failing line and its function."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .pyparse import parse

# Leaves and bookkeeping nodes say nothing about the shape of the code around a mistake.
_SKIPPED = (ast.Name, ast.Constant, ast.arg, ast.keyword, ast.alias, ast.expr_context, ast.Module)


@dataclass(frozen=True, slots=True)
class LineContext:
    node_types: list[str] = field(default_factory=list)
    """Node types spanning the line, outermost first, without repeats in a row."""
    function: str | None = None
    """Name of the innermost function (or class) containing the line."""


def line_context(code: str, line: int, *, limit: int = 12) -> LineContext:
    """The context of `line` in `code`; empty when the code does not parse or the line is not in it."""
    try:
        tree = parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return LineContext()
    types: list[str] = []
    function: str | None = None
    stack: list[ast.AST] = [tree]
    # Depth-first, pre-order, over nodes whose line span includes `line`.
    while stack:
        node = stack.pop()
        start = getattr(node, "lineno", None)
        if start is not None:
            end = getattr(node, "end_lineno", None) or start
            if not start <= line <= end:
                continue
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
                function = getattr(node, "name", function)
            name = type(node).__name__
            if not isinstance(node, _SKIPPED) and (not types or types[-1] != name) and len(types) < limit:
                types.append(name)
        elif isinstance(node, ast.expr_context | ast.operator | ast.cmpop | ast.unaryop | ast.boolop):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return LineContext(node_types=types, function=function)
