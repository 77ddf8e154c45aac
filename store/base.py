"""The persistence contract: records and the `Store` protocol of use cases.

Both backends (`SqliteStore`, `PostgresStore`) implement `Store` with their own SQL; nothing above
this package ever sees SQL or a driver exception. Every method takes the workspace first: a row
always belongs to exactly one workspace, and no method reads across workspaces.

Public identifiers are short prefixed strings (``e-12``, ``p-3``, ``t-7``, ``a-40``) built by
`store.ids`; the backends keep integer keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

TaskStatus = Literal["open", "succeeded", "failed", "abandoned"]
PatternStatus = Literal["emerging", "confirmed", "merged"]

# ---------------------------------------------------------------------------------------------
# Errors raised by stores. Driver exceptions are mapped to these in one place per backend.


class StoreError(Exception):
    """Base of every error a store raises."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or opened (the operator must act)."""


class NotFound(StoreError):
    """A referenced row does not exist in this workspace."""


class Conflict(StoreError):
    """The write conflicts with existing data (duplicate key, violated constraint)."""


class MigrationError(StoreError):
    """A schema migration failed or the database is newer than this code."""


class StoreBusy(StoreError):
    """Another holder kept a shared right (a workspace's mining turn) past the caller's wait; retry later."""


MINING_WAIT_S = 30.0
"""How long `Store.mining_turn` waits by default for another holder to finish its pass."""


# ---------------------------------------------------------------------------------------------
# Errors and fingerprint groups.


@dataclass(frozen=True, slots=True)
class NewError:
    """An error ready to store: already categorised, fingerprinted and scrubbed of secrets."""

    message: str
    fingerprint: str
    fingerprint_version: int
    category: str
    source: str
    title: str
    """Short human title used when this error starts a new pattern."""
    features: Mapping[str, Any]
    """Structural signature used for clustering (exception type, template, frames, rule code...)."""
    error_type: str | None = None
    traceback: str | None = None
    code: str | None = None
    task_id: str | None = None
    action_id: str | None = None
    action_category: str | None = None
    """Action-taxonomy category of the step that failed (``python.io.parse``), when known."""
    details: Mapping[str, Any] = field(default_factory=dict)
    """Anything else worth keeping: expected/actual values, validation stage, truncation notes."""
    created_at: datetime | None = None
    """Defaults to the store's current UTC time."""


@dataclass(frozen=True, slots=True)
class AddedError:
    error_id: str
    fingerprint: str
    pattern_id: str
    new_fingerprint: bool
    """True when this error is the first with its fingerprint in the workspace."""
    created_at: datetime
    pattern_title: str | None = None
    """The pattern as the write left it, read in the same transaction (so a caller needs no
    second read): its title, frequency and status. Both backends fill these in; None only from a
    store that does not."""
    pattern_frequency: int | None = None
    pattern_status: PatternStatus | None = None
    insight: InsightRecord | None = None
    """The pattern's newest insight when it has one (as `Store.insight_for` would answer), else None."""


@dataclass(frozen=True, slots=True)
class StoredError:
    error_id: str
    message: str
    fingerprint: str
    fingerprint_version: int
    category: str
    source: str
    error_type: str | None
    traceback: str | None
    code: str | None
    task_id: str | None
    action_id: str | None
    action_category: str | None
    details: Mapping[str, Any]
    created_at: datetime
    pattern_id: str


@dataclass(frozen=True, slots=True)
class SignatureGroup:
    """All errors that share one fingerprint: the unit that pattern mining clusters."""

    fingerprint: str
    pattern_id: str
    category: str
    title: str
    features: Mapping[str, Any]
    count: int
    distinct_tasks: int
    first_seen: datetime
    last_seen: datetime
    mined: bool
    """False until a mining pass has compared this group with the existing patterns."""


# ---------------------------------------------------------------------------------------------
# Patterns.


