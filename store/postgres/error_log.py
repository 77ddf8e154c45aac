"""The error log on PostgreSQL: storing errors with their group and pattern counters, and reading them.

Each step of `add_errors` is one set-based statement over arrays (``unnest``), whatever the batch
size. Concurrency: the group row is created by ``INSERT ... ON CONFLICT DO UPDATE``, so exactly
one writer creates a fingerprint's group (and its pattern) and every other one increments it;
``RETURNING pattern_id`` reads the group's pattern under the row lock, after any merge that moved it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from ..base import AddedError, NewError, NotFound, StoredError
from ..batch import ErrorBatch
from ..ids import format_id, parse_id
from ..records import ERROR_COLUMNS, INSIGHT_COLUMNS, insight_record, qualified, stored_error
from ..values import utc
from .connection import DECODE, PostgresBase, next_keys
from .error_pages import ERROR_FROM, error_page
from .lookups import bump_library, live_pattern_key, task_key

if TYPE_CHECKING:
    import asyncpg

INSERT_ERRORS = """
INSERT INTO errors (id, workspace, created_at, fingerprint, fingerprint_version, category, source,
    error_type, message, traceback, code, task_id, action_id, action_category, details)
SELECT u.id, $1, u.created_at, u.fingerprint, u.fingerprint_version, u.category, u.source, u.error_type,
    u.message, u.traceback, u.code, u.task_id, u.action_id, u.action_category, u.details::jsonb
FROM unnest($2::bigint[], $3::timestamptz[], $4::text[], $5::integer[], $6::text[], $7::text[], $8::text[],
    $9::text[], $10::text[], $11::text[], $12::bigint[], $13::bigint[], $14::text[], $15::text[])
    AS u(id, created_at, fingerprint, fingerprint_version, category, source, error_type, message, traceback,
        code, task_id, action_id, action_category, details)
"""
# New (group, task) and (pattern, task) pairs come back from RETURNING: they are the increments
# of distinct_tasks. Rows are inserted in key order so concurrent batches lock in one order.
INSERT_GROUP_TASKS = """
INSERT INTO signature_tasks (workspace, fingerprint, task_id)
SELECT $1, u.fingerprint, u.task_id FROM unnest($2::text[], $3::bigint[]) AS u(fingerprint, task_id)
ORDER BY 2, 3
ON CONFLICT DO NOTHING
RETURNING fingerprint
"""
UPSERT_GROUPS = """
INSERT INTO signatures AS s (workspace, fingerprint, category, title, features, count, distinct_tasks,
    first_seen, last_seen, first_error_id)
SELECT $1, u.fingerprint, u.category, u.title, u.features::jsonb, u.count, u.new_tasks, u.first_seen,
    u.last_seen, u.first_error_id
FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::timestamptz[],
    $9::timestamptz[], $10::bigint[])
    AS u(fingerprint, category, title, features, count, new_tasks, first_seen, last_seen, first_error_id)
ORDER BY u.fingerprint
ON CONFLICT (workspace, fingerprint) DO UPDATE SET
    count = s.count + EXCLUDED.count,
    distinct_tasks = s.distinct_tasks + EXCLUDED.distinct_tasks,
    first_seen = LEAST(s.first_seen, EXCLUDED.first_seen),
    last_seen = GREATEST(s.last_seen, EXCLUDED.last_seen)
RETURNING s.fingerprint, s.pattern_id, (s.xmax = 0) AS inserted
"""
INSERT_PATTERNS = """
INSERT INTO patterns (id, workspace, title, signature, category, status, fingerprints, cohesion,
    first_seen, last_seen, updated_at)
