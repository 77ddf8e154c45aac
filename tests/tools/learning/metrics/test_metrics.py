"""learning_metrics: the learning curve, recurrence before/after adoption, rule effects, cost."""

from __future__ import annotations

from dataclasses import replace

import pytest

from store.base import Store
from store.learning import RuleChange
from tools.experiments.arms import is_holdout
from tools.experiments.config import LearningConfig
from tools.insights import maybe_auto_insight
from tools.metrics import learning_metrics, write_learning_curve

from ..helpers import confirmed_pattern, error

pytestmark = pytest.mark.anyio
CONFIG = LearningConfig(holdout_share=0.2)


async def close(store: Store, workspace: str, index: int, *, errors: int, tokens: int = 1000) -> str:
    task = await store.create_task(workspace, f"Pair neighbouring items, variant {index}", domain="python")
    for _ in range(errors):
        await store.add_error(workspace, error("v1:index", task_id=task.task_id))
    status = "failed" if errors else "succeeded"
    await store.complete_task(
        workspace, task.task_id, status=status, tokens=tokens, cost_usd=tokens / 100_000
    )
    return task.task_id


async def test_the_learning_curve_reports_each_window_with_exact_intervals(
    store: Store, workspace: str
) -> None:
    for i in range(10):
        await close(store, workspace, i, errors=1 if i % 2 == 0 else 0)  # 50% of tasks with errors
    for i in range(10, 20):
        await close(store, workspace, i, errors=1 if i % 5 == 0 else 0, tokens=500)  # 20%
    metrics = await learning_metrics(store=store, workspace=workspace, config=CONFIG, window=10)

    assert metrics.tasks == 20 and metrics.errors == 7 and [w.tasks for w in metrics.windows] == [10, 10]
    first, second = metrics.windows
    assert (first.error_rate.events, first.error_rate.n, first.error_rate.rate) == (5, 10, 0.5)
    assert first.error_rate.low == pytest.approx(0.187, abs=0.001) and first.error_rate.high == pytest.approx(
        0.813, abs=0.001
    )
    assert second.error_rate.rate == 0.2 and second.tokens_per_task == 500
    assert metrics.trend is not None and metrics.trend.mean < 0 and metrics.trend.low < 0 < metrics.trend.high
    assert (
        metrics.cost.tasks == 20
        and metrics.cost.tokens_mean == 750
        and metrics.cost.cost_total == pytest.approx(0.15)
    )
    assert "5/10 = 50% (95% CI 19%-81%)" in metrics.markdown


async def test_a_patterns_recurrence_is_compared_before_and_after_its_rule_was_adopted(
    store: Store, workspace: str
) -> None:
    pattern = await confirmed_pattern(store, workspace)  # two tasks, both with the pattern
    for i in range(8):
        await close(store, workspace, i, errors=1 if i < 4 else 0)
    proposed = await maybe_auto_insight(pattern.pattern_id, store=store, workspace=workspace, config=CONFIG)
    assert proposed is not None
    rule = await store.get_rule(workspace, proposed.rule.id)
    await store.change_protocol(
        workspace,
        [RuleChange("edit", rule.rule_id, after=replace(rule.state, status="adopted"))],
        note="adopted",
    )
    after = [await close(store, workspace, 100 + i, errors=1 if i == 0 else 0) for i in range(12)]

    metrics = await learning_metrics(store=store, workspace=workspace, config=CONFIG)

    [recurrence] = metrics.patterns
    assert (recurrence.pattern_id, recurrence.rule_id) == (pattern.pattern_id, rule.rule_id)
    assert (recurrence.before.events, recurrence.before.n) == (6, 10)
    visible = [t for t in after if not is_holdout(workspace, t, CONFIG.holdout_share)]
    assert recurrence.after.n == len(visible)
    assert recurrence.change is not None and recurrence.change.mean < 0
    assert [r.rule_id for r in metrics.rules] == [rule.rule_id]
    assert metrics.rules[0].effectiveness is not None
    everyone = await store.task_error_summaries(workspace)
    held = sum(is_holdout(workspace, t.task_id, CONFIG.holdout_share) for t in everyone)
    assert (metrics.holdout.holdout.n, metrics.holdout.protocol.n) == (held, len(everyone) - held)


async def test_an_empty_workspace_reports_no_tasks_rather_than_failing(store: Store, workspace: str) -> None:
    metrics = await learning_metrics(store=store, workspace=workspace)
    assert (metrics.tasks, metrics.windows, metrics.trend, metrics.patterns) == (0, [], None, [])
    assert metrics.holdout.difference is None and "No rule has been adopted yet." in metrics.markdown


async def test_the_learning_curve_is_written_as_a_png(store: Store, workspace: str, tmp_path) -> None:
    pytest.importorskip("matplotlib")
    for i in range(12):
        await close(store, workspace, i, errors=i % 3 == 0)
    metrics = await learning_metrics(store=store, workspace=workspace, window=4)
    path = write_learning_curve(metrics, tmp_path / "out" / "curve.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    empty = write_learning_curve(
        await learning_metrics(store=store, workspace="nobody"), tmp_path / "empty.png"
    )
    assert empty.stat().st_size > 0