@dataclass(frozen=True, slots=True)
class PatternRecord:
    pattern_id: str
    title: str
    signature: str
    """A readable summary of what the member groups share (e.g. ``AssertionError: assert f(...) == <num>``)."""
    category: str
    status: PatternStatus
    frequency: int
    distinct_tasks: int
    fingerprints: int
    cohesion: float
    """Mean similarity of member groups to the pattern centre, set by mining (1.0 for one group)."""
    first_seen: datetime
    last_seen: datetime
    examples: Sequence[StoredError]
    """Representative errors: the first error of up to three member groups, most frequent first."""
    merged_into: str | None = None


@dataclass(frozen=True, slots=True)
class PatternPage:
    patterns: Sequence[PatternRecord]
    next_cursor: str | None
    total: int


@dataclass(frozen=True, slots=True)
class PatternMerge:
    """Fold the `absorbed` patterns into `into`; their groups move and they redirect to `into`."""

    into: str
    absorbed: Sequence[str]
    title: str | None = None
    signature: str | None = None
    cohesion: float | None = None


# ---------------------------------------------------------------------------------------------
# Tasks, action items and executions.


@dataclass(frozen=True, slots=True)
class NewActionItem:
    key: str
    """Caller-chosen key, unique within the task, so children can name their parent before ids exist."""
    name: str
    category: str
    description: str
    parent_key: str | None = None
    position: int = 0


@dataclass(frozen=True, slots=True)
class ActionItemRecord:
    action_id: str
    task_id: str
    parent_id: str | None
    name: str
    category: str
    description: str
    position: int


@dataclass(frozen=True, slots=True)
class TaskRecord:
    task_id: str
    description: str
    domain: str
    status: TaskStatus
    created_at: datetime
    completed_at: datetime | None
    tokens: int
    cost_usd: float
    duration_s: float | None
    protocol_version: int | None
    items: Sequence[ActionItemRecord] = ()