SELECT u.id, $1, u.title, u.title, u.category, 'emerging', 1, 1.0, u.first_seen, u.last_seen, $2
FROM unnest($3::bigint[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[])
    AS u(id, title, category, first_seen, last_seen)
"""
LINK_GROUPS = """
UPDATE signatures s SET pattern_id = u.pattern_id
FROM unnest($2::text[], $3::bigint[]) AS u(fingerprint, pattern_id)
WHERE s.workspace = $1 AND s.fingerprint = u.fingerprint
"""
INSERT_PATTERN_TASKS = """
INSERT INTO pattern_tasks (workspace, pattern_id, task_id)
SELECT $1, u.pattern_id, u.task_id FROM unnest($2::bigint[], $3::bigint[]) AS u(pattern_id, task_id)
ORDER BY 2, 3
ON CONFLICT DO NOTHING
RETURNING pattern_id
"""
# A pattern is emerging exactly while it has fewer than two distinct tasks, so the old status
# can be told from the new counter. Each updated pattern comes back as the write left it, with its
# newest insight as `insight_for` finds it (written for it or for a pattern merged into it), in the
# same round trip; the insight's columns keep their names for `insight_record`.
UPDATE_PATTERNS = f"""
WITH updated AS (
    UPDATE patterns p SET
        frequency = p.frequency + u.count,
        distinct_tasks = p.distinct_tasks + u.new_tasks,
        first_seen = LEAST(p.first_seen, u.first_seen),
        last_seen = GREATEST(p.last_seen, u.last_seen),
        status = CASE WHEN p.status = 'emerging' AND p.distinct_tasks + u.new_tasks >= 2 THEN 'confirmed' ELSE p.status END,
        updated_at = $1
    FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::timestamptz[], $7::timestamptz[])
        AS u(id, count, new_tasks, first_seen, last_seen)
    WHERE p.id = u.id
    RETURNING p.id AS live, p.status = 'confirmed' AND p.distinct_tasks - u.new_tasks < 2 AS confirmed_now,
        p.title, p.frequency, p.status
)
SELECT updated.*, {qualified(INSIGHT_COLUMNS, "i")}
FROM updated LEFT JOIN LATERAL (
    SELECT x.* FROM insights x
    WHERE x.workspace = $2 AND x.pattern_id = ANY (ARRAY(
        SELECT updated.live
        UNION ALL SELECT q.id FROM patterns q WHERE q.workspace = $2 AND q.merged_into = updated.live))
    ORDER BY x.id DESC LIMIT 1
) i ON true
"""


class PostgresErrorLog(PostgresBase):
    async def add_error(self, workspace: str, error: NewError) -> AddedError:
        [added] = await self.add_errors(workspace, [error])
        return added

    async def add_errors(self, workspace: str, errors: Sequence[NewError]) -> list[AddedError]:
        if not errors:
            return []
        batch = ErrorBatch(errors, now=self._now())
        return await self._retrying(lambda: self._add_batch(workspace, batch))

    async def _add_batch(self, workspace: str, batch: ErrorBatch) -> list[AddedError]:
        async with self._write() as conn:
            await _link(conn, workspace, batch)
            error_keys = await next_keys(conn, "errors", len(batch.errors))
            es = batch.errors
            await conn.execute(
                INSERT_ERRORS,
                workspace,
                error_keys,
                [e.created_at for e in es],
                [e.fingerprint for e in es],
                [e.fingerprint_version for e in es],
                [e.category for e in es],
                [e.source for e in es],
                [e.error_type for e in es],
                [e.message for e in es],
                [e.traceback for e in es],
                [e.code for e in es],
                [e.task_key for e in es],
                [e.action_key for e in es],
                [e.action_category for e in es],
                [e.details for e in es],
            )

            group_tasks = batch.group_tasks()
            new_group_tasks: Counter[str] = Counter()
            if group_tasks:
                rows = await conn.fetch(
                    INSERT_GROUP_TASKS,
                    workspace,
                    [fp for fp, _ in group_tasks],
                    [task for _, task in group_tasks],
                )
                new_group_tasks.update(row[0] for row in rows)

            groups = sorted(batch.groups.items())
            rows = await conn.fetch(
                UPSERT_GROUPS,
                workspace,
                [fp for fp, _ in groups],
                [g.category for _, g in groups],
                [g.title for _, g in groups],
                [g.features for _, g in groups],
                [g.count for _, g in groups],
                [new_group_tasks[fp] for fp, _ in groups],
                [g.first_seen for _, g in groups],
                [g.last_seen for _, g in groups],
                [error_keys[g.first_index] for _, g in groups],
            )
            pattern_of: dict[str, int] = {
                row["fingerprint"]: row["pattern_id"] for row in rows if not row["inserted"]
            }
            created = {row["fingerprint"] for row in rows if row["inserted"]}
            fresh = [fp for fp in batch.groups if fp in created]  # in order of first appearance

            now = self._now()
            if fresh:
                keys = await next_keys(conn, "patterns", len(fresh))
                pattern_of.update(zip(fresh, keys, strict=True))
                new_groups = [batch.groups[fp] for fp in fresh]
                await conn.execute(
                    INSERT_PATTERNS,
                    workspace,
                    now,
                    keys,
                    [g.title for g in new_groups],
                    [g.category for g in new_groups],
                    [g.first_seen for g in new_groups],
                    [g.last_seen for g in new_groups],
                )
                await conn.execute(LINK_GROUPS, workspace, fresh, keys)

            tallies = batch.pattern_tallies(pattern_of)
            pattern_tasks = [
                (key, task) for key, tally in tallies.items() for task in sorted(tally.task_keys)
            ]
            new_pattern_tasks: Counter[int] = Counter()
            if pattern_tasks:
                rows = await conn.fetch(
                    INSERT_PATTERN_TASKS,
                    workspace,
                    [key for key, _ in pattern_tasks],
                    [task for _, task in pattern_tasks],
                )
                new_pattern_tasks.update(row[0] for row in rows)
            if len(tallies) > 1:
                await conn.execute(
                    "SELECT 1 FROM patterns WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE",
                    list(tallies),
                )
            updated = await conn.fetch(
                UPDATE_PATTERNS,
                now,
                workspace,
                list(tallies),
                [t.count for t in tallies.values()],
                [new_pattern_tasks[key] for key in tallies],
                [t.first_seen for t in tallies.values()],
                [t.last_seen for t in tallies.values()],
            )
            if fresh or any(row["confirmed_now"] for row in updated):
                await bump_library(conn, workspace)
        return _with_patterns(batch.results(error_keys, pattern_of, set(fresh)), updated)

    async def get_error(self, workspace: str, error_id: str) -> StoredError:
        key = parse_id("error", error_id)
        async with self._statement() as conn:
            row = await conn.fetchrow(
                f"SELECT {ERROR_COLUMNS} FROM {ERROR_FROM} WHERE e.workspace = $1 AND e.id = $2",
                workspace,
                key,
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
        async with self._read() as conn:
            rows = await error_page(
                conn,
                workspace,
                after=after,
                limit=limit,
                pattern=None if pattern_id is None else await live_pattern_key(conn, workspace, pattern_id),
                task=None if task_id is None else await task_key(conn, workspace, task_id),
                since=None if since is None else utc(since),
            )
        return [stored_error(row, DECODE) for row in rows]

    async def count_errors(self, workspace: str) -> int:
        async with self._statement() as conn:
            return int(await conn.fetchval("SELECT COUNT(*) FROM errors WHERE workspace = $1", workspace))


def _with_patterns(added: list[AddedError], updated: Sequence[asyncpg.Record]) -> list[AddedError]:
    """`added` with each error's pattern as the transaction left it, and the pattern's newest insight."""
    summaries = {format_id("pattern", row["live"]): row for row in updated}
    return [
        replace(
            one,
            pattern_title=(row := summaries[one.pattern_id])["title"],
            pattern_frequency=row["frequency"],
            pattern_status=row["status"],
            insight=None if row["id"] is None else insight_record(row, DECODE, row["live"]),
        )
        for one in added
    ]


async def _link(conn: asyncpg.Connection, workspace: str, batch: ErrorBatch) -> None:
    """Check the batch's task and action references against this workspace."""
    action_tasks: dict[int, int] = {}
    if batch.action_keys:
        rows = await conn.fetch(
            "SELECT id, task_id FROM action_items WHERE workspace = $1 AND id = ANY($2::bigint[])",
            workspace,
            list(batch.action_keys),
        )
        action_tasks = {row[0]: row[1] for row in rows}
    tasks = set(action_tasks.values())
    if batch.task_keys:
        rows = await conn.fetch(
            "SELECT id FROM tasks WHERE workspace = $1 AND id = ANY($2::bigint[])",
            workspace,
            list(batch.task_keys),
        )
        tasks.update(row[0] for row in rows)
    batch.link(tasks, action_tasks)
