"""Bad input gets a clear InvalidInput (or a clear failing finding), never a crash."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import NewActionItem, Store
from tools.errors import InvalidInput
from tools.validate_code import PerfSpec, SandboxConfig, ValidationRequest, validate_code

pytestmark = pytest.mark.anyio
GOOD = "def add(a, b):\n    return a + b\n"
TEST = "def test_add():\n    assert add(1, 2) == 3\n"


async def invalid(store: Store, sandbox: SandboxConfig, **fields) -> str:
    with pytest.raises(InvalidInput) as caught:
        await validate_code(ValidationRequest(**fields), store=store, workspace="w", sandbox=sandbox)
    return str(caught.value)


@pytest.mark.parametrize("code", ["", "   \n\t\n"])
async def test_empty_code_is_refused(store: Store, sandbox: SandboxConfig, code: str) -> None:
    assert "'code' is empty" in await invalid(store, sandbox, code=code)


async def test_code_over_the_size_limit_is_refused_with_the_limit(
    store: Store, sandbox: SandboxConfig
) -> None:
    message = await invalid(store, sandbox, code="x = 1\n" * 50_000)
    assert "at most 200,000" in message
    assert "300,000" in message


async def test_multibyte_code_is_measured_in_utf8_bytes(store: Store, sandbox: SandboxConfig) -> None:
    message = await invalid(store, sandbox, code="s = '" + "é" * 120_000 + "'\n")
    assert "bytes of UTF-8" in message


async def test_nul_bytes_are_refused_with_their_position(store: Store, sandbox: SandboxConfig) -> None:
    message = await invalid(store, sandbox, code="x = 1\ny = '\x00'\n")
    assert "NUL byte at line 2, column 6" in message


async def test_lone_surrogates_are_refused_with_their_position(store: Store, sandbox: SandboxConfig) -> None:
    message = await invalid(store, sandbox, code="x = 1\ns = '\ud800'\n")
    assert "lone surrogate" in message
    assert "line 2" in message


async def test_binary_junk_without_nul_is_a_syntax_finding(store: Store, sandbox: SandboxConfig) -> None:
    junk = bytes(range(1, 256)).decode("latin-1") * 3
    result = await validate_code(
        ValidationRequest(code=junk, level=1), store=store, workspace="w", sandbox=sandbox
    )
    assert not result.passed
    assert result.failed_stage == "syntax"
    assert result.stages[0].findings[0].code in ("SyntaxError", "IndentationError")


async def test_tests_that_do_not_compile_are_refused_with_the_line(
    store: Store, sandbox: SandboxConfig
) -> None:
    message = await invalid(store, sandbox, code=GOOD, tests="def test_x(:\n    pass\n")
    assert "'tests' do not compile" in message
    assert "line 1" in message


async def test_tests_that_define_no_test_are_refused(store: Store, sandbox: SandboxConfig) -> None:
    message = await invalid(store, sandbox, code=GOOD, tests="def helper():\n    return 1\n")
    assert "define no test" in message
    assert "def test_" in message


async def test_async_tests_are_refused(store: Store, sandbox: SandboxConfig) -> None:
    assert "async tests are not supported" in await invalid(
        store, sandbox, code=GOOD, tests="async def test_x():\n    assert True\n"
    )


async def test_a_test_defined_twice_is_refused(store: Store, sandbox: SandboxConfig) -> None:
    message = await invalid(store, sandbox, code=GOOD, tests=TEST + TEST)
    assert "'test_add' more than once" in message


async def test_tests_are_checked_only_when_they_would_run(store: Store, sandbox: SandboxConfig) -> None:
    result = await validate_code(
        ValidationRequest(code=GOOD, tests="not python at all", level=2),
        store=store,
        workspace="w",
        sandbox=sandbox,
    )
    assert result.passed
    assert "at level 2 they were not run" in result.notes[0]


@pytest.mark.parametrize("timeout_s", [0.0, 0.5, 31.0, math.nan, math.inf, -1.0])
async def test_timeout_outside_its_range_is_refused(
    store: Store, sandbox: SandboxConfig, timeout_s: float
) -> None:
    message = await invalid(store, sandbox, code=GOOD, timeout_s=timeout_s)
    assert "'timeout_s' must be between 1 and 30 seconds" in message


async def test_action_id_without_task_id_is_refused(store: Store, sandbox: SandboxConfig) -> None:
    assert "needs the 'task_id'" in await invalid(store, sandbox, code=GOOD, action_id="a-1")


async def test_malformed_task_id_is_refused_like_log_error_does(store: Store, sandbox: SandboxConfig) -> None:
    assert "'task_id' must look like t-N" in await invalid(store, sandbox, code=GOOD, task_id="task-1")


async def test_unknown_task_is_refused(store: Store, sandbox: SandboxConfig) -> None:
    assert "Unknown task 't-999'" in await invalid(store, sandbox, code=GOOD, task_id="t-999")


async def test_action_item_of_another_task_is_refused(store: Store, sandbox: SandboxConfig) -> None:
    task = await store.create_task(
        "w", "sum numbers", domain="python", items=[NewActionItem("k", "write", "python.func", "d")]
    )
    other = await store.create_task(
        "w", "other", domain="python", items=[NewActionItem("k", "write", "python.func", "d")]
    )
    message = await invalid(
        store, sandbox, code=GOOD, task_id=task.task_id, action_id=other.items[0].action_id
    )
    assert "Unknown action item" in message


async def test_perf_spec_below_level_four_is_refused(store: Store, sandbox: SandboxConfig) -> None:
    message = await invalid(store, sandbox, code=GOOD, level=3, perf=PerfSpec(function="add", input="(n, n)"))
    assert "level 4 only" in message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.text(max_size=300))
async def test_any_text_gets_a_result_or_a_clear_error(
    store: Store, sandbox: SandboxConfig, code: str
) -> None:
    try:
        result = await validate_code(
            ValidationRequest(code=code, level=2), store=store, workspace="fuzz", sandbox=sandbox
        )
    except InvalidInput as exc:
        assert str(exc)
    else:
        assert result.stages[0].name == "syntax"
        assert result.passed == all(stage.passed for stage in result.stages)
