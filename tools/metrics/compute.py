"""learning_metrics: is the workspace making fewer errors, and which rules are responsible?"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import UTC, datetime

from store import NotFound
from store.base import Store
from store.learning import TaskErrorSummary
from tools.experiments.arms import is_holdout
from tools.experiments.config import DEFAULT_CONFIG, LearningConfig
from tools.experiments.intervals import exact_rate, rate_difference
from tools.experiments.views import effectiveness

from .models import (
    CostSummary,
    DifferenceOut,
    HoldoutComparison,
    LearningMetrics,
    PatternRecurrence,
    RateOut,
    RuleEffect,
    Window,
)
from .render import metrics_markdown


def rate(events: int, n: int) -> RateOut:
    r = exact_rate(events, n)
    return RateOut(events=events, n=n, rate=r.rate, low=r.low, high=r.high)


def difference(later: RateOut, earlier: RateOut) -> DifferenceOut | None:
    if not later.n or not earlier.n:
        return None
    d = rate_difference((later.events, later.n), (earlier.events, earlier.n))
    return DifferenceOut(mean=d.mean, low=d.low, high=d.high, prob_lower=d.prob_lower)


def _mean(values: Sequence[float]) -> float:
    return float(statistics.fmean(values)) if values else 0.0


def windows(tasks: Sequence[TaskErrorSummary], size: int) -> list[Window]:
    out = []
    for index, start in enumerate(range(0, len(tasks), size)):
        chunk = tasks[start : start + size]
        out.append(
            Window(
                index=index,
                first_task_id=chunk[0].task_id,
                last_task_id=chunk[-1].task_id,
                start=chunk[0].created_at,
                tasks=len(chunk),
                error_rate=rate(sum(1 for t in chunk if t.errors), len(chunk)),
                errors_per_task=_mean([t.errors for t in chunk]),
                succeeded=rate(sum(1 for t in chunk if t.status == "succeeded"), len(chunk)),
                tokens_per_task=_mean([t.tokens for t in chunk]),
                cost_per_task=_mean([t.cost_usd for t in chunk]),
            )
        )
    return out


def cost_summary(tasks: Sequence[TaskErrorSummary]) -> CostSummary:
    durations = [(t.completed_at - t.created_at).total_seconds() for t in tasks if t.completed_at is not None]
    return CostSummary(
        tasks=len(tasks),
        tokens_mean=_mean([t.tokens for t in tasks]),
        tokens_median=float(statistics.median([t.tokens for t in tasks])) if tasks else 0.0,
        tokens_max=max((t.tokens for t in tasks), default=0),
        cost_mean=_mean([t.cost_usd for t in tasks]),
        cost_median=float(statistics.median([t.cost_usd for t in tasks])) if tasks else 0.0,
        cost_total=float(sum(t.cost_usd for t in tasks)),
        duration_median_s=float(statistics.median(durations)) if durations else None,
    )


async def _recurrences(
    store: Store, workspace: str, tasks: Sequence[TaskErrorSummary], config: LearningConfig
) -> list[PatternRecurrence]:
    adopted_at: dict[str, datetime] = {}
    for op in await store.protocol_ops(workspace):
        if op.after.status == "adopted" and (op.before is None or op.before.status != "adopted"):
            adopted_at.setdefault(op.rule_id, op.created_at)
    if not adopted_at:
        return []
    out = []
    for rule in await store.list_rules(workspace, rule_ids=list(adopted_at)):
        if rule.pattern_id is None:
            continue
        try:
            pattern = await store.get_pattern(workspace, rule.pattern_id)
        except NotFound:
            continue
        when = adopted_at[rule.rule_id]
        before = [t for t in tasks if t.created_at < when]
        after = [
            t
            for t in tasks
            if t.created_at >= when and not is_holdout(workspace, t.task_id, config.holdout_share)
        ]
        b = rate(sum(1 for t in before if pattern.pattern_id in t.pattern_ids), len(before))
        a = rate(sum(1 for t in after if pattern.pattern_id in t.pattern_ids), len(after))
        out.append(
            PatternRecurrence(
                pattern_id=pattern.pattern_id,
                title=pattern.title,
                rule_id=rule.rule_id,
                adopted_at=when,
                before=b,
                after=a,
                change=difference(a, b),
            )
        )
    return out


async def _rule_effects(store: Store, workspace: str) -> list[RuleEffect]:
    latest = {}
    for experiment in await store.list_experiments(workspace):
        latest[experiment.rule_id] = experiment
    out = []
    for rule in await store.list_rules(workspace):
        experiment = latest.get(rule.rule_id)
        if rule.status == "retired" and experiment is None:
            continue
        out.append(
            RuleEffect(
                rule_id=rule.rule_id,
                text=rule.text,
                scope=rule.scope,
                status=rule.status,
                effectiveness=None if experiment is None else effectiveness(experiment),
            )
        )
    return out


async def learning_metrics(
    *, store: Store, workspace: str, config: LearningConfig = DEFAULT_CONFIG, window: int = 10
) -> LearningMetrics:
    """Error rate per window of closed tasks, per-pattern recurrence before/after adoption, each
    rule's measured effect, the hold-out comparison, and cost per task; with markdown."""
    if window < 1:
        raise ValueError(f"'window' must be >= 1 (got {window!r})")
    tasks = await store.task_error_summaries(workspace)
    curve = windows(tasks, window)
    held = [t for t in tasks if is_holdout(workspace, t.task_id, config.holdout_share)]
    rest = [t for t in tasks if not is_holdout(workspace, t.task_id, config.holdout_share)]
    holdout_rate = rate(sum(1 for t in held if t.errors), len(held))
    protocol_rate = rate(sum(1 for t in rest if t.errors), len(rest))
    metrics = LearningMetrics(
        workspace=workspace,
        generated_at=datetime.now(UTC),
        tasks=len(tasks),
        errors=sum(t.errors for t in tasks),
        window_size=window,
        windows=curve,
        trend=difference(curve[-1].error_rate, curve[0].error_rate) if len(curve) >= 2 else None,
        patterns=await _recurrences(store, workspace, tasks, config),
        rules=await _rule_effects(store, workspace),
        holdout=HoldoutComparison(
            holdout=holdout_rate, protocol=protocol_rate, difference=difference(protocol_rate, holdout_rate)
        ),
        cost=cost_summary(tasks),
        markdown="",
    )
    return metrics.model_copy(update={"markdown": metrics_markdown(metrics)})
