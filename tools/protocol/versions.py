"""Protocol versions as folds of the delta log: version n is the state every op of 1..n leaves."""

from __future__ import annotations

from collections.abc import Iterable

from store.learning import DeltaOpRecord, LearningStore, RuleState


def fold(ops: Iterable[DeltaOpRecord]) -> dict[str, RuleState]:
    """Each rule's state after applying `ops` in order (ops must be in version, seq order)."""
    states: dict[str, RuleState] = {}
    for op in ops:
        states[op.rule_id] = op.after
    return states


async def states_at(store: LearningStore, workspace: str, version: int) -> dict[str, RuleState]:
    """Every rule that existed at `version`, with its state then (version 0: none)."""
    if version <= 0:
        return {}
    return fold(await store.protocol_ops(workspace, through_version=version))


def active(states: dict[str, RuleState]) -> dict[str, RuleState]:
    """The rule set a version shows: every rule that is not retired."""
    return {rule_id: s for rule_id, s in states.items() if s.status != "retired"}
