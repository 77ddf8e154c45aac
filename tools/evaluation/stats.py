"""Paired statistics for comparing protocol arms on the same task instances.

The unit is the task instance. Each instance is run under two arms A (control) and B (treatment) and
scored 1 when an error occurred. Only discordant pairs carry information about a difference:
``b`` = A erred and B did not (fixes), ``c`` = B erred and A did not (regressions).

- Accept gate: one-sided exact McNemar, p = P(X >= b) with X ~ Binomial(b + c, 1/2).
- Anytime-valid companion: the e-value E = 2^(n+1) * integral_{1/2}^{1} q^b (1-q)^c dq, n = b + c
  (uniform prior on q in [1/2, 1]); E >= 1/alpha rejects at level alpha at any stopping time.
- Relative reduction RR = 1 - p_B / p_A with a percentile bootstrap that resamples task families
  (clusters), since instances of one family are not independent.
- Per-arm rates with exact Clopper-Pearson intervals; never a Wald interval.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

LEVEL = 0.95


@dataclass(frozen=True, slots=True)
class Interval:
    """A point estimate with a two-sided interval and the method that produced it."""

    value: float | None
    low: float | None
    high: float | None
    method: str

    def excludes_zero(self) -> bool:
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)

    def as_dict(self) -> dict[str, object]:
        return {"value": self.value, "low": self.low, "high": self.high, "method": self.method}


@dataclass(frozen=True, slots=True)
class PairedTable:
    """Counts of paired binary outcomes (1 = error): both, A only (b), B only (c), neither."""

    both: int
    b: int
    c: int
    neither: int

    @property
    def n(self) -> int:
        return self.both + self.b + self.c + self.neither

    @property
    def errors_a(self) -> int:
        return self.both + self.b

    @property
    def errors_b(self) -> int:
        return self.both + self.c

    def relative_reduction(self) -> float | None:
        """1 - p_B / p_A; undefined when arm A made no errors."""
        if self.errors_a == 0:
            return None
        return 1.0 - self.errors_b / self.errors_a

    def difference(self) -> float | None:
        """p_A - p_B (positive when B makes fewer errors)."""
        return (self.b - self.c) / self.n if self.n else None


def paired_table(pairs: Iterable[tuple[bool, bool]]) -> PairedTable:
    """Tabulate (error under A, error under B) pairs."""
    counts = {(True, True): 0, (True, False): 0, (False, True): 0, (False, False): 0}
    for a, b in pairs:
        counts[(bool(a), bool(b))] += 1
    return PairedTable(
        counts[(True, True)], counts[(True, False)], counts[(False, True)], counts[(False, False)]
    )


def mcnemar_one_sided(b: int, c: int) -> float:
    """Exact one-sided McNemar p-value for "B makes fewer errors than A": P(X >= b), X ~ Bin(b+c, 1/2)."""
    if b < 0 or c < 0:
        raise ValueError(f"'b' and 'c' must be non-negative counts (got {b!r}, {c!r})")
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(b, n + 1))
    return float(Fraction(tail, 2**n))


def paired_e_value(b: int, c: int) -> float:
    """E-value for "B makes fewer errors than A" from the discordant pairs (see the module docstring).

    Closed form: with n = b + c, E = sum_{k<=b} C(n+1, k) / ((n+1) * C(n, b)), computed exactly.
    """
    if b < 0 or c < 0:
        raise ValueError(f"'b' and 'c' must be non-negative counts (got {b!r}, {c!r})")
    n = b + c
    numerator = sum(math.comb(n + 1, k) for k in range(b + 1))
    return float(Fraction(numerator, (n + 1) * math.comb(n, b)))


def clopper_pearson(k: int, n: int, level: float = LEVEL) -> Interval:
    """Exact binomial interval for a rate k/n."""
    if not 0 <= k <= n:
        raise ValueError(f"'k' must be between 0 and n={n} (got {k!r})")
    if n == 0:
        return Interval(None, None, None, "Clopper-Pearson (no data)")
    from scipy.stats import beta

    tail = (1.0 - level) / 2.0
    low = 0.0 if k == 0 else float(beta.ppf(tail, k, n - k + 1))
    high = 1.0 if k == n else float(beta.ppf(1.0 - tail, k + 1, n - k))
    return Interval(k / n, low, high, f"Clopper-Pearson exact {level:.0%}")


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm step-down adjusted p-values, in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def spent_alpha(alpha: float, j: int) -> float:
    """Share of alpha for the j-th test of an open-ended stream (j >= 1); the shares sum to at most alpha."""
    if j < 1:
        raise ValueError(f"'j' must be 1 or more (got {j!r})")
    return alpha * 6.0 / (math.pi**2 * j**2)


@dataclass(frozen=True, slots=True)
class Gate:
    """The accept decision for "B reduces errors compared with A" at level alpha."""

    p_value: float
    e_value: float
    alpha: float
    passed: bool


def gate(table: PairedTable, alpha: float) -> Gate:
    """Fixed-N accept gate: one-sided exact McNemar p <= alpha (the e-value is reported beside it)."""
    p = mcnemar_one_sided(table.b, table.c)
    return Gate(p_value=p, e_value=paired_e_value(table.b, table.c), alpha=alpha, passed=p <= alpha)


def cluster_bootstrap_rr(
    pairs_by_cluster: Mapping[str, Sequence[tuple[bool, bool]]],
    *,
    resamples: int = 10_000,
    level: float = LEVEL,
    seed: int = 0,
) -> Interval:
    """Percentile bootstrap interval for RR = 1 - p_B/p_A, resampling whole clusters (task families).

    Resamples in which arm A has no errors leave RR undefined and are dropped; the method string says
    how many were kept.
    """
    import numpy as np

    clusters = [c for c in pairs_by_cluster if pairs_by_cluster[c]]
    if not clusters:
        return Interval(None, None, None, "cluster bootstrap (no data)")
    errors_a = np.array([sum(a for a, _ in pairs_by_cluster[c]) for c in clusters], dtype=float)
    errors_b = np.array([sum(b for _, b in pairs_by_cluster[c]) for c in clusters], dtype=float)
    point = None if errors_a.sum() == 0 else float(1.0 - errors_b.sum() / errors_a.sum())
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(clusters), size=(resamples, len(clusters)))
    sum_a = errors_a[picks].sum(axis=1)
    sum_b = errors_b[picks].sum(axis=1)
    defined = sum_a > 0
    kept = int(defined.sum())
    method = f"percentile bootstrap over {len(clusters)} clusters, {kept} of {resamples} resamples defined"
    if kept == 0:
        return Interval(point, None, None, method)
    rr = 1.0 - sum_b[defined] / sum_a[defined]
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(rr, [tail, 1.0 - tail])
    return Interval(point, float(low), float(high), method)


def paired_posterior(
    table: PairedTable, *, draws: int = 20_000, seed: int = 0, margin: float = 0.2
) -> dict[str, float]:
    """Dirichlet(1,1,1,1) posterior over the four cells: P(p_B < p_A), P(RR > margin), 95% credible RR."""
    import numpy as np

    rng = np.random.default_rng(seed)
    theta = rng.dirichlet([1 + table.both, 1 + table.b, 1 + table.c, 1 + table.neither], size=draws)
    p_a = theta[:, 0] + theta[:, 1]
    p_b = theta[:, 0] + theta[:, 2]
    rr = 1.0 - p_b / p_a
    low, high = np.quantile(rr, [0.025, 0.975])
    return {
        "p_treatment_better": float((p_b < p_a).mean()),
        "p_rr_above_margin": float((rr > margin).mean()),
        "margin": margin,
        "rr_credible_low": float(low),
        "rr_credible_high": float(high),
    }
