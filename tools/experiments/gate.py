"""The adoption gate: adopt, retire, or keep collecting, after every recorded outcome.

Order of checks at each look (all anytime-valid, so looking after every task is allowed):

1. Harm. Two one-sided e-tests in the harmful direction, each at ``harm_alpha / 2`` so that a rule
   with no effect is wrongly retired for harm with probability at most ``harm_alpha``: the targeted
   pattern recurs more often with the rule shown, or tasks fail more often with it shown.
   Either one retires the rule at once.
2. Benefit. The e-value against "the rule does not reduce the targeted pattern" reaches 1/alpha_j:
   adopt. alpha_j is the experiment's share of alpha (`alpha_for`).
3. Futility. The sample cap is reached without 1 or 2: retire.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from store.learning import ArmCounts
from tools.evaluation.stats import spent_alpha

from .evalue import log_benefit_e_value, log_harm_e_value

Action = Literal["continue", "adopt", "retire_harm", "retire_futility"]


def alpha_for(ordinal: int, alpha: float, *, spend: bool = True) -> float:
    """alpha_j = alpha*6/(pi^2*j^2): the levels of an unending sequence of experiments sum to at most alpha."""
    if ordinal < 1:
        raise ValueError(f"'ordinal' must be >= 1 (got {ordinal!r})")
    return spent_alpha(alpha, ordinal) if spend else alpha


def adopt_bar(alpha: float) -> float:
    """log of the e-value at which a rule is adopted."""
    return math.log(1.0 / alpha)


def harm_bar(harm_alpha: float) -> float:
    """log of the e-value at which either harm test retires a rule (each runs at harm_alpha / 2)."""
    return math.log(2.0 / harm_alpha)


@dataclass(frozen=True, slots=True)
class GateResult:
    action: Action
    e_value: float
    """Evidence that the rule reduces the targeted pattern (anytime-valid p <= 1/e)."""
    harm_e_value: float
    """Evidence that the rule increases the targeted pattern."""
    failure_harm_e_value: float
    """Evidence that tasks shown the rule fail more often."""
    reason: str


def _exp(log_value: float) -> float:
    return math.exp(min(log_value, 700.0))


def _counts(arm: ArmCounts) -> str:
    return f"{arm.events}/{arm.tasks}"


def evaluate(
    treatment: ArmCounts,
    control: ArmCounts,
    *,
    share: float,
    alpha: float,
    harm_alpha: float,
    sample_cap: int,
) -> GateResult:
    t, c = treatment, control
    log_e = log_benefit_e_value(t.events, t.tasks, c.events, c.tasks, share)
    log_harm = log_harm_e_value(t.events, t.tasks, c.events, c.tasks, share)
    log_fail_harm = log_harm_e_value(t.failures, t.tasks, c.failures, c.tasks, share)
    e, harm, fail_harm = _exp(log_e), _exp(log_harm), _exp(log_fail_harm)
    n = treatment.tasks + control.tasks
    seen = f"after {n} tasks: targeted pattern in {_counts(treatment)} treatment vs {_counts(control)} control tasks"
    if log_harm >= harm_bar(harm_alpha):
        return GateResult(
            "retire_harm",
            e,
            harm,
            fail_harm,
            f"harmful: the targeted pattern recurs more often with the rule shown (e={harm:.3g} >= {2 / harm_alpha:.3g}) {seen}",
        )
    if log_fail_harm >= harm_bar(harm_alpha):
        return GateResult(
            "retire_harm",
            e,
            harm,
            fail_harm,
            f"harmful: tasks fail more often with the rule shown ({treatment.failures}/{treatment.tasks} vs "
            f"{control.failures}/{control.tasks}, e={fail_harm:.3g} >= {2 / harm_alpha:.3g})",
        )
    if log_e >= adopt_bar(alpha):
        return GateResult(
            "adopt",
            e,
            harm,
            fail_harm,
            f"adopted: the rule reduces the targeted pattern (e={e:.3g} >= 1/alpha={1 / alpha:.3g}) {seen}",
        )
    if n >= sample_cap:
        return GateResult(
            "retire_futility",
            e,
            harm,
            fail_harm,
            f"retired: no proven reduction within the sample cap of {sample_cap} tasks (e={e:.3g} < {1 / alpha:.3g}) {seen}",
        )
    return GateResult(
        "continue", e, harm, fail_harm, f"collecting evidence (e={e:.3g}, needs {1 / alpha:.3g}) {seen}"
    )
