"""validate_code's verdicts agree with reality on a labelled set of correct and buggy solutions, and each bug
is caught by the stage that should catch it."""

from __future__ import annotations

import anyio
import pytest

from store import open_store
from tools.validate_code import PerfSpec, SandboxConfig, ValidationRequest, ValidationResult, validate_code

from .labelled import SOLUTIONS, TASKS, Solution

pytestmark = pytest.mark.slow


async def _validate_all(config: SandboxConfig) -> dict[int, ValidationResult]:
    store = await open_store("sqlite:///:memory:")
    results: dict[int, ValidationResult] = {}

    async def one(index: int, solution: Solution) -> None:
        task = TASKS[solution.task]
        request = ValidationRequest(
            code=solution.code,
            tests=task.tests,
            level=4 if task.perf else 3,
            perf=PerfSpec(**task.perf) if task.perf else None,
            timeout_s=10,
        )
        results[index] = await validate_code(request, store=store, workspace="labelled", sandbox=config)

    try:
        async with anyio.create_task_group() as tg:
            for index, solution in enumerate(SOLUTIONS):
                tg.start_soon(one, index, solution)
    finally:
        await store.close()
    return results


@pytest.fixture(scope="module")
def verdicts(run_root: str) -> dict[int, ValidationResult]:
    config = SandboxConfig(tmp_dir=run_root, max_queue=len(SOLUTIONS), queue_timeout_s=25, max_timeout_s=15)
    return anyio.run(_validate_all, config)


def test_the_set_covers_enough_tasks_and_solutions() -> None:
    assert len(TASKS) >= 15
    assert len(SOLUTIONS) >= 60
    assert {s.stage for s in SOLUTIONS} == {None, "syntax", "static", "tests", "performance"}


@pytest.mark.parametrize("index", range(len(SOLUTIONS)), ids=[f"{s.task}: {s.label}" for s in SOLUTIONS])
def test_the_verdict_and_the_catching_stage_match_the_label(
    verdicts: dict[int, ValidationResult], index: int
) -> None:
    solution, result = SOLUTIONS[index], verdicts[index]
    explanation = [
        f"{s.name}: {s.summary} {[f.message[:160] for f in s.findings if f.severity == 'error']}"
        for s in result.stages
    ]
    assert result.passed is solution.correct, explanation
    assert result.failed_stage == solution.stage, explanation


def test_verdicts_agree_with_the_labels_every_time(verdicts: dict[int, ValidationResult]) -> None:
    agree = sum(
        verdicts[i].passed is s.correct and verdicts[i].failed_stage == s.stage
        for i, s in enumerate(SOLUTIONS)
    )
    assert agree == len(SOLUTIONS)
