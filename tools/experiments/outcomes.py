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

from store import NotFound, StoredError, TaskRecord
from store.base import Store
from store.learning import ObservationRecord, Outcome

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

    async def live(self, pattern_id: str) -> str:
        if pattern_id not in self._cache:
            try:
                self._cache[pattern_id] = (
                    await self._store.get_pattern(self._workspace, pattern_id)
                ).pattern_id
            except NotFound:
                self._cache[pattern_id] = pattern_id
        return self._cache[pattern_id]


async def task_patterns(store: Store, workspace: str, task_id: str) -> tuple[int, set[str]]:
    """(count of counted errors, live pattern ids among them) for a task."""
    patterns = _Patterns(store, workspace)
    counted = [e for e in await _task_errors(store, workspace, task_id) if e.source != "review"]
    return len(counted), {await patterns.live(e.pattern_id) for e in counted}


async def record_task_outcome(
    store: Store, workspace: str, task: TaskRecord, config: LearningConfig
) -> tuple[list[ObservationRecord], list[Decision]]:
    """Record the closed task's outcome for every rule it was exposed to; run the gate of every
    experiment that moved. Returns the observations filled in and the decisions taken."""
    exposures = await store.list_observations(workspace, task_id=task.task_id)
    pending = [o for o in exposures if o.recurred is None]
    if not pending:
        return [], []
    _, seen = await task_patterns(store, workspace, task.task_id)
    patterns = _Patterns(store, workspace)
    succeeded = task.status == "succeeded"
    outcomes = []
    for observation in pending:
        try:
            rule = await store.get_rule(workspace, observation.rule_id)
        except NotFound:
            continue
        target = await patterns.live(rule.pattern_id) if rule.pattern_id else None
        outcomes.append(Outcome(observation.rule_id, recurred=target in seen, succeeded=succeeded))
    filled = await store.record_outcomes(workspace, task.task_id, outcomes)
    votes = {
        o.rule_id: (int(succeeded and not o.recurred), int(bool(o.recurred)))
        for o in filled
        if o.arm == "treatment"
    }
    if any(h or b for h, b in votes.values()):
        await store.vote_rules(workspace, {k: v for k, v in votes.items() if any(v)})
    decisions: list[Decision] = []
    for experiment_id in dict.fromkeys(o.experiment_id for o in filled if o.experiment_id):
        experiment = await store.get_experiment(workspace, experiment_id)
        if experiment.status == "running":
            decision = await apply_gate(store, workspace, experiment)
            if decision is not None:
                decisions.append(decision)
    if decisions:
        await promote_candidates(store, workspace, config)
    return filled, decisions
