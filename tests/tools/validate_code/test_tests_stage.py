"""Stage 3: the tests run against the code in the sandbox, pytest-style, and each failure says why."""

from __future__ import annotations

import re

import pytest

from store import Store
from tools.validate_code import Finding, SandboxConfig, ValidationRequest, ValidationResult, validate_code

pytestmark = pytest.mark.anyio


async def check(
    store: Store, sandbox: SandboxConfig, code: str, tests: str | None, **fields
) -> ValidationResult:
    return await validate_code(
        ValidationRequest(code=code, tests=tests, **fields), store=store, workspace="w", sandbox=sandbox
    )


def failures(result: ValidationResult) -> dict[str, Finding]:
    return {f.test_name or f.code: f for f in result.stages[-1].findings if f.severity == "error"}


SOLUTION = """
from collections import Counter, namedtuple

class InsufficientFunds(ValueError):
    pass

LIMIT = 10
Point = namedtuple("Point", "x y")

def withdraw(amount):
    if amount > LIMIT:
        raise InsufficientFunds(f"cannot take {amount}")
    return LIMIT - amount

class Stack:
    def __init__(self):
        self.items = []
    def push(self, x):
        self.items.append(x)
    def pop(self):
        return self.items.pop()
    def __len__(self):
        return len(self.items)

def rotate(matrix):
    matrix[:] = [list(row) for row in zip(*matrix[::-1])]

def sort_in_place(xs):
    xs.sort()

def squares(n):
    for i in range(n):
        yield i * i

def apply(f, x):
    return f(x)

def counts(text):
    return Counter(text)

def midpoint(a, b):
    return Point((a.x + b.x) / 2, (a.y + b.y) / 2)

def third(x):
    return x / 3
"""

PYTEST_STYLE = """
import pytest
from solution import Stack, InsufficientFunds

@pytest.fixture
def stack():
    s = Stack()
    s.push(1)
    yield s
    s.push("torn down")

def test_raises_with_the_solutions_own_exception():
    with pytest.raises(InsufficientFunds, match="cannot take 11"):
        withdraw(11)
    with pytest.raises(ValueError):
        withdraw(12)

def test_objects_live_in_the_solution(stack):
    stack.push(2)
    assert len(stack) == 2
    assert stack.pop() == 2
    assert stack.items == [1]
    assert isinstance(stack, Stack)

def test_arguments_mutated_in_place_come_back():
    m = [[1, 2], [3, 4]]
    first = m[0]
    rotate(m)
    assert m == [[3, 1], [4, 2]]
    xs = [3, 1, 2]
    sort_in_place(xs)
    assert xs == [1, 2, 3]

def test_generators_callbacks_and_stdlib_values():
    assert list(squares(4)) == [0, 1, 4, 9]
    assert apply(lambda v: v * 2, 21) == 42
    assert counts("aab") == {"a": 2, "b": 1}
    assert midpoint(Point(0, 0), Point(2, 4)) == (1, 2)
    assert midpoint(Point(0, 0), Point(2, 4)).y == 2

def test_approx():
    assert third(1) == pytest.approx(0.3333333)

@pytest.mark.parametrize("amount, left", [(1, 9), (4, 6), (10, 0)])
def test_parametrized(amount, left):
    assert withdraw(amount) == left

def test_module_level_names_are_visible():
    assert LIMIT == 10

class TestGrouped:
    def test_in_a_class(self):
        assert withdraw(0) == 10

def test_skip():
    pytest.skip("not today")
"""


async def test_pytest_style_tests_pass_against_a_correct_solution(
    store: Store, sandbox: SandboxConfig
) -> None:
    result = await check(store, sandbox, SOLUTION, PYTEST_STYLE)
    stage = result.stages[-1]
    assert result.passed, [f.message for f in stage.findings]
    assert stage.tests_total == stage.tests_passed == 11
    assert stage.summary == "11 tests: 10 passed, 1 skipped"


