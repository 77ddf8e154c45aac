"""validate_code as a whole: stages stop at the first failure, failures are logged, known patterns come back."""

from __future__ import annotations

import anyio
import pytest

from store import NewActionItem, NewInsight, Store
from tools.errors import Busy
from tools.validate_code import SandboxConfig, ValidationRequest, ValidationResult, validate_code

pytestmark = pytest.mark.anyio

BUGGY = "def median(xs):\n    xs = sorted(xs)\n    return xs[len(xs) // 2]\n"
MEDIAN_TESTS = "def test_even():\n    assert median([1, 2, 3, 4]) == 2.5\n\ndef test_odd():\n    assert median([3, 1, 2]) == 2\n"


async def run(store: Store, sandbox: SandboxConfig, **fields) -> ValidationResult:
    return await validate_code(ValidationRequest(**fields), store=store, workspace="w", sandbox=sandbox)


async def test_stages_run_in_order_up_to_the_level(store: Store, sandbox: SandboxConfig) -> None:
    code = "def f(x):\n    return x + 1\n"
    for level, names in [(1, ["syntax"]), (2, ["syntax", "static"]), (3, ["syntax", "static", "tests"])]:
        result = await run(
            store, sandbox, code=code, tests="def test_f():\n    assert f(1) == 2\n", level=level
        )
        assert result.passed
        assert [s.name for s in result.stages] == names
        assert result.isolation == ("none" if level < 3 else result.isolation)
    assert result.isolation.startswith(("bwrap", "unshare", "rlimits"))


async def test_the_first_failing_stage_stops_the_rest(store: Store, sandbox: SandboxConfig) -> None:
    result = await run(
        store, sandbox, code="def f(:\n    pass\n", tests="def test_f():\n    assert f()\n", level=4
    )
    assert (result.passed, result.failed_stage, [s.name for s in result.stages]) == (
        False,
        "syntax",
        ["syntax"],
    )
    result = await run(
        store, sandbox, code="def f():\n    return g()\n", tests="def test_f():\n    assert f()\n", level=4
    )
    assert (result.failed_stage, [s.name for s in result.stages]) == ("static", ["syntax", "static"])


async def test_warnings_do_not_fail_and_are_not_logged(store: Store, sandbox: SandboxConfig) -> None:
    code = "import os\n\ndef f(x, acc=[]):\n    acc.append(x)\n    return len(acc)\n"
    result = await run(store, sandbox, code=code, level=2)
    assert result.passed
    assert {f.code for f in result.stages[1].findings} == {"F401", "B006"}
    assert result.errors_logged == []
    assert await store.count_errors("w") == 0


async def test_each_failure_is_logged_with_its_evidence(store: Store, sandbox: SandboxConfig) -> None:
    result = await run(store, sandbox, code=BUGGY, tests=MEDIAN_TESTS)
    assert result.failed_stage == "tests"
    [logged] = result.errors_logged
    assert (logged.stage, logged.finding, logged.new_pattern) == ("tests", 0, True)
    stored = await store.get_error("w", logged.error_id)
    assert stored.source == "test"
    assert stored.code == BUGGY
    assert stored.fingerprint == logged.fingerprint
    assert "AssertionError" in stored.message
    assert stored.details.get("evidence", stored.details) is not None
    assert result.known_patterns == []


async def test_a_repeated_mistake_names_its_known_pattern_and_insight(
    store: Store, sandbox: SandboxConfig
) -> None:
    first = await run(store, sandbox, code=BUGGY, tests=MEDIAN_TESTS)
    pattern_id = first.errors_logged[0].pattern_id
    await store.add_insight(
        "w",
        NewInsight(
            pattern_id=pattern_id,
            rule="For an even number of items the median is the mean of the two middle items.",
            source="client",
        ),
    )
    second = await run(store, sandbox, code=BUGGY, tests=MEDIAN_TESTS)
    [known] = second.known_patterns
    assert known.pattern_id == pattern_id
    assert known.frequency == 2
    assert known.insight is not None
    assert known.insight.rule.startswith("For an even number")
    assert second.errors_logged[0].new_pattern is False


async def test_static_and_syntax_failures_are_logged_with_their_source(
    store: Store, sandbox: SandboxConfig
) -> None:
    static = await run(store, sandbox, code="def f():\n    return undefined_thing\n", level=2)
    syntax = await run(store, sandbox, code="def f(:\n", level=1)
    assert (await store.get_error("w", static.errors_logged[0].error_id)).source == "static"
    assert (await store.get_error("w", syntax.errors_logged[0].error_id)).source == "syntax"


async def test_only_the_first_few_failures_are_logged(store: Store, run_root: str) -> None:
    config = SandboxConfig(tmp_dir=run_root, max_logged_errors=2)
    code = "def f():\n    return " + " + ".join(f"u{i}" for i in range(6)) + "\n"
    result = await run(store, config, code=code, level=2)
    assert len(result.stages[-1].findings) == 6
    assert len(result.errors_logged) == 2


async def test_a_validation_within_a_task_is_recorded_against_it(
    store: Store, sandbox: SandboxConfig
) -> None:
    task = await store.create_task(
        "w", "median", domain="python", items=[NewActionItem("m", "median", "python.func", "d")]
    )
    result = await run(
        store,
        sandbox,
        code=BUGGY,
        tests=MEDIAN_TESTS,
        task_id=task.task_id,
        action_id=task.items[0].action_id,
    )
    stored = await store.get_error("w", result.errors_logged[0].error_id)
    assert (stored.task_id, stored.action_id, stored.action_category) == (
        task.task_id,
        task.items[0].action_id,
        "python.func",
    )


async def test_past_the_queue_the_answer_is_busy_retry(store: Store, run_root: str) -> None:
    config = SandboxConfig(tmp_dir=run_root, slots=1, max_queue=0, uid_base=63000)
    tests = "def test_quick():\n    assert True\n\ndef test_slow():\n    assert nap() == 'rested'\n"
    code = "import time\n\ndef nap():\n    time.sleep(1.5)\n    return 'rested'\n"
    first_is_running = anyio.Event()
    outcome: dict[str, object] = {}

    async def progress(done: float, total: float | None, message: str) -> None:
        if message == "test test_quick: passed":
            first_is_running.set()

    async def first() -> None:
        outcome["first"] = await validate_code(
            ValidationRequest(code=code, tests=tests),
            store=store,
            workspace="w",
            sandbox=config,
            progress=progress,
        )

    async with anyio.create_task_group() as tg:
        tg.start_soon(first)
        with anyio.fail_after(10):
            await first_is_running.wait()
        with pytest.raises(Busy, match=r"busy.*Retry"):
            await validate_code(
                ValidationRequest(code=code, tests=tests), store=store, workspace="w", sandbox=config
            )
    assert outcome["first"].passed
