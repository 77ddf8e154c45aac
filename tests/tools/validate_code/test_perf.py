"""Stage 4: slow tests fail, quadratic patterns warn, and an opt-in growth check measures the exponent."""

from __future__ import annotations

import pytest

from store import Store
from tools.validate_code import PerfSpec, SandboxConfig, ValidationRequest, ValidationResult, validate_code

pytestmark = pytest.mark.anyio

QUADRATIC = """
def has_duplicate(xs):
    for i in range(len(xs)):
        for j in range(i):
            if xs[i] == xs[j]:
                return True
    return False
"""
LINEAR = """
def has_duplicate(xs):
    seen = set()
    for x in xs:
        if x in seen:
            return True
        seen.add(x)
    return False
"""
TESTS = "def test_dup():\n    assert has_duplicate([1, 2, 1])\n\ndef test_unique():\n    assert not has_duplicate([1, 2, 3])\n"
SPEC = PerfSpec(function="has_duplicate", input="list(range(n))", max_exponent=1.0, min_n=256)


async def check(
    store: Store, sandbox: SandboxConfig, code: str, perf: PerfSpec | None, tests: str = TESTS
) -> ValidationResult:
    return await validate_code(
        ValidationRequest(code=code, tests=tests, level=4, perf=perf),
        store=store,
        workspace="w",
        sandbox=sandbox,
    )


async def test_quadratic_growth_fails_with_the_measured_exponent(
    store: Store, sandbox: SandboxConfig
) -> None:
    result = await check(store, sandbox, QUADRATIC, SPEC)
    assert result.failed_stage == "performance"
    [growth] = [f for f in result.stages[-1].findings if f.code == "PERF_GROWTH"]
    assert growth.severity == "error"
    exponent = float(growth.message.split("n^")[1].split(",")[0])
    assert exponent >= 1.6
    assert result.errors_logged[0].stage == "performance"


async def test_linear_growth_passes_and_reports_its_exponent(store: Store, sandbox: SandboxConfig) -> None:
    result = await check(store, sandbox, LINEAR, SPEC)
    assert result.passed, [f.message for f in result.stages[-1].findings]
    [growth] = result.stages[-1].findings
    assert growth.severity == "info"
    assert 0.6 <= float(growth.message.split("n^")[1].split(";")[0]) <= 1.3


async def test_quadratic_patterns_are_warnings_that_do_not_fail(store: Store, sandbox: SandboxConfig) -> None:
    code = "def dedupe(xs):\n    seen = []\n    for x in xs:\n        if x not in seen:\n            seen.append(x)\n    return seen\n"
    result = await check(
        store, sandbox, code, None, tests="def test_d():\n    assert dedupe([1, 1, 2]) == [1, 2]\n"
    )
    assert result.passed
    assert [(f.code, f.severity, f.line) for f in result.stages[-1].findings] == [("RMO201", "warning", 4)]


async def test_a_test_slower_than_its_budget_fails_the_stage(store: Store, sandbox: SandboxConfig) -> None:
    code = "def count(n):\n    total = 0\n    for i in range(n):\n        total += i % 7\n    return total\n"
    tests = "def test_big():\n    assert count(2_000_000) > 0\n"
    spec = PerfSpec(function="count", input="n", test_budget_ms=20)
    result = await check(store, sandbox, code, spec, tests=tests)
    assert result.failed_stage == "performance"
    slow = [f for f in result.stages[-1].findings if f.code == "SLOW_TEST"]
    assert slow[0].test_name == "test_big"
    assert "over the 20 ms budget" in slow[0].message


async def test_a_broken_input_expression_is_a_warning_naming_the_error(
    store: Store, sandbox: SandboxConfig
) -> None:
    result = await check(store, sandbox, LINEAR, PerfSpec(function="has_duplicate", input="list(range(m))"))
    assert result.passed
    [growth] = result.stages[-1].findings
    assert growth.severity == "warning"
    assert "NameError" in growth.message
