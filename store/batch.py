"""The database-independent half of `add_errors`: parse, check references, tally counters.

A batch is prepared in Python once, so each backend's SQL only applies per-fingerprint and
per-pattern increments (one statement per table, whatever the batch size) instead of repeating
the per-error work, and single `add_error` calls take exactly the same path as bulk imports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .base import AddedError, NewError, NotFound
from .ids import format_id, parse_id
from .values import clean_optional, clean_text, dump_json, utc


@dataclass(slots=True)
class PreparedError:
    created_at: datetime
    fingerprint: str
    fingerprint_version: int
    category: str
    source: str
    error_type: str | None
    message: str
    traceback: str | None
    code: str | None
    task_key: int | None
    action_key: int | None
    action_category: str | None
    details: str
    """JSON text."""


@dataclass(slots=True)
class Tally:
    """Increments for one fingerprint group or one pattern."""

    count: int
    first_seen: datetime
    last_seen: datetime
    task_keys: set[int] = field(default_factory=set)

    def add(self, created_at: datetime, task_key: int | None) -> None:
        self.count += 1
        self.first_seen = min(self.first_seen, created_at)
        self.last_seen = max(self.last_seen, created_at)
        if task_key is not None:
            self.task_keys.add(task_key)


@dataclass(slots=True)
class GroupTally(Tally):
    """A fingerprint's increments, plus what a new group and pattern are created from."""

    first_index: int = 0
    category: str = ""
    title: str = ""
    features: str = "{}"
    """JSON text."""


class ErrorBatch:
    """Errors of one `add_errors` call, ready to insert.

    `parse` validates ids without touching the database; the backend then looks up the task and
    action keys it names and calls `link`, which raises `NotFound` for a dangling reference and
    fills in the task of an error that named only its action item.
    """

    def __init__(self, errors: Sequence[NewError], *, now: datetime) -> None:
        self.errors = [_prepare(error, now) for error in errors]
        self._titles = [(clean_text(e.title), e.features) for e in errors]
        self.task_keys = {e.task_key for e in self.errors if e.task_key is not None}
        self.action_keys = {e.action_key for e in self.errors if e.action_key is not None}
        self.groups: dict[str, GroupTally] = {}

    def link(self, tasks: set[int], action_tasks: Mapping[int, int]) -> None:
        """Check references against the workspace's `tasks` and actions (action key -> task key)."""
        for error in self.errors:
            if error.action_key is not None:
                owner = action_tasks.get(error.action_key)
                if owner is None:
                    raise NotFound(
                        f"action {format_id('action', error.action_key)!r} does not exist in this workspace"
                    )
                if error.task_key is None:
                    error.task_key = owner
                elif error.task_key != owner:
                    raise NotFound(
                        f"action {format_id('action', error.action_key)!r} is not an item of task "
                        f"{format_id('task', error.task_key)!r}; it belongs to {format_id('task', owner)!r}"
                    )
            if error.task_key is not None and error.task_key not in tasks:
                raise NotFound(f"task {format_id('task', error.task_key)!r} does not exist in this workspace")
        self.groups = {}
        for index, error in enumerate(self.errors):
            group = self.groups.get(error.fingerprint)
            if group is None:
                title, features = self._titles[index]
                group = self.groups[error.fingerprint] = GroupTally(
                    count=0,
                    first_seen=error.created_at,
                    last_seen=error.created_at,
                    first_index=index,
                    category=error.category,
                    title=title,
                    features=dump_json(dict(features)),
                )
            group.add(error.created_at, error.task_key)

    def group_tasks(self) -> list[tuple[str, int]]:
        """(fingerprint, task key) pairs of the batch, sorted so concurrent writers lock in one order."""
        return sorted((fp, task) for fp, group in self.groups.items() for task in group.task_keys)

    def pattern_tallies(self, pattern_of: Mapping[str, int]) -> dict[int, Tally]:
        """Increments per pattern key, sorted by key, given each fingerprint's pattern."""
        tallies: dict[int, Tally] = {}
        for fingerprint, group in self.groups.items():
            key = pattern_of[fingerprint]
            tally = tallies.get(key)
            if tally is None:
                tallies[key] = Tally(group.count, group.first_seen, group.last_seen, set(group.task_keys))
            else:
                tally.count += group.count
                tally.first_seen = min(tally.first_seen, group.first_seen)
                tally.last_seen = max(tally.last_seen, group.last_seen)
                tally.task_keys |= group.task_keys
        return dict(sorted(tallies.items()))

    def results(
        self, error_keys: Sequence[int], pattern_of: Mapping[str, int], new_fingerprints: set[str]
    ) -> list[AddedError]:
        added = []
        for index, (key, error) in enumerate(zip(error_keys, self.errors, strict=True)):
            fingerprint = error.fingerprint
            added.append(
                AddedError(
                    error_id=format_id("error", key),
                    fingerprint=fingerprint,
                    pattern_id=format_id("pattern", pattern_of[fingerprint]),
                    new_fingerprint=fingerprint in new_fingerprints
                    and self.groups[fingerprint].first_index == index,
                    created_at=error.created_at,
                )
            )
        return added


def _prepare(error: NewError, now: datetime) -> PreparedError:
    return PreparedError(
        created_at=now if error.created_at is None else utc(error.created_at),
        fingerprint=clean_text(error.fingerprint),
        fingerprint_version=error.fingerprint_version,
        category=clean_text(error.category),
        source=clean_text(error.source),
        error_type=clean_optional(error.error_type),
        message=clean_text(error.message),
        traceback=clean_optional(error.traceback),
        code=clean_optional(error.code),
        task_key=None if error.task_id is None else parse_id("task", error.task_id),
        action_key=None if error.action_id is None else parse_id("action", error.action_id),
        action_category=clean_optional(error.action_category),
        details=dump_json(dict(error.details)),
    )
