"""The tests a tests module defines, found without running it (the host never executes test code).

The runner inside the sandbox must report every test named here, or the run does not pass.
"""

from __future__ import annotations

import ast
import math
import warnings
from collections import Counter

from tools.errors import InvalidInput

from .syntax import WARNINGS_LOCK, compile_checked

_HOW = (
    "Write pytest-style `def test_...():` functions with plain asserts, or top-level assert statements, "
    "e.g. `assert add(2, 3) == 5`."
)


def expected_tests(tests: str, *, max_tests: int) -> list[str]:
    """Names the runner must report: ``test_x``, ``TestX.test_y``, ``assert_line_7``.

    Parametrized tests are reported as ``test_x[...]``; they match their base name here. Tests that
    would run more than `max_tests` cases are refused before anything runs.
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
    asserts = cases = 0
    bound = _ModuleLiterals(tree)
    for stmt in tree.body:
        if isinstance(stmt, ast.Assert):
            names.append(f"assert_line_{stmt.lineno}")
            asserts += 1
        elif isinstance(stmt, ast.AsyncFunctionDef) and stmt.name.startswith("test"):
            raise InvalidInput(
                f"'tests' define async test {stmt.name!r} (line {stmt.lineno}); async tests are not supported. {_HOW}"
            )
        elif isinstance(stmt, ast.FunctionDef) and stmt.name.startswith("test") and not _is_fixture(stmt):
            names.append(stmt.name)
            cases += _case_count(stmt, bound)
        elif isinstance(stmt, ast.ClassDef) and stmt.name.startswith("Test"):
            methods = [m for m in stmt.body if isinstance(m, ast.FunctionDef) and m.name.startswith("test")]
            names.extend(f"{stmt.name}.{m.name}" for m in methods)
            cases += sum(_case_count(m, bound) for m in methods)
    if not names:
        raise InvalidInput(
            f"'tests' define no test. {_HOW} Omit 'tests' to only check that the code imports."
        )
    _check_count(functions=len(names) - asserts, cases=cases, asserts=asserts, max_tests=max_tests)
    counts = Counter(names)
    duplicates = sorted(n for n, seen in counts.items() if seen > 1)
    if duplicates:
        raise InvalidInput(
            f"'tests' define {', '.join(repr(d) for d in duplicates)} more than once; the later definition would hide "
            "the earlier one. Give each test its own name."
        )
    return names


def _check_count(*, functions: int, cases: int, asserts: int, max_tests: int) -> None:
    total = cases + asserts
    if total <= max_tests:
        return
    parts = []
    if functions:
        expanded = f" ({_number(cases)} cases once parametrize is expanded)" if cases != functions else ""
        parts.append(_plural(functions, "test function") + expanded)
    if asserts:
        parts.append(_plural(asserts, "top-level assert"))
    raise InvalidInput(
        f"'tests' define {_number(total)} tests ({' and '.join(parts)}); validate_code runs at most {max_tests:,} tests "
        "per call (the server's max_tests setting, FRACTAL_RMO_MAX_TESTS). Split the tests over several calls of "
        f"at most {max_tests:,} tests each, sending the same 'code' with a different part of the tests every time."
    )


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _number(count: int) -> str:
    # Stacked huge ranges multiply past the 4,300 digits Python agrees to print.
    return f"{count:,}" if count < 10**18 else f"about 10^{int(math.log10(count))}"


def _case_count(func: ast.FunctionDef, bound: _ModuleLiterals) -> int:
    """How many cases the runner makes of `func`: the product of its parametrize decorators' value counts.

    Values the AST cannot count (a comprehension, a call other than ``range``) count as one case, so the
    count is exact for written-out cases and a lower bound otherwise; the run's timeout bounds the rest.
    """
    count = 1
    for deco in func.decorator_list:
        if (
            isinstance(deco, ast.Call)
            and isinstance(deco.func, ast.Attribute)
            and deco.func.attr == "parametrize"
        ):
            values = (
                deco.args[1]
                if len(deco.args) > 1
                else next((k.value for k in deco.keywords if k.arg == "argvalues"), None)
            )
            count *= _length(values, bound) if values is not None else 1
    # No cases at all still leaves the function's name for the runner to report (or miss).
    return max(count, 1)


def _length(node: ast.expr, bound: _ModuleLiterals) -> int:
    if isinstance(node, ast.Name):
        node = bound.get(node.id) or node
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and not any(
        isinstance(e, ast.Starred) for e in node.elts
    ):
        return len(node.elts)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "range"
        and 1 <= len(node.args) <= 3
        and not node.keywords
    ):
        try:
            cases = range(*(ast.literal_eval(arg) for arg in node.args))
        except (ValueError, TypeError, SyntaxError, RecursionError):
            return 1
        # len() of a range past sys.maxsize overflows; the arithmetic does not.
        return max(0, -((cases.start - cases.stop) // cases.step))
    return 1


class _ModuleLiterals:
    """Module-level ``NAME = value`` for names bound nowhere else, so ``parametrize("x", CASES)`` counts.

    Found on first use: walking the whole module costs as much as a sixth of compiling it, and most
    tests never name their cases.
    """

    def __init__(self, tree: ast.Module) -> None:
        self._tree = tree
        self._values: dict[str, ast.expr] | None = None

    def get(self, name: str) -> ast.expr | None:
        if self._values is None:
            tree = self._tree
            stores = Counter(
                n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            )
            self._values = {
                stmt.targets[0].id: stmt.value
                for stmt in tree.body
                if isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and stores[stmt.targets[0].id] == 1
            }
        return self._values.get(name)


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