@dataclass(frozen=True, slots=True)
class NewExecution:
    """One attempt by the client at a task or an action item (a validation, a retry)."""

    task_id: str
    kind: str
    action_id: str | None = None
    passed: bool | None = None
    tokens: int = 0
    cost_usd: float = 0.0
    duration_ms: float = 0.0
    details: Mapping[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Insights (the learning loop reads and writes these through the same store).


@dataclass(frozen=True, slots=True)
class InsightRecord:
    insight_id: str
    pattern_id: str
    rule: str
    example_wrong: str | None
    example_right: str | None
    source: str
    """Where the insight came from: ``builtin``, ``client``, ``sampling`` or ``anthropic``."""
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewInsight:
    pattern_id: str
    rule: str
    source: str
    example_wrong: str | None = None
    example_right: str | None = None
    model: str | None = None
    tokens: int = 0
    cost_usd: float = 0.0


# ---------------------------------------------------------------------------------------------


# The learning loop's use cases live in their own module, which subclasses the errors above.
from .learning import LearningStore  # noqa: E402


@runtime_checkable
class Store(LearningStore, Protocol):
    """Use cases of persistence. Every write is atomic and durable when the awaited call returns."""

    @property
    def url(self) -> str:
        """The database URL with any password replaced by ``***``."""
        ...

    async def migrate(self) -> list[str]:
        """Apply pending numbered migrations; return the names applied (empty when up to date)."""
        ...

    async def close(self) -> None: ...

    # errors ----------------------------------------------------------------------------------
    async def add_error(self, workspace: str, error: NewError) -> AddedError:
        """Store one error and update its fingerprint group and pattern counters atomically.

        A first-seen fingerprint creates a group and a new single-group pattern (status
        ``emerging``, title from the error); a known one joins the group's current pattern.
        Counters (frequency, distinct tasks, first/last seen) are updated in the same transaction.
        A pattern becomes ``confirmed`` once it has errors from two or more distinct tasks.
        The answer carries the pattern as this write left it and its newest insight, read in the
        same transaction.
        """
        ...

    async def add_errors(self, workspace: str, errors: Sequence[NewError]) -> list[AddedError]:
        """`add_error` for many errors in one transaction (imports, benchmarks)."""
        ...

    async def get_error(self, workspace: str, error_id: str) -> StoredError:
        """Raise `NotFound` for an unknown id."""
        ...

    async def list_errors(
        self,
        workspace: str,
        *,
        pattern_id: str | None = None,
        task_id: str | None = None,
        since: datetime | None = None,
        after_id: str | None = None,
        limit: int = 100,
    ) -> list[StoredError]:
        """Errors in id order, optionally filtered; `after_id` pages forward."""
        ...

    async def count_errors(self, workspace: str) -> int: ...

    # pattern mining --------------------------------------------------------------------------
    def mining_turn(
        self, workspace: str, *, wait_s: float = MINING_WAIT_S
    ) -> AbstractAsyncContextManager[None]:
        """The right to mine `workspace`, held for the body of ``async with store.mining_turn(...)``.

        One holder at a time per workspace among every store object on the database, in this
        process or another. The right ends with the body (also when it raises) and with the
        process that holds it, however that process ends. Waits up to `wait_s` seconds for the
        current holder, then raises `StoreBusy`; a negative `wait_s` is a `ValueError`.
        """
        ...

    async def signature_groups(self, workspace: str, *, only_unmined: bool = False) -> list[SignatureGroup]:
        """Every fingerprint group of the workspace (or only those no mining pass has seen yet)."""
        ...

    async def merge_patterns(self, workspace: str, merges: Sequence[PatternMerge]) -> None:
        """Apply merges atomically, recomputing the surviving patterns' counters from their groups."""
        ...

    async def mark_mined(self, workspace: str, fingerprints: Sequence[str]) -> None: ...

    async def update_pattern(
        self,
        workspace: str,
        pattern_id: str,
        *,
        title: str | None = None,
        signature: str | None = None,
        cohesion: float | None = None,
    ) -> None: ...

    async def list_patterns(
        self,
        workspace: str,
        *,
        category: str | None = None,
        min_frequency: int = 1,
        since: datetime | None = None,
        status: PatternStatus | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> PatternPage:
        """Live (unmerged) patterns, most frequent first, then most recent; `cursor` pages on."""
        ...

    async def get_pattern(self, workspace: str, pattern_id: str) -> PatternRecord:
        """Follow merge redirects to the live pattern; raise `NotFound` for an unknown id."""
        ...

    async def pattern_ids(self, workspace: str) -> list[str]:
        """Ids of all live patterns (used to suggest the closest id for a typo)."""
        ...

    async def library_version(self, workspace: str) -> int:
        """A counter that grows whenever the workspace's pattern library changes."""
        ...

    # tasks -----------------------------------------------------------------------------------
    async def create_task(
        self,
        workspace: str,
        description: str,
        *,
        domain: str,
        items: Sequence[NewActionItem] = (),
        protocol_version: int | None = None,
    ) -> TaskRecord: ...

    async def get_task(self, workspace: str, task_id: str) -> TaskRecord:
        """The task with its action items; raise `NotFound` for an unknown id."""
        ...

    async def complete_task(
        self,
        workspace: str,
        task_id: str,
        *,
        status: TaskStatus,
        tokens: int,
        cost_usd: float,
    ) -> TaskRecord:
        """Close an open task (duration is measured from its creation); raise `Conflict` if already closed."""
        ...

    async def add_execution(self, workspace: str, execution: NewExecution) -> str:
        """Record one attempt; returns its id."""
        ...

    # insights --------------------------------------------------------------------------------
    async def add_insight(self, workspace: str, insight: NewInsight) -> InsightRecord: ...

    async def insight_for(self, workspace: str, pattern_id: str) -> InsightRecord | None:
        """The newest insight targeting the pattern (after following merge redirects)."""
        ...

    async def insights_for(self, workspace: str, pattern_ids: Sequence[str]) -> dict[str, InsightRecord]:
        """`insight_for` of many live patterns in one query: pattern id -> its newest insight.

        Meant for the patterns a listing returns; patterns without an insight, unknown ids and ids
        of patterns merged away have no entry.
        """
        ...
