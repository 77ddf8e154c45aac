"""Rates with intervals: exact (Clopper-Pearson) per arm, Bayesian for the difference.

Small samples are the normal case here, so no Wald/CLT intervals anywhere (see Bowyer et al.,
"Don't use the CLT in LLM evals with fewer than a few hundred datapoints").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from tools.evaluation.stats import clopper_pearson


@dataclass(frozen=True, slots=True)
class Rate:
    events: int
    n: int
    rate: float | None
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class Difference:
    """p_treatment - p_control under independent Beta(1+k, 1+n-k) posteriors."""

    mean: float
    low: float
    high: float
    prob_lower: float
    """Posterior probability that the treatment rate is below the control rate."""


# Both are pure functions of a few counts, asked again for every rule in every protocol answer while
# the counts move slowly; the Monte Carlo difference costs milliseconds each time.
@functools.lru_cache(maxsize=4096)
def exact_rate(events: int, n: int, *, level: float = 0.95) -> Rate:
    """The observed rate with its two-sided Clopper-Pearson interval (0..1 when n is 0)."""
    if n <= 0:
        return Rate(events=0, n=0, rate=None, low=0.0, high=1.0)
    interval = clopper_pearson(events, n, level)
    assert interval.low is not None and interval.high is not None
    return Rate(events=events, n=n, rate=interval.value, low=interval.low, high=interval.high)


@functools.lru_cache(maxsize=4096)
def rate_difference(
    treatment: tuple[int, int],
    control: tuple[int, int],
    *,
    level: float = 0.95,
    draws: int = 20000,
    seed: int = 0,
) -> Difference:
    """Posterior of p_T - p_C from (events, n) of each arm with uniform priors, by seeded Monte Carlo."""
    import numpy as np

    rng = np.random.default_rng(seed)
    (kt, nt), (kc, nc) = treatment, control
    pt = rng.beta(1 + kt, 1 + nt - kt, draws)
    pc = rng.beta(1 + kc, 1 + nc - kc, draws)
    diff = pt - pc
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(diff, [tail, 1.0 - tail])
    return Difference(
        mean=float(diff.mean()), low=float(low), high=float(high), prob_lower=float((pt < pc).mean())
    )
