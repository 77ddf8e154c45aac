"""How experiments and their evidence are shown to clients: rates with intervals, never bare ratios."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from store.learning import ArmCounts, ExperimentRecord

from .intervals import exact_rate, rate_difference


class ArmRate(BaseModel):
    tasks: int = Field(description="Tasks of this arm with a recorded outcome.")
    events: int = Field(description="Of those, tasks in which the targeted pattern recurred.")
    rate: float | None = Field(description="events / tasks, or null before any outcome.")
    low: float = Field(description="Lower end of the exact (Clopper-Pearson) 95% interval of the rate.")
    high: float = Field(description="Upper end of the exact 95% interval of the rate.")


class Effectiveness(BaseModel):
    experiment_id: str = Field(description='The experiment that measured the rule ("ex-4").')
    status: str = Field(description="running, adopted, retired or stopped.")
    treatment: ArmRate = Field(description="Tasks that were shown the rule.")
    control: ArmRate = Field(description="Tasks that were not shown the rule.")
    holdout: ArmRate = Field(description="Hold-out tasks (baseline protocol only).")
    difference: float | None = Field(
        description="Posterior mean of (treatment rate - control rate); negative means the rule reduces the pattern."
    )
    difference_low: float | None = Field(
        description="Lower end of the 95% credible interval of the difference."
    )
    difference_high: float | None = Field(
        description="Upper end of the 95% credible interval of the difference."
    )
    prob_reduces: float | None = Field(description="Posterior probability that the rule lowers the rate.")
    e_value: float = Field(description="Anytime-valid evidence that the rule reduces the pattern.")
    e_needed: float = Field(
        description="The e-value at which the rule is adopted (1 / alpha of this experiment)."
    )
    p_value: float = Field(description="Anytime-valid p-value, 1 / (largest e-value seen), capped at 1.")
    decision: str | None = Field(description="Why the experiment ended, once it has.")
    summary: str = Field(description="One line for people and models.")


class ExperimentOut(BaseModel):
    experiment_id: str = Field(description='Experiment id ("ex-4").')
    rule_id: str = Field(description="The rule on trial.")
    status: str = Field(description="running, adopted, retired or stopped.")
    treatment_share: float = Field(description="Share of tasks that see the rule while it is on trial.")
    alpha: float = Field(description="Level the adoption test runs at (after alpha spending).")
    sample_cap: int = Field(description="Outcomes after which an unproven rule retires.")
    started_at: datetime = Field(description="When the trial started (UTC).")
    decided_at: datetime | None = Field(description="When it ended (UTC), if it has.")
    effectiveness: Effectiveness = Field(description="What has been measured so far.")


def _arm(counts: ArmCounts) -> ArmRate:
    rate = exact_rate(counts.events, counts.tasks)
    return ArmRate(tasks=counts.tasks, events=counts.events, rate=rate.rate, low=rate.low, high=rate.high)


def _pct(arm: ArmRate) -> str:
    if arm.rate is None:
        return "no tasks yet"
    return f"{arm.events}/{arm.tasks} tasks ({arm.rate:.0%}, 95% CI {arm.low:.0%}-{arm.high:.0%})"


def effectiveness(experiment: ExperimentRecord) -> Effectiveness:
    treatment, control = _arm(experiment.treatment), _arm(experiment.control)
    if experiment.treatment.tasks and experiment.control.tasks:
        diff = rate_difference(
            (experiment.treatment.events, experiment.treatment.tasks),
            (experiment.control.events, experiment.control.tasks),
        )
        difference, low, high, prob = diff.mean, diff.low, diff.high, diff.prob_lower
        change = f"; difference {difference:+.0%} (95% CrI {low:+.0%} to {high:+.0%})"
    else:
        difference = low = high = prob = None
        change = ""
    e_needed = 1.0 / experiment.alpha
    summary = (
        f"targeted pattern with the rule: {_pct(treatment)}; without: {_pct(control)}{change}; "
        f"e={experiment.e_value:.3g} (adopt at {e_needed:.3g})"
    )
    return Effectiveness(
        experiment_id=experiment.experiment_id,
        status=experiment.status,
        treatment=treatment,
        control=control,
        holdout=_arm(experiment.holdout),
        difference=difference,
        difference_low=low,
        difference_high=high,
        prob_reduces=prob,
        e_value=experiment.e_value,
        e_needed=e_needed,
        p_value=experiment.p_value,
        decision=experiment.decision,
        summary=summary,
    )


def experiment_out(experiment: ExperimentRecord) -> ExperimentOut:
    return ExperimentOut(
        experiment_id=experiment.experiment_id,
        rule_id=experiment.rule_id,
        status=experiment.status,
        treatment_share=experiment.share,
        alpha=experiment.alpha,
        sample_cap=experiment.sample_cap,
        started_at=experiment.started_at,
        decided_at=experiment.decided_at,
        effectiveness=effectiveness(experiment),
    )
