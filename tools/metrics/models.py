"""What learning_metrics reports. Every rate carries an exact 95% interval."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from tools.experiments.views import Effectiveness


class RateOut(BaseModel):
    events: int = Field(description="Count of the event (tasks with errors, tasks with the pattern...).")
    n: int = Field(description="Out of this many tasks.")
    rate: float | None = Field(description="events / n, or null when n is 0.")
    low: float = Field(description="Lower end of the exact (Clopper-Pearson) 95% interval.")
    high: float = Field(description="Upper end of the exact 95% interval.")


class DifferenceOut(BaseModel):
    mean: float = Field(description="Posterior mean of (later rate - earlier rate).")
    low: float = Field(description="Lower end of its 95% credible interval.")
    high: float = Field(description="Upper end of its 95% credible interval.")
    prob_lower: float = Field(description="Posterior probability that the later rate is lower.")


class Window(BaseModel):
    index: int = Field(description="0 for the oldest window.")
    first_task_id: str = Field(description="First task of the window.")
    last_task_id: str = Field(description="Last task of the window.")
    start: datetime = Field(description="When its first task was created (UTC).")
    tasks: int = Field(description="Closed tasks in the window.")
    error_rate: RateOut = Field(description="Tasks with at least one error.")
    errors_per_task: float = Field(description="Mean errors per task.")
    succeeded: RateOut = Field(description="Tasks closed as succeeded.")
    tokens_per_task: float = Field(description="Mean tokens per task.")
    cost_per_task: float = Field(description="Mean cost per task, US dollars.")


class PatternRecurrence(BaseModel):
    pattern_id: str = Field(description="The pattern.")
    title: str = Field(description="Its title.")
    rule_id: str = Field(description="The adopted rule that targets it.")
    adopted_at: datetime = Field(description="When the rule was adopted (UTC).")
    before: RateOut = Field(description="Tasks with the pattern among tasks started before adoption.")
    after: RateOut = Field(
        description="Tasks with the pattern among non-hold-out tasks started after adoption."
    )
    change: DifferenceOut | None = Field(description="after - before, when both have tasks.")


class RuleEffect(BaseModel):
    rule_id: str = Field(description="The rule.")
    text: str = Field(description="Its text.")
    scope: str = Field(description="Its taxonomy category.")
    status: str = Field(description="candidate, trial, adopted or retired.")
    effectiveness: Effectiveness | None = Field(description="Its latest experiment's measurement, if any.")


class HoldoutComparison(BaseModel):
    holdout: RateOut = Field(description="Error rate of hold-out tasks (baseline protocol only).")
    protocol: RateOut = Field(description="Error rate of the other tasks (current protocol).")
    difference: DifferenceOut | None = Field(description="protocol - holdout, when both have tasks.")


class CostSummary(BaseModel):
    tasks: int = Field(description="Closed tasks.")
    tokens_mean: float = Field(description="Mean tokens per task.")
    tokens_median: float = Field(description="Median tokens per task.")
    tokens_max: int = Field(description="Most tokens any task used.")
    cost_mean: float = Field(description="Mean cost per task, US dollars.")
    cost_median: float = Field(description="Median cost per task, US dollars.")
    cost_total: float = Field(description="Total cost, US dollars.")
    duration_median_s: float | None = Field(description="Median seconds from decompose to completion.")


class LearningMetrics(BaseModel):
    workspace: str = Field(description="The workspace measured.")
    generated_at: datetime = Field(description="When (UTC).")
    tasks: int = Field(description="Closed tasks.")
    errors: int = Field(description="Errors recorded on them.")
    window_size: int = Field(description="Tasks per window of the learning curve.")
    windows: list[Window] = Field(
        description="The learning curve: error rate per window of tasks, oldest first."
    )
    trend: DifferenceOut | None = Field(description="Error rate of the last window minus the first.")
    patterns: list[PatternRecurrence] = Field(
        description="Recurrence of each targeted pattern before and after adoption."
    )
    rules: list[RuleEffect] = Field(description="Every live or measured rule with its measured effect.")
    holdout: HoldoutComparison = Field(
        description="The cumulative effect of learning: protocol tasks vs hold-out."
    )
    cost: CostSummary = Field(description="Cost and tokens per task.")
    markdown: str = Field(description="The report as markdown.")
