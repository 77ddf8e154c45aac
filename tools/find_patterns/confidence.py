"""How sure we are that a pattern is a real, recurring mistake rather than noise."""

from __future__ import annotations


def confidence(*, frequency: int, distinct_tasks: int, cohesion: float) -> float:
    """A number in [0, 1]::

        recurrence = 1 - 0.5 ** distinct_tasks        # 0 tasks: 0, 1: 0.5, 2: 0.75, 3: 0.875
        volume     = 1 - 0.5 ** (frequency / 2)       # 1 error: 0.29, 2: 0.5, 4: 0.75, 8: 0.94
        confidence = cohesion * (0.6 * recurrence + 0.4 * volume)

    Recurrence across distinct tasks weighs most: one task failing ten times is one stuck
    attempt, while three tasks failing the same way is a habit. Cohesion (how alike the merged
    groups are; 1.0 for a single fingerprint) scales the whole, so a loosely merged pattern is
    trusted less. The result never decreases when frequency, distinct tasks or cohesion grow.
    """
    frequency = max(frequency, 0)
    distinct_tasks = max(distinct_tasks, 0)
    cohesion = min(max(cohesion, 0.0), 1.0)
    recurrence = 1 - 0.5**distinct_tasks
    volume = 1 - 0.5 ** (frequency / 2)
    return round(cohesion * (0.6 * recurrence + 0.4 * volume), 3)
