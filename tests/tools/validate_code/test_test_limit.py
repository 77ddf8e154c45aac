"""The cap on tests per call: counted from the source like the runner counts them, refused before any run."""

from __future__ import annotations

import pytest

from store import NewActionItem, Store
from tools.errors import InvalidInput
from tools.validate_code import SandboxConfig, ValidationRequest, validate_code
from tools.validate_code.testplan import expected_tests

pytestmark = pytest.mark.anyio

CODE = "def add(a, b):\n    return a + b\n"

# 9 tests as the runner counts them: 5 test functions (3 + 2 parametrize cases, 2 methods, 1 plain) and 1 top-level assert.
MIXED = """\
import pytest

PAIRS = [(0, 0), (2, 2)]

@pytest.fixture
def zero():
    return 0

@pytest.mark.parametrize("a, b, total", [(1, 2, 3), (2, 2, 4), (0, 5, 5)])
def test_sums(a, b, total):
    assert add(a, b) == total

@pytest.mark.parametrize("a, b", PAIRS)
def test_doubles(a, b):
    assert add(a, b) == 2 * a

class TestAdd:
    def test_zero(self):
        assert add(0, 0) == 0

    def test_negative(self):
        assert add(-1, 1) == 0

def test_with_fixture(zero):
    assert add(zero, 1) == 1

assert add(1, 1) == 2
"""


def functions(n: int) -> str:
    return "".join(f"def test_{i}():\n    assert add({i}, 1) == {i + 1}\n\n" for i in range(n))


def refused(tests: str, max_tests: int) -> str:
    with pytest.raises(InvalidInput) as caught:
        expected_tests(tests, max_tests=max_tests)
    return str(caught.value)


async def test_tests_exactly_at_the_cap_run_and_each_counted_test_is_one_the_runner_ran(
    store: Store, run_root: str
) -> None:
    config = SandboxConfig(tmp_dir=run_root, max_tests=9)
    result = await validate_code(
        ValidationRequest(code=CODE, tests=MIXED, level=3), store=store, workspace="w", sandbox=config
    )
    stage = result.stages[-1]
    assert result.passed, [f.message for f in stage.findings]
    assert stage.tests_total == stage.tests_passed == 9


async def test_one_test_over_the_cap_is_refused_before_any_sandbox_work(store: Store, run_root: str) -> None:
    task = await store.create_task(
        "w", "add numbers", domain="python", items=[NewActionItem("k", "write", "python.func", "d")]
    )
    # A run directory that does not exist: reaching the sandbox would fail with an OSError, not a refusal.
    config = SandboxConfig(tmp_dir=f"{run_root}/missing", max_tests=8)
    with pytest.raises(InvalidInput) as caught:
        await validate_code(
            ValidationRequest(code=CODE, tests=MIXED, level=3, task_id=task.task_id),
            store=store,
            workspace="w",
            sandbox=config,
        )
    message = str(caught.value)
    assert message.startswith(
        "'tests' define 9 tests (5 test functions (8 cases once parametrize is expanded) and 1 top-level assert); "
        "validate_code runs at most 8 tests per call (the server's max_tests setting, FRACTAL_RMO_MAX_TESTS)."
    )
    assert "Split the tests over several calls of at most 8 tests each" in message
    assert await store.count_errors("w") == 0


@pytest.mark.parametrize(("max_tests", "allowed"), [(4, False), (5, True), (200, True)])
async def test_the_configured_cap_decides_what_is_refused(
    store: Store, run_root: str, max_tests: int, allowed: bool
) -> None:
    config = SandboxConfig(tmp_dir=run_root, max_tests=max_tests)
    request = ValidationRequest(code=CODE, tests=functions(5), level=3)
    if allowed:
        result = await validate_code(request, store=store, workspace="w", sandbox=config)
        assert result.passed
        assert result.stages[-1].tests_total == 5
    else:
        with pytest.raises(InvalidInput, match=r"'tests' define 5 tests .*at most 4 tests per call"):
            await validate_code(request, store=store, workspace="w", sandbox=config)


