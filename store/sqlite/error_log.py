"""The error log on SQLite: storing errors with their group and pattern counters, and reading them."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from ..base import AddedError, NewError, NotFound, StoredError
from ..batch import ErrorBatch
from ..ids import format_id, parse_id
from ..records import ERROR_COLUMNS, INSIGHT_COLUMNS, insight_record, qualified, stored_error
from ..values import utc
from .connection import (
    DECODE,
    SqliteBase,
    fetch_all_sync,
    fetch_one_sync,
    json_list,
    next_key_sync,
    to_text,
)
from .error_pages import ERROR_FROM, error_page
from .lookups import bump_library_sync, live_pattern_key_sync, task_key_sync

INSERT_ERROR = """
INSERT INTO errors (id, workspace, created_at, fingerprint, fingerprint_version, category, source,
    error_type, message, traceback, code, task_id, action_id, action_category, details)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
INSERT_PATTERN = """
INSERT INTO patterns (id, workspace, title, signature, category, status, fingerprints, cohesion,
    first_seen, last_seen, updated_at)
VALUES (?, ?, ?, ?, ?, 'emerging', 1, 1.0, ?, ?, ?)
"""
INSERT_GROUP = """
INSERT INTO signatures (workspace, fingerprint, pattern_id, category, title, features, first_seen,
    last_seen, first_error_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
# New (group, task) and (pattern, task) pairs come back from RETURNING: they are the increments
# of distinct_tasks, with no recount of what is already stored.
INSERT_GROUP_TASKS = """
INSERT INTO signature_tasks (workspace, fingerprint, task_id)
SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?) WHERE true
ON CONFLICT DO NOTHING
RETURNING fingerprint
"""
INSERT_PATTERN_TASKS = """
INSERT INTO pattern_tasks (workspace, pattern_id, task_id)
SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?) WHERE true
ON CONFLICT DO NOTHING
RETURNING pattern_id
"""
UPDATE_GROUP = """
UPDATE signatures SET count = count + ?, distinct_tasks = distinct_tasks + ?,
    first_seen = min(first_seen, ?), last_seen = max(last_seen, ?)
WHERE workspace = ? AND fingerprint = ?
"""
UPDATE_PATTERN = """
UPDATE patterns SET frequency = frequency + ?, distinct_tasks = distinct_tasks + ?,
    first_seen = min(first_seen, ?), last_seen = max(last_seen, ?), updated_at = ?
WHERE id = ?
"""
CONFIRM_PATTERNS = """
UPDATE patterns SET status = 'confirmed', updated_at = ?
WHERE status = 'emerging' AND distinct_tasks >= 2 AND id IN (SELECT value FROM json_each(?))
RETURNING id
"""

# Each pattern as the write left it, with its newest insight as `insight_for` finds it (written for
# the pattern or for one merged into it); the insight's columns keep their names for `insight_record`.
PATTERN_SUMMARIES = f"""
SELECT p.id AS live, p.title AS live_title, p.frequency AS live_frequency, p.status AS live_status,
    {qualified(INSIGHT_COLUMNS, "i")}
FROM patterns p LEFT JOIN insights i ON i.id = (
    SELECT x.id FROM insights x
    WHERE x.workspace = p.workspace AND x.pattern_id IN (
        SELECT q.id FROM patterns q WHERE q.workspace = p.workspace AND (q.id = p.id OR q.merged_into = p.id))
    ORDER BY x.id DESC LIMIT 1)