async def test_a_failed_assert_reports_expected_and_actual(store: Store, sandbox: SandboxConfig) -> None:
    code = "def add(a, b):\n    return a - b\n"
    tests = "def test_add():\n    result = add(2, 3)\n    assert result == 5\n\ndef test_reversed():\n    assert 5 == add(2, 3)\n"
    result = await check(store, sandbox, code, tests)
    found = failures(result)
    assert found["test_add"].message == "test_add: `assert result == 5` failed: expected 5, got -1."
    assert (found["test_add"].expected, found["test_add"].actual, found["test_add"].test_line) == (
        "5",
        "-1",
        3,
    )
    assert (found["test_reversed"].expected, found["test_reversed"].actual) == ("5", "-1")
    assert result.stages[-1].summary == "2 tests: 2 failed"


async def test_an_exception_in_the_code_points_at_the_code_and_the_test(
    store: Store, sandbox: SandboxConfig
) -> None:
    code = "def average(xs):\n    total = sum(xs)\n    return total / len(xs)\n"
    tests = "def test_empty():\n    assert average([]) == 0\n"
    finding = failures(await check(store, sandbox, code, tests))["test_empty"]
    assert finding.code == "ZeroDivisionError"
    assert (finding.line, finding.column, finding.test_line) == (3, 12, 2)
    assert finding.source_line == "return total / len(xs)"
    assert 'File "tests.py", line 2, in test_empty' in finding.traceback
    assert 'File "solution.py", line 3, in average' in finding.traceback
    assert finding.traceback.endswith("ZeroDivisionError: division by zero")


async def test_top_level_asserts_are_tests_of_their_own(store: Store, sandbox: SandboxConfig) -> None:
    code = "def double(x):\n    return x * 2\n"
    tests = "assert double(2) == 4\nvalue = double(5)\nassert value == 11\nassert double(0) == 0\n"
    result = await check(store, sandbox, code, tests)
    assert set(failures(result)) == {"assert_line_3"}
    assert result.stages[-1].summary == "3 tests: 2 passed, 1 failed"


async def test_a_test_that_runs_too_long_says_where_the_code_was(
    store: Store, sandbox: SandboxConfig
) -> None:
    code = "def wait_for(x):\n    while x > 0:\n        x = x\n    return x\n"
    result = await check(
        store,
        sandbox,
        code,
        "def test_spin():\n    wait_for(1)\n\ndef test_after():\n    assert wait_for(0) == 0\n",
    )
    found = failures(result)
    assert found["test_spin"].code == "Timeout"
    assert found["test_spin"].line in (2, 3)
    assert "did not finish within its 2.0 s budget" in found["test_spin"].message
    assert "test_after" not in found


async def test_an_import_failure_is_one_finding_and_no_test_runs(
    store: Store, sandbox: SandboxConfig
) -> None:
    code = "RATE = int('x') * 2\n\ndef f():\n    return RATE\n"
    tests = "def test_a():\n    assert f() == 1\n\ndef test_b():\n    assert f() == 2\n"
    result = await check(store, sandbox, code, tests)
    [finding] = result.stages[-1].findings
    assert finding.code == "ValueError"
    assert finding.line == 1
    assert finding.message.startswith("The code failed while being imported: ValueError")
    assert result.stages[-1].summary == "the code failed to import; none of the 2 tests ran"


async def test_an_undefined_name_stops_at_static_analysis_before_any_sandbox(
    store: Store, sandbox: SandboxConfig
) -> None:
    result = await check(
        store, sandbox, "RATE = undefined_rate * 2\n", "def test_a():\n    assert RATE == 2\n"
    )
    assert result.failed_stage == "static"
    assert result.isolation == "none"
    assert [f.code for f in result.stages[-1].findings] == ["F821"]


async def test_a_failing_tests_module_is_reported_at_its_line(store: Store, sandbox: SandboxConfig) -> None:
    tests = "import json\nDATA = json.loads('not json')\n\ndef test_a():\n    assert True\n"
    result = await check(store, sandbox, "x = 1\n", tests)
    [finding] = result.stages[-1].findings
    assert finding.code == "JSONDecodeError"
    assert "failed at line 1 before its tests ran" in finding.message


