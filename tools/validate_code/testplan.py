"""The tests a tests module defines, found without running it (the host never executes test code).

The runner inside the sandbox must report every test named here, or the run does not pass.
"""

from __future__ import annotations

import ast
import warnings

from tools.errors import InvalidInput

from .syntax import WARNINGS_LOCK, compile_checked

_HOW = (
    "Write pytest-style `def test_...():` functions with plain asserts, or top-level assert statements, "
    "e.g. `assert add(2, 3) == 5`."
)


def expected_tests(tests: str) -> list[str]:
    """Names the runner must report: ``test_x``, ``TestX.test_y``, ``assert_line_7``.

    Parametrized tests are reported as ``test_x[...]``; they match their base name here.
    """
    try:
        with WARNINGS_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = compile_checked(tests, "tests.py")
    except SyntaxError as exc:
        where = f"line {exc.lineno}, column {exc.offset}" if exc.lineno else "somewhere"
        raise InvalidInput(
            f"'tests' do not compile: {exc.msg} ({where}). Fix the tests and call validate_code again."
        ) from exc
    except (ValueError, RecursionError, MemoryError) as exc:
        raise InvalidInput(f"'tests' cannot be parsed ({type(exc).__name__}: {exc}). {_HOW}") from exc
    names: list[str] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assert):
            names.append(f"assert_line_{stmt.lineno}")
        elif isinstance(stmt, ast.AsyncFunctionDef) and stmt.name.startswith("test"):
            raise InvalidInput(
                f"'tests' define async test {stmt.name!r} (line {stmt.lineno}); async tests are not supported. {_HOW}"
            )
        elif isinstance(stmt, ast.FunctionDef) and stmt.name.startswith("test") and not _is_fixture(stmt):
            names.append(stmt.name)
        elif isinstance(stmt, ast.ClassDef) and stmt.name.startswith("Test"):
            names.extend(
                f"{stmt.name}.{m.name}"
                for m in stmt.body
                if isinstance(m, ast.FunctionDef) and m.name.startswith("test")
            )
    if not names:
        raise InvalidInput(
            f"'tests' define no test. {_HOW} Omit 'tests' to only check that the code imports."
        )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InvalidInput(
            f"'tests' define {', '.join(repr(d) for d in duplicates)} more than once; the later definition would hide "
            "the earlier one. Give each test its own name."
        )
    return names


def _is_fixture(func: ast.FunctionDef) -> bool:
    for deco in func.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if (isinstance(target, ast.Attribute) and target.attr == "fixture") or (
            isinstance(target, ast.Name) and target.id == "fixture"
        ):
            return True
    return False


def reported(expected: str, name: str) -> bool:
    """Whether a test the runner reported under `name` accounts for the `expected` one."""
    return name == expected or name.startswith(expected + "[")
