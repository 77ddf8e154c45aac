"""The learning loop's persistence contract: protocol rules, versions, experiments, observations.

`Store` inherits `LearningStore`, so every backend implements these use cases too. The records
below are plain frozen dataclasses; statistics and policy live in `tools/`, the store only keeps
facts and enforces the invariants that must hold under concurrent writers:

- The protocol changes only through `change_protocol`, which writes one new version and one logged
  delta operation per rule touched, with the rule's state before and after, in one transaction.
- The protocol never collapses: a change that would leave no adopted rule when there was at least
  one is refused with `ProtocolInvariantError`, whatever operation attempts it.
- An outcome is recorded once per (rule, task); experiment counters move in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

from .base import Conflict

RuleStatus = Literal["candidate", "trial", "adopted", "retired"]
RuleOp = Literal["add", "edit", "deprecate", "restore"]
Arm = Literal["treatment", "control", "holdout"]
ExperimentStatus = Literal["running", "adopted", "retired", "stopped"]

RULE_STATUSES: tuple[RuleStatus, ...] = ("candidate", "trial", "adopted", "retired")
LIVE_STATUSES: tuple[RuleStatus, ...] = ("candidate", "trial", "adopted")


class ProtocolInvariantError(Conflict):
    """The change would break a protocol invariant (e.g. leave it without any adopted rule)."""


# ---------------------------------------------------------------------------------------------
# Rules and protocol versions.


@dataclass(frozen=True, slots=True)
class RuleState:
    """The versioned content of a rule: what a delta operation records before and after."""

    text: str
    scope: str
    """Action-taxonomy category the rule applies to (``python.io.parse``); covers its sub-categories."""
    status: RuleStatus
    example_wrong: str | None = None
    example_right: str | None = None


@dataclass(frozen=True, slots=True)
class RuleRecord:
    rule_id: str
    text: str
    scope: str
    status: RuleStatus
    example_wrong: str | None
    example_right: str | None
    pattern_id: str | None
    """The pattern the rule targets (as recorded; follow merges with `get_pattern`)."""
    insight_id: str | None
    provenance: Mapping[str, Any]
    """Where the rule came from: pattern title and signature, example error ids, source, author."""
    helpful: int
    harmful: int
    created_at: datetime
    updated_at: datetime

    @property
    def state(self) -> RuleState:
        return RuleState(self.text, self.scope, self.status, self.example_wrong, self.example_right)


@dataclass(frozen=True, slots=True)
class NewRule:
    text: str
    scope: str
    status: RuleStatus = "candidate"
    example_wrong: str | None = None
    example_right: str | None = None
    pattern_id: str | None = None
    insight_id: str | None = None
    provenance: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RuleChange:
    """One delta operation. ``add`` carries `new`; the others carry `rule_id` and the state `after`.

    `expect` is an optimistic-concurrency guard: when given, the change is refused with `Conflict`
    unless the rule's current state equals it.
    """

    op: RuleOp
    rule_id: str | None = None
    after: RuleState | None = None
    new: NewRule | None = None
    expect: RuleState | None = None


@dataclass(frozen=True, slots=True)
class ProtocolVersionRecord:
    version: int
    created_at: datetime
    note: str
    ops: int


@dataclass(frozen=True, slots=True)
class DeltaOpRecord:
    version: int
    seq: int
    """Order of the operation within its version."""
    op: RuleOp
    rule_id: str
    before: RuleState | None
    after: RuleState
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ProtocolChange:
    version: ProtocolVersionRecord
    rules: Sequence[RuleRecord]
    """The rules the change touched, in the order of the changes, as they are now."""


# ---------------------------------------------------------------------------------------------
# Experiments and observations.


@dataclass(frozen=True, slots=True)
class ArmCounts:
    tasks: int = 0
    """Tasks of this arm whose outcome is recorded."""
    events: int = 0
    """Of those, tasks in which the targeted pattern recurred."""
    failures: int = 0
    """Of those, tasks that did not succeed."""


@dataclass(frozen=True, slots=True)
class NewExperiment:
    rule_id: str
    family: str
    """Alpha-spending family (``pattern:p-3``, ``workspace``, ``rule:r-9``); `ordinal` is unique within it."""
    ordinal: int
    share: float
    alpha: float
    harm_alpha: float
    sample_cap: int


@dataclass(frozen=True, slots=True)
class ExperimentRecord:
    experiment_id: str
    rule_id: str
    family: str
    ordinal: int
    share: float
    alpha: float
    """The level this experiment is tested at (alpha_j after spending)."""
    harm_alpha: float
    sample_cap: int
    status: ExperimentStatus
    treatment: ArmCounts
    control: ArmCounts
    holdout: ArmCounts
    e_value: float
    """Latest e-value against "the rule does not reduce the targeted pattern"."""
    e_max: float
    """Largest e-value seen; 1/e_max is the anytime-valid p-value."""
    harm_e_value: float
    started_at: datetime
    decided_at: datetime | None
    decision: str | None

    @property
    def p_value(self) -> float:
        return min(1.0, 1.0 / self.e_max) if self.e_max > 0 else 1.0


@dataclass(frozen=True, slots=True)
class Exposure:
    """A rule relevant to a task, with the arm the task is in for it (recorded before any outcome)."""

    rule_id: str
    arm: Arm
    experiment_id: str | None = None


@dataclass(frozen=True, slots=True)
class ObservationRecord:
    rule_id: str
    task_id: str
    arm: Arm
    experiment_id: str | None
    recurred: bool | None
    """Whether the targeted pattern recurred in the task; None until the task is completed."""
    succeeded: bool | None
    assigned_at: datetime
    observed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Outcome:
    rule_id: str
    recurred: bool
    succeeded: bool


# ---------------------------------------------------------------------------------------------
# Read models for metrics and relevance.


@dataclass(frozen=True, slots=True)
class TaskErrorSummary:
    task_id: str
    description: str
    status: str
    created_at: datetime
    completed_at: datetime | None
    tokens: int
    cost_usd: float
    errors: int
    """Errors recorded for the task, excluding ``review`` reports (a model's opinion is not an error)."""
    pattern_ids: Sequence[str]
    """Distinct patterns of those errors (current pattern, after merges)."""


@dataclass(frozen=True, slots=True)
class TaxonomyCategoryRecord:
    category: str
    name: str
    description: str
    keywords: Sequence[str] = ()
    error_categories: Sequence[str] = ()
    phase: str | None = None
    always: bool = False
    order: int = 500


# ---------------------------------------------------------------------------------------------


@runtime_checkable
class LearningStore(Protocol):
    """Use cases of the learning loop's persistence. Every method is scoped to one workspace."""

    # rules and versions ------------------------------------------------------------------------
    async def change_protocol(
        self,
        workspace: str,
        changes: Sequence[RuleChange],
        *,
        note: str,
        base_version: int | None = None,
    ) -> ProtocolChange:
        """Apply delta operations as one new protocol version, atomically.

        Raises `Conflict` when `base_version` is given and is no longer the current version, or a
        change's `expect` does not match; `NotFound` for an unknown rule id;
        `ProtocolInvariantError` when the change would leave no adopted rule although there was one.
        """
        ...

    async def get_rule(self, workspace: str, rule_id: str) -> RuleRecord:
        """Raise `NotFound` for an unknown id."""
        ...

    async def list_rules(
        self,
        workspace: str,
        *,
        statuses: Sequence[RuleStatus] | None = None,
        pattern_id: str | None = None,
        rule_ids: Sequence[str] | None = None,
    ) -> list[RuleRecord]:
        """Rules in id order, optionally filtered."""
        ...

    async def protocol_version(self, workspace: str) -> int:
        """The current version number; 0 before any change (the empty protocol)."""
        ...

    async def protocol_versions(self, workspace: str, *, limit: int = 50) -> list[ProtocolVersionRecord]:
        """Newest first."""
        ...

    async def protocol_ops(
        self, workspace: str, *, through_version: int | None = None, after_version: int = 0
    ) -> list[DeltaOpRecord]:
        """The delta log in order, for versions in (after_version, through_version]."""
        ...

    async def vote_rules(self, workspace: str, votes: Mapping[str, tuple[int, int]]) -> None:
        """Add (helpful, harmful) to each rule's counters atomically."""
        ...

    # experiments -------------------------------------------------------------------------------
    async def add_experiment(self, workspace: str, experiment: NewExperiment) -> ExperimentRecord:
        """Start an experiment; raise `Conflict` if (family, ordinal) is taken or the rule has a running one."""
        ...

    async def get_experiment(self, workspace: str, experiment_id: str) -> ExperimentRecord: ...

    async def list_experiments(
        self,
        workspace: str,
        *,
        statuses: Sequence[ExperimentStatus] | None = None,
        rule_id: str | None = None,
        family: str | None = None,
    ) -> list[ExperimentRecord]:
        """Experiments in id order, optionally filtered."""
        ...

    async def update_experiment_evidence(
        self, workspace: str, experiment_id: str, *, e_value: float, harm_e_value: float
    ) -> None:
        """Store the latest e-values (and raise the running maximum) of a running experiment."""
        ...

    async def decide_experiment(
        self,
        workspace: str,
        experiment_id: str,
        *,
        status: ExperimentStatus,
        decision: str,
    ) -> bool:
        """Close a running experiment; False (and no change) when it was no longer running."""
        ...

    # observations ------------------------------------------------------------------------------
    async def record_exposures(
        self, workspace: str, task_id: str, exposures: Sequence[Exposure]
    ) -> list[Exposure]:
        """Record each rule's arm for the task unless already recorded; return the stored exposures.

        The first recorded arm wins, so a task keeps its arm for a rule however often it asks.
        """
        ...

    async def record_outcomes(
        self, workspace: str, task_id: str, outcomes: Sequence[Outcome]
    ) -> list[ObservationRecord]:
        """Fill in outcomes of the task's exposures that have none yet, and move the counters of
        their experiments in the same transaction. Returns the observations this call filled in
        (an outcome already recorded is never overwritten or counted twice)."""
        ...

    async def list_observations(
        self,
        workspace: str,
        *,
        task_id: str | None = None,
        rule_id: str | None = None,
        experiment_id: str | None = None,
        arm: Arm | None = None,
    ) -> list[ObservationRecord]: ...

    # read models -------------------------------------------------------------------------------
    async def task_error_summaries(
        self, workspace: str, *, closed_only: bool = True
    ) -> list[TaskErrorSummary]:
        """Every task (closed ones only by default) with its error count and patterns, oldest first."""
        ...

    async def pattern_task_texts(
        self,
        workspace: str,
        pattern_ids: Sequence[str],
        *,
        per_pattern: int = 20,
        exclude_task_id: str | None = None,
    ) -> dict[str, list[str]]:
        """Descriptions of (up to `per_pattern`, newest first) distinct tasks in which each pattern's
        errors occurred (following merges), keyed by the pattern id as given; unknown ids map to [].
        `exclude_task_id` leaves one task out (the task being served, so it is not compared with itself)."""
        ...

    # taxonomy ----------------------------------------------------------------------------------
    async def taxonomy_categories(self, workspace: str) -> list[TaxonomyCategoryRecord]:
        """The workspace's own action categories (extending the built-in taxonomy)."""
        ...

    async def put_taxonomy_category(self, workspace: str, category: TaxonomyCategoryRecord) -> None:
        """Add or replace a workspace category."""
        ...