async def test_the_cap_applies_only_when_tests_would_run(store: Store) -> None:
    config = SandboxConfig(max_tests=2)
    result = await validate_code(
        ValidationRequest(code=CODE, tests=functions(3), level=2), store=store, workspace="w", sandbox=config
    )
    assert result.passed
    assert "at level 2 they were not run" in result.notes[0]


def test_the_default_cap_is_200() -> None:
    assert SandboxConfig().max_tests == 200
    assert len(expected_tests(functions(200), max_tests=SandboxConfig().max_tests)) == 200
    assert "'tests' define 201 tests (201 test functions)" in refused(
        functions(201), SandboxConfig().max_tests
    )


def test_top_level_asserts_each_count_as_a_test() -> None:
    tests = "assert add(1, 1) == 2\nassert add(2, 2) == 4\nassert add(3, 3) == 6\n"
    assert len(expected_tests(tests, max_tests=3)) == 3
    assert refused(tests, 2).startswith("'tests' define 3 tests (3 top-level asserts); ")


def test_stacked_parametrize_multiplies_its_cases() -> None:
    tests = (
        "import pytest\n\n"
        "@pytest.mark.parametrize('n', range(1, 5))\n"
        "@pytest.mark.parametrize(argnames='m', argvalues=(1, 2, pytest.param(3, id='three')))\n"
        "def test_grid(n, m):\n    assert add(n, m) == n + m\n"
    )
    assert expected_tests(tests, max_tests=12) == ["test_grid"]
    assert "1 test function (12 cases once parametrize is expanded)" in refused(tests, 11)


def test_parametrize_in_a_class_counts_its_cases() -> None:
    tests = (
        "import pytest\n\nclass TestAdd:\n"
        "    @pytest.mark.parametrize('n', [1, 2, 3])\n"
        "    def test_n(self, n):\n        assert add(n, 0) == n\n\n"
        "    def test_one(self):\n        assert add(1, 0) == 1\n"
    )
    assert expected_tests(tests, max_tests=4) == ["TestAdd.test_n", "TestAdd.test_one"]
    assert "2 test functions (4 cases once parametrize is expanded)" in refused(tests, 3)


@pytest.mark.parametrize(
    "values",
    [
        "[(n, n) for n in range(50)]",  # built by code: not countable without running it
        "CASES",  # bound twice, so which value it has depends on running the module
        "[*CASES, (9, 9)]",
        "range(LIMIT)",
    ],
)
def test_cases_the_source_does_not_spell_out_count_once(values: str) -> None:
    tests = (
        "import pytest\n\nLIMIT = 50\nCASES = [(1, 1)]\nCASES = [(n, n) for n in range(50)]\n\n"
        f"@pytest.mark.parametrize('a, b', {values})\n"
        "def test_same(a, b):\n    assert a == b\n\n"
        "def test_other():\n    assert add(1, 1) == 2\n"
    )
    assert expected_tests(tests, max_tests=2) == ["test_same", "test_other"]


def test_a_huge_range_is_counted_without_being_built() -> None:
    tests = (
        "import pytest\n\n@pytest.mark.parametrize('n', range(-1, 100000000000000000, 2))\n"
        "def test_n(n):\n    assert n\n"
    )
    assert "1 test function (50,000,000,000,000,001 cases once parametrize" in refused(tests, 10_000)


def test_cases_too_many_to_print_are_given_as_a_power_of_ten() -> None:
    huge = "1" + "0" * 4000
    tests = (
        "import pytest\n\n"
        + f"@pytest.mark.parametrize('n', range({huge}))\n" * 3
        + "def test_n(n):\n    pass\n"
    )
    assert refused(tests, 10_000).startswith(
        "'tests' define about 10^12000 tests (1 test function (about 10^12000 cases"
    )


def test_the_cap_is_checked_before_names_defined_twice() -> None:
    message = refused(functions(3) + functions(1), 3)
    assert message.startswith("'tests' define 4 tests (4 test functions); validate_code runs at most 3 tests")


@pytest.mark.parametrize("max_tests", [0, -1, 10_001])
def test_a_cap_outside_its_range_is_a_configuration_error(max_tests: int) -> None:
    with pytest.raises(ValueError, match=rf"'max_tests' must be between 1 and 10000 \(got {max_tests}\)"):
        SandboxConfig(max_tests=max_tests)