async def test_without_tests_the_code_is_imported_in_the_sandbox(
    store: Store, sandbox: SandboxConfig
) -> None:
    result = await check(store, sandbox, "VALUE = 1 / 1\n", None)
    assert result.passed
    assert result.stages[-1].summary == "no tests given: the code imports cleanly"
    result = await check(store, sandbox, "VALUE = 1 / 0\n", None)
    assert not result.passed
    assert result.stages[-1].findings[0].code == "ZeroDivisionError"


async def test_what_the_code_printed_comes_back_when_it_fails(store: Store, sandbox: SandboxConfig) -> None:
    code = "def f():\n    print('debug: about to fail')\n    return 1\n"
    result = await check(store, sandbox, code, "def test_f():\n    assert f() == 2\n")
    assert "debug: about to fail" in (result.stages[-1].output or "")


async def test_unittest_style_classes_run_too(store: Store, sandbox: SandboxConfig) -> None:
    tests = (
        "import unittest\n\nclass TestAdd(unittest.TestCase):\n    def setUp(self):\n        self.base = 1\n"
        "    def test_ok(self):\n        self.assertEqual(add(self.base, 1), 2)\n"
        "    def test_bad(self):\n        self.assertEqual(add(1, 1), 3)\n"
    )
    result = await check(store, sandbox, "def add(a, b):\n    return a + b\n", tests)
    found = failures(result)
    assert set(found) == {"TestAdd.test_bad"}
    assert "2 != 3" in found["TestAdd.test_bad"].message


async def test_progress_is_reported_per_stage_and_per_test(store: Store, sandbox: SandboxConfig) -> None:
    seen: list[tuple[float, float | None, str]] = []

    async def progress(done: float, total: float | None, message: str) -> None:
        seen.append((done, total, message))

    tests = "def test_a():\n    assert f() == 1\n\ndef test_b():\n    assert f() == 2\n"
    await validate_code(
        ValidationRequest(code="def f():\n    return 1\n", tests=tests),
        store=store,
        workspace="w",
        sandbox=sandbox,
        progress=progress,
    )
    assert [m for _, _, m in seen] == [
        "syntax: ok",
        "static: 0 errors, 0 warnings",
        "test test_a: passed",
        "test test_b: failed",
        "tests: 2 tests: 1 passed, 1 failed",
    ]
    assert [d for d, _, _ in seen] == [1, 2, 3, 4, 5]
    assert {t for _, t, _ in seen} == {5}


async def test_values_too_large_to_copy_are_used_through_a_proxy(
    store: Store, sandbox: SandboxConfig
) -> None:
    code = "def big():\n    return list(range(3_000_000))\n\ndef nest(x):\n    return x\n"
    tests = (
        "def test_big():\n    values = big()\n    assert len(values) == 3_000_000\n    assert values[-1] == 2_999_999\n\n"
        "def test_too_deep_to_send():\n    deep = []\n    for _ in range(200):\n        deep = [deep]\n    nest(deep)\n\n"
        "def test_still_working():\n    assert nest(5) == 5\n"
    )
    result = await check(store, sandbox, code, tests)
    found = failures(result)
    assert set(found) == {"test_too_deep_to_send"}
    assert found["test_too_deep_to_send"].code == "CopyError"
    assert "too deeply nested" in found["test_too_deep_to_send"].message


async def test_an_object_that_equals_anything_fails_and_says_why(
    store: Store, sandbox: SandboxConfig
) -> None:
    code = (
        "class Anything:\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n"
        "def add(a, b):\n    return Anything()\n"
    )
    tests = "def test_add():\n    assert add(2, 3) == 5, 'two and three'\n"
    result = await check(store, sandbox, code, tests)
    assert not result.passed
    finding = failures(result)["test_add"]
    assert re.fullmatch(
        r"test_add: `assert add\(2, 3\) == 5, 'two and three'` failed: <solution\.Anything object at 0x\w+> says "
        r"it equals 5, but the Anything object from the solution also says it equals \d+, a value made up for "
        r"this check: its __eq__ answers yes to anything, so the comparison proves nothing\.",
        finding.message,
    ), finding.message
    assert finding.expected == "5"
    [logged] = result.errors_logged
    stored = await store.get_error("w", logged.error_id)
    assert "answers yes to anything" in stored.message
