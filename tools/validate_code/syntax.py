"""Stage 1: does the code compile? `compile()` with its warnings, not just `ast.parse`.

Parsing alone accepts ``return`` outside a function, ``nonlocal`` at module level and other code
the compiler rejects; the compiler also warns about ``x is 1`` and ``assert (x, "msg")``, which
are always bugs, so its SyntaxWarnings count as errors. DeprecationWarnings (an invalid escape
sequence such as ``"\\d"``) are warnings.
"""

from __future__ import annotations

import ast
import threading
import warnings
from dataclasses import dataclass

from .models import Finding

WARNINGS_LOCK = threading.Lock()
"""`warnings.catch_warnings` swaps process-wide state: checks running in worker threads take turns."""


@dataclass(slots=True)
class SyntaxCheck:
    findings: list[Finding]
    tree: ast.Module | None
    """The parsed module when the code compiled (later stages reuse it)."""


def compile_checked(code: str, filename: str) -> ast.Module:
    """Parse and compile `code`, returning its AST; raises what `compile` raises.

    CPython 3.11 keeps the AST builder's recursion counter in interpreter-wide state, so a parse
    running in another thread at the same moment (log_error analyses errors in worker threads) can
    fail this one with a spurious ``SystemError: AST ... recursion depth mismatch``; that is retried.
    """
    attempts = 3
    while True:
        try:
            tree = compile(code, filename, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
            compile(tree, filename, "exec", dont_inherit=True)
            return tree
        except SystemError as exc:
            attempts -= 1
            if not attempts or "recursion depth mismatch" not in str(exc):
                raise


def check_syntax(code: str, filename: str = "solution.py") -> SyntaxCheck:
    lines = code.splitlines()
    with WARNINGS_LOCK, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            tree = compile_checked(code, filename)
        except SyntaxError as exc:
            return SyntaxCheck([_syntax_error(exc, lines)], None)
        except (ValueError, RecursionError, MemoryError) as exc:
            message = (
                "the code is too deeply nested for the Python parser"
                if not isinstance(exc, ValueError)
                else str(exc)
            )
            return SyntaxCheck(
                [Finding(code="SyntaxError", message=f"{message} ({type(exc).__name__})")], None
            )
    findings = [
        _warning(w, lines) for w in caught if issubclass(w.category, (SyntaxWarning, DeprecationWarning))
    ]
    findings.sort(key=lambda f: f.severity != "error")
    return SyntaxCheck(findings, tree)


def _syntax_error(exc: SyntaxError, lines: list[str]) -> Finding:
    line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
    source_line = (exc.text or (lines[line - 1] if line and line <= len(lines) else "")).rstrip("\n")
    column = exc.offset if isinstance(exc.offset, int) and exc.offset > 0 else None
    where = f" (line {line}, column {column})" if line and column else f" (line {line})" if line else ""
    return Finding(
        code=type(exc).__name__,
        message=f"{exc.msg}{where}",
        line=line,
        column=column,
        end_line=exc.end_lineno if isinstance(exc.end_lineno, int) and exc.end_lineno > 0 else None,
        end_column=exc.end_offset if isinstance(exc.end_offset, int) and exc.end_offset > 0 else None,
        source_line=source_line.strip()[:300] or None,
    )


def _warning(w: warnings.WarningMessage, lines: list[str]) -> Finding:
    line = w.lineno if isinstance(w.lineno, int) and 0 < w.lineno <= len(lines) else None
    return Finding(
        code=w.category.__name__,
        message=str(w.message),
        line=line,
        severity="error" if issubclass(w.category, SyntaxWarning) else "warning",
        source_line=lines[line - 1].strip()[:300] if line else None,
    )