WHERE p.id IN (SELECT value FROM json_each(?))
"""


class SqliteErrorLog(SqliteBase):
    async def add_error(self, workspace: str, error: NewError) -> AddedError:
        [added] = await self.add_errors(workspace, [error])
        return added

    async def add_errors(self, workspace: str, errors: Sequence[NewError]) -> list[AddedError]:
        if not errors:
            return []
        batch = ErrorBatch(errors, now=self._now())
        return await self._transact(_add_batch, workspace, batch, self._now)

    async def get_error(self, workspace: str, error_id: str) -> StoredError:
        key = parse_id("error", error_id)
        row = await self._query(
            fetch_one_sync,
            f"SELECT {ERROR_COLUMNS} FROM {ERROR_FROM} WHERE e.workspace = ? AND e.id = ?",
            (workspace, key),
        )
        if row is None:
            raise NotFound(f"error {error_id!r} does not exist in this workspace")
        return stored_error(row, DECODE)

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
        after = 0 if after_id is None else parse_id("error", after_id)
        rows = await self._query(
            _error_page,
            workspace,
            after,
            limit,
            pattern_id,
            task_id,
            None if since is None else to_text(utc(since)),
        )
        return [stored_error(row, DECODE) for row in rows]

    async def count_errors(self, workspace: str) -> int:
        row = await self._query(
            fetch_one_sync, "SELECT COUNT(*) FROM errors WHERE workspace = ?", (workspace,)
        )
        assert row is not None
        return int(row[0])


def _error_page(
    conn: sqlite3.Connection,
    workspace: str,
    after: int,
    limit: int,
    pattern_id: str | None,
    task_id: str | None,
    since: str | None,
) -> list[sqlite3.Row]:
    return error_page(
        conn,
        workspace,
        after=after,
        limit=limit,
        pattern=None if pattern_id is None else live_pattern_key_sync(conn, workspace, pattern_id),
        task=None if task_id is None else task_key_sync(conn, workspace, task_id),
        since=since,
    )


def _add_batch(
    conn: sqlite3.Connection, workspace: str, batch: ErrorBatch, clock: Callable[[], datetime]
) -> list[AddedError]:
    """All of `add_errors` in one transaction, run on the writer's thread."""
    _link(conn, workspace, batch)
    groups = batch.groups
    pattern_of: dict[str, int] = {
        row[0]: row[1]
        for row in fetch_all_sync(
            conn,
            "SELECT fingerprint, pattern_id FROM signatures "
            "WHERE workspace = ? AND fingerprint IN (SELECT value FROM json_each(?))",
            (workspace, json_list(groups)),
        )
    }
    fresh = [fingerprint for fingerprint in groups if fingerprint not in pattern_of]

    first_error = next_key_sync(conn, "errors")
    error_keys = range(first_error, first_error + len(batch.errors))
    conn.executemany(
        INSERT_ERROR,
        (
            (key, workspace, to_text(e.created_at), e.fingerprint, e.fingerprint_version, e.category, e.source,
             e.error_type, e.message, e.traceback, e.code, e.task_key, e.action_key, e.action_category, e.details)
            for key, e in zip(error_keys, batch.errors, strict=True)
        ),
    )  # fmt: skip

    now = to_text(clock())
    if fresh:
        first_pattern = next_key_sync(conn, "patterns")
        pattern_of.update((fingerprint, first_pattern + n) for n, fingerprint in enumerate(fresh))
        new_groups = [(fingerprint, groups[fingerprint]) for fingerprint in fresh]
        conn.executemany(
            INSERT_PATTERN,
            [
                (pattern_of[fp], workspace, g.title, g.title, g.category, to_text(g.first_seen),
                 to_text(g.last_seen), now)
                for fp, g in new_groups
            ],
        )  # fmt: skip
        conn.executemany(
            INSERT_GROUP,
            [
                (workspace, fp, pattern_of[fp], g.category, g.title, g.features, to_text(g.first_seen),
                 to_text(g.last_seen), error_keys[g.first_index])
                for fp, g in new_groups
            ],
        )  # fmt: skip

    new_group_tasks = _new_pairs(conn, INSERT_GROUP_TASKS, workspace, batch.group_tasks())
    conn.executemany(
        UPDATE_GROUP,
        [
            (g.count, new_group_tasks[fp], to_text(g.first_seen), to_text(g.last_seen), workspace, fp)
            for fp, g in groups.items()
        ],
    )

    tallies = batch.pattern_tallies(pattern_of)
    pattern_tasks = [(key, task) for key, tally in tallies.items() for task in sorted(tally.task_keys)]
    new_pattern_tasks = _new_pairs(conn, INSERT_PATTERN_TASKS, workspace, pattern_tasks)
    conn.executemany(
        UPDATE_PATTERN,
        [
            (t.count, new_pattern_tasks[key], to_text(t.first_seen), to_text(t.last_seen), now, key)
            for key, t in tallies.items()
        ],
    )
    confirmed = []
    if new_pattern_tasks:  # only a new distinct task can lift a pattern to two of them
        confirmed = fetch_all_sync(conn, CONFIRM_PATTERNS, (now, json_list(new_pattern_tasks)))
    if fresh or confirmed:
        bump_library_sync(conn, workspace)
    added = batch.results(error_keys, pattern_of, set(fresh))
    return _with_patterns(conn, added, list(tallies))


def _new_pairs(conn: sqlite3.Connection, insert: str, workspace: str, pairs: Sequence[tuple]) -> Counter:
    """Insert (group or pattern, task) pairs; how many were new per group or pattern: its distinct_tasks increment."""
    if not pairs:
        return Counter()
    return Counter(row[0] for row in fetch_all_sync(conn, insert, (workspace, json_list(pairs))))


def _with_patterns(conn: sqlite3.Connection, added: list[AddedError], keys: list[int]) -> list[AddedError]:
    """`added` with each error's pattern as the transaction left it, and the pattern's newest insight."""
    summaries = {
        format_id("pattern", row["live"]): row
        for row in fetch_all_sync(conn, PATTERN_SUMMARIES, (json_list(keys),))
    }
    return [
        replace(
            one,
            pattern_title=(row := summaries[one.pattern_id])["live_title"],
            pattern_frequency=row["live_frequency"],
            pattern_status=row["live_status"],
            insight=None if row["id"] is None else insight_record(row, DECODE, row["live"]),
        )
        for one in added
    ]


def _link(conn: sqlite3.Connection, workspace: str, batch: ErrorBatch) -> None:
    """Check the batch's task and action references against this workspace."""
    action_tasks: dict[int, int] = {}
    if batch.action_keys:
        rows = fetch_all_sync(
            conn,
            "SELECT id, task_id FROM action_items WHERE workspace = ? AND id IN (SELECT value FROM json_each(?))",
            (workspace, json_list(batch.action_keys)),
        )
        action_tasks = {row[0]: row[1] for row in rows}
    tasks = set(action_tasks.values())
    if batch.task_keys:
        rows = fetch_all_sync(
            conn,
            "SELECT id FROM tasks WHERE workspace = ? AND id IN (SELECT value FROM json_each(?))",
            (workspace, json_list(batch.task_keys)),
        )
        tasks.update(row[0] for row in rows)
    batch.link(tasks, action_tasks)
