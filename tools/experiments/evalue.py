"""Anytime-valid e-values for "does showing the rule change how often its pattern recurs?".

What is compared. Every task the rule is relevant to gets an arm by a hash, independently of the
task: treatment (rule shown) with probability s (the share), control otherwise. Tasks are not
paired, so this is an unpaired comparison of two proportions: p_T, the share of treatment tasks in
which the targeted pattern recurred, against p_C for control tasks.

How it is tested. Because the arm does not depend on the task, the arm of a task *given its
outcome* is a coin whose bias says everything about the effect:

    P(treatment | pattern recurred)     = q1 = s*p_T / (s*p_T + (1-s)*p_C)
    P(treatment | pattern did not recur) = q0 = s*(1-p_T) / (s*(1-p_T) + (1-s)*(1-p_C))

If the rule does not reduce errors (p_T >= p_C, the null) then q1 >= s and q0 <= s. For any
alternative theta = (p_T, p_C) with p_T < p_C, the per-task factor P_theta(arm | outcome) / P_s(arm)
therefore has expectation at most 1 under every null, whatever the task's own error rates are.
The product over tasks is a test supermartingale, and so is its average over a fixed prior on
theta. By Ville's inequality P(E ever reaches 1/alpha) <= alpha: one may look after every task and
stop at the first crossing. (Tasks where the pattern recurred carry most of the evidence; the
others add to it when base rates are high. With share 1/2 and only recurrences counted, this is
the discordant-pair e-value of an exact McNemar test.)

The prior, fixed in advance: the control rate p_C on a geometric grid from 1% to 95% (patterns
are often rare) and the relative reduction 1 - p_T/p_C uniform on 5%..95%. Harm is the same test
with the arms swapped (share 1 - s).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

PC_POINTS, PC_LOW, PC_HIGH = 20, 0.01, 0.95
RR_POINTS, RR_LOW, RR_HIGH = 19, 0.05, 0.95


def _geomspace(low: float, high: float, n: int) -> list[float]:
    return [low * (high / low) ** (i / (n - 1)) for i in range(n)]


def _linspace(low: float, high: float, n: int) -> list[float]:
    return [low + (high - low) * i / (n - 1) for i in range(n)]


@lru_cache(maxsize=16)
def _grid(share: float) -> tuple[tuple[float, float, float, float], ...]:
    """Per prior point: log-likelihood-ratio increments for a treatment event, a control event, a
    treatment non-event and a control non-event."""
    if not 0.0 < share < 1.0:
        raise ValueError(f"share must be strictly between 0 and 1 (got {share!r})")
    ls, l1s = math.log(share), math.log1p(-share)
    points = []
    for pc in _geomspace(PC_LOW, PC_HIGH, PC_POINTS):
        for rr in _linspace(RR_LOW, RR_HIGH, RR_POINTS):
            pt = pc * (1.0 - rr)
            q1 = share * pt / (share * pt + (1 - share) * pc)
            q0 = share * (1 - pt) / (share * (1 - pt) + (1 - share) * (1 - pc))
            points.append(
                (math.log(q1) - ls, math.log1p(-q1) - l1s, math.log(q0) - ls, math.log1p(-q0) - l1s)
            )
    return tuple(points)


def _check(t_events: int, t_tasks: int, c_events: int, c_tasks: int) -> None:
    if not (0 <= t_events <= t_tasks and 0 <= c_events <= c_tasks):
        raise ValueError(
            f"counts must satisfy 0 <= events <= tasks (got treatment {t_events}/{t_tasks}, control {c_events}/{c_tasks})"
        )


def log_benefit_e_value(t_events: int, t_tasks: int, c_events: int, c_tasks: int, share: float) -> float:
    """log E against "the rule does not reduce the event rate" (p_T >= p_C)."""
    _check(t_events, t_tasks, c_events, c_tasks)
    a, b, c, d = t_events, c_events, t_tasks - t_events, c_tasks - c_events
    values = [a * x1 + b * y1 + c * x0 + d * y0 for x1, y1, x0, y0 in _grid(share)]
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values) / len(values))


def log_harm_e_value(t_events: int, t_tasks: int, c_events: int, c_tasks: int, share: float) -> float:
    """log E against "the rule does not increase the event rate" (p_T <= p_C): the arms swapped."""
    return log_benefit_e_value(c_events, c_tasks, t_events, t_tasks, 1.0 - share)


def benefit_e_value(t_events: int, t_tasks: int, c_events: int, c_tasks: int, share: float) -> float:
    return math.exp(min(log_benefit_e_value(t_events, t_tasks, c_events, c_tasks, share), 700.0))


def harm_e_value(t_events: int, t_tasks: int, c_events: int, c_tasks: int, share: float) -> float:
    return math.exp(min(log_harm_e_value(t_events, t_tasks, c_events, c_tasks, share), 700.0))


def log_benefit_e_values(
    t_events: Any, t_tasks: Any, c_events: Any, c_tasks: Any, share: float
) -> np.ndarray:
    """`log_benefit_e_value` over arrays of counts (same grid, same arithmetic), for simulations."""
    import numpy as np

    grid = np.asarray(_grid(share))
    a = np.asarray(t_events, dtype=float)[..., None]
    b = np.asarray(c_events, dtype=float)[..., None]
    c = np.asarray(t_tasks, dtype=float)[..., None] - a
    d = np.asarray(c_tasks, dtype=float)[..., None] - b
    values = a * grid[:, 0] + b * grid[:, 1] + c * grid[:, 2] + d * grid[:, 3]
    top = values.max(axis=-1)
    return top + np.log(np.exp(values - top[..., None]).mean(axis=-1))


def log_harm_e_values(t_events: Any, t_tasks: Any, c_events: Any, c_tasks: Any, share: float) -> np.ndarray:
    return log_benefit_e_values(c_events, c_tasks, t_events, t_tasks, 1.0 - share)
