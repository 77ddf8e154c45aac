"""Power and error rates of the adoption gate, by simulation (for choosing alpha and the sample cap).

Each run is one experiment: tasks arrive one at a time, each in the treatment arm with probability
`share`, and the targeted pattern recurs at the arm's rate. The gate looks after every task, in the
order `gate.evaluate` uses (harm, then adoption, then the cap). The e-values are the ones of
`evalue`, updated multiplicatively per prior point so that thousands of runs take a second; a test
checks the result against `gate.evaluate` run by run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .evalue import _grid
from .gate import adopt_bar, harm_bar

NAMES = {1: "adopt", 2: "retire_harm", 3: "retire_futility"}


@dataclass(frozen=True, slots=True)
class SimulationResult:
    runs: int
    adopted: float
    """Share of runs that adopted the rule."""
    retired_harm: float
    retired_futility: float
    mean_tasks_to_adopt: float | None
    mean_tasks_to_harm: float | None
    decisions: tuple[str, ...] = ()
    """Per run: adopt, retire_harm or retire_futility."""
    tasks_used: tuple[int, ...] = ()
    """Per run: the task after which it was decided."""


def draw_tasks(
    p_treatment: float, p_control: float, *, share: float, sample_cap: int, runs: int, seed: int
) -> tuple[Any, Any]:
    """(treated, event) boolean arrays of shape (runs, sample_cap)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    treated = rng.random((runs, sample_cap)) < share
    u = rng.random((runs, sample_cap))
    return treated, np.where(treated, u < p_treatment, u < p_control)


def simulate_gate(
    p_treatment: float,
    p_control: float,
    *,
    alpha: float,
    harm_alpha: float = 0.05,
    share: float = 0.5,
    sample_cap: int = 400,
    runs: int = 2000,
    seed: int = 0,
) -> SimulationResult:
    """Simulate `runs` experiments; a task fails exactly when the targeted pattern recurs."""
    import numpy as np

    treated, event = draw_tasks(
        p_treatment, p_control, share=share, sample_cap=sample_cap, runs=runs, seed=seed
    )
    # Task kinds: 0 treatment event, 1 control event, 2 treatment non-event, 3 control non-event.
    kind = np.where(event, np.where(treated, 0, 1), np.where(treated, 2, 3))
    benefit = np.exp(np.asarray(_grid(share)))  # columns in the same kind order
    swapped = np.exp(np.asarray(_grid(1.0 - share)))
    harm = swapped[:, [1, 0, 3, 2]]  # harm is the benefit test with the arms swapped
    m_benefit = np.ones((runs, benefit.shape[0]))
    m_harm = np.ones((runs, harm.shape[0]))
    decided = np.zeros(runs, dtype=np.int8)  # 0 running, 1 adopted, 2 harm, 3 futility
    when = np.zeros(runs, dtype=np.int32)
    bar_adopt, bar_harm = math.exp(adopt_bar(alpha)), math.exp(harm_bar(harm_alpha))
    for step in range(sample_cap):
        live = decided == 0
        if not live.any():
            break
        k = kind[live, step]
        m_benefit[live] *= benefit[:, k].T
        m_harm[live] *= harm[:, k].T
        e = m_benefit[live].mean(axis=1)
        h = m_harm[live].mean(axis=1)
        outcome = np.where(h >= bar_harm, 2, np.where(e >= bar_adopt, 1, 3 if step == sample_cap - 1 else 0))
        index = np.flatnonzero(live)
        decided[index] = outcome
        when[index[outcome > 0]] = step + 1

    def mean_when(code: int) -> float | None:
        chosen = when[decided == code]
        return float(chosen.mean()) if chosen.size else None

    return SimulationResult(
        runs=runs,
        adopted=float((decided == 1).mean()),
        retired_harm=float((decided == 2).mean()),
        retired_futility=float((decided == 3).mean()),
        mean_tasks_to_adopt=mean_when(1),
        mean_tasks_to_harm=mean_when(2),
        decisions=tuple(NAMES[int(code)] for code in decided),
        tasks_used=tuple(int(n) for n in when),
    )
