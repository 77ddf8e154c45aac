"""`ast.parse` made safe to call from worker threads on CPython 3.11."""

from __future__ import annotations

import ast
from typing import Literal

_ATTEMPTS = 3


def parse(source: str, mode: Literal["exec", "eval"] = "exec") -> ast.AST:
    """`ast.parse`, retried on CPython 3.11's spurious ``SystemError: AST ... recursion depth mismatch``.

    3.11 keeps the AST builder's recursion counter in interpreter-wide state, so a parse running in
    another thread at the same moment can fail this one; the retry gives the same tree as an
    undisturbed parse, so fingerprints never depend on what else the server was doing.
    """
    for attempt in range(_ATTEMPTS):
        try:
            return ast.parse(source, mode=mode)
        except SystemError as exc:
            if attempt == _ATTEMPTS - 1 or "recursion depth mismatch" not in str(exc):
                raise
    raise AssertionError("unreachable")  # pragma: no cover
