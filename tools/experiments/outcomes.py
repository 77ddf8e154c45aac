"""Outcomes of a closed task, from the server's own records, fed to the experiments.

For each rule the task was exposed to (shown, or withheld as control, or held out):

- *recurred*: the task's errors include the rule's targeted pattern (after merges). Only errors
  the server recorded count, and ``review`` reports never do: a model's opinion of its own work
  is not an error signal.
- *succeeded*: the task was closed as ``succeeded``.

The helpful/harmful counters are attribution, not evidence (the experiment is the evidence): a
rule shown to a task gets *harmful* when its pattern recurred anyway, *helpful* when the task
succeeded without it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from store import NotFound, StoredError, TaskRecord
from store.base import Store
from store.learning import ObservationRecord, Outcome
from tools.concurrently import concurrently

from .config import LearningConfig
from .lifecycle import Decision, apply_gate, promote_candidates


async def _task_errors(store: Store, workspace: str, task_id: str) -> list[StoredError]:
    errors: list[StoredError] = []
    after: str | None = None
    while True:
        page = await store.list_errors(workspace, task_id=task_id, after_id=after, limit=500)
        errors.extend(page)
        if len(page) < 500:
            return errors
        after = page[-1].error_id


class _Patterns:
    """Resolves pattern ids through merges, once each."""

    def __init__(self, store: Store, workspace: str) -> None:
        self._store = store
        self._workspace = workspace
        self._cache: dict[str, str] = {}

    async def resolve(self, pattern_ids: Iterable[str]) -> dict[str, str]:
        """Each id's live pattern. The lookups run side by side: under load each round trip waits
        its turn in a busy event loop, and a task may touch a dozen patterns."""
        wanted = list(dict.fromkeys(pattern_ids))
        await concurrently(
            *(
                functools.partial(self._look_up, pattern_id)
                for pattern_id in wanted
                if pattern_id not in self._cache
            )
        )
        return {pattern_id: self._cache[pattern_id] for pattern_id in wanted}

    async def _look_up(self, pattern_id: str) -> None:
        try:
            self._cache[pattern_id] = (await self._store.get_pattern(self._workspace, pattern_id)).pattern_id
        except NotFound:
            self._cache[pattern_id] = pattern_id


async def task_patterns(store: Store, workspace: str, task_id: str) -> tuple[int, set[str]]:
    """(count of counted errors, live pattern ids among them) for a task."""
    counted = [e for e in await _task_errors(store, workspace, task_id) if e.source != "review"]
    live = await _Patterns(store, workspace).resolve(e.pattern_id for e in counted)
    return len(counted), set(live.values())


async def record_task_outcome(
    store: Store, workspace: str, task: TaskRecord, config: LearningConfig, *, seen: set[str]
) -> tuple[list[ObservationRecord], list[Decision]]:
    """Record the closed task's outcome for every rule it was exposed to; run the gate of every
    experiment that moved. `seen` is the task's live patterns (`task_patterns`). Returns the task's
    observations with their outcomes (recorded now or by an earlier call) and the decisions taken."""
    exposures = await store.list_observations(workspace, task_id=task.task_id)
    pending = [o for o in exposures if o.recurred is None]
    recorded = [o for o in exposures if o.recurred is not None]  # by an earlier call for this task
    if not pending:
        return recorded, []
    rules = await store.list_rules(workspace, rule_ids=[o.rule_id for o in pending])
    targets = await _Patterns(store, workspace).resolve(r.pattern_id for r in rules if r.pattern_id)
    succeeded = task.status == "succeeded"
    outcomes = [
        Outcome(
            rule.rule_id,
            recurred=rule.pattern_id is not None and targets[rule.pattern_id] in seen,
            succeeded=succeeded,
        )
        for rule in rules  # a rule deleted since the exposure has nothing to record
    ]
    filled = await store.record_outcomes(workspace, task.task_id, outcomes)
    votes = {
        o.rule_id: (int(succeeded and not o.recurred), int(bool(o.recurred)))
        for o in filled
        if o.arm == "treatment"
    }
    if any(h or b for h, b in votes.values()):
        await store.vote_rules(workspace, {k: v for k, v in votes.items() if any(v)})
    moved = {o.experiment_id for o in filled if o.experiment_id}
    running = [
        e for e in await store.list_experiments(workspace, statuses=["running"]) if e.experiment_id in moved
    ]
    # Independent experiments: their gates run side by side.
    gated = await concurrently(*(functools.partial(apply_gate, store, workspace, e) for e in running))
    decisions = [decision for decision in gated if decision is not None]
    if decisions:
        await promote_candidates(store, workspace, config)
    return sorted(recorded + filled, key=lambda o: int(o.rule_id.split("-")[1])), decisions
