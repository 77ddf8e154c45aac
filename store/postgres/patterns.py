"""Patterns on PostgreSQL: fingerprint groups for mining, merges, listing and the library version."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from ..base import PatternMerge, PatternPage, PatternRecord, PatternStatus, SignatureGroup, StoredError
from ..ids import format_id
from ..records import (
    ERROR_COLUMNS,
    PATTERN_COLUMNS,
    SIGNATURE_COLUMNS,
    group_examples,
    pattern_record,
    signature_group,
)
from ..values import MAX_LIMIT, category_prefix, clean_optional, decode_cursor, encode_cursor, utc
from .connection import DECODE, Params, PostgresBase
from .lookups import bump_library, live_pattern_key

if TYPE_CHECKING:
    import asyncpg

# The first error of up to three member groups per pattern, most frequent group first.
EXAMPLES = f"""
SELECT {ERROR_COLUMNS} FROM (
    SELECT pattern_id, first_error_id,
        row_number() OVER (PARTITION BY pattern_id ORDER BY count DESC, first_error_id) AS rank
    FROM signatures WHERE workspace = $1 AND pattern_id = ANY($2::bigint[])
) s JOIN errors e ON e.id = s.first_error_id
WHERE s.rank <= 3 ORDER BY s.pattern_id, s.rank
"""

# Merges follow add_errors' lock order (groups, pattern_tasks, patterns), each in key order.
MOVE_GROUPS = """
UPDATE signatures SET pattern_id = $2
WHERE (workspace, fingerprint) IN (
    SELECT workspace, fingerprint FROM signatures
    WHERE workspace = $1 AND pattern_id = ANY($3::bigint[])
    ORDER BY fingerprint FOR NO KEY UPDATE)
"""
# A merged pattern's counters come from its groups again, never from adding up old counters.
RECOMPUTE_TASKS = """
INSERT INTO pattern_tasks (workspace, pattern_id, task_id)
SELECT DISTINCT s.workspace, s.pattern_id, st.task_id
FROM signatures s JOIN signature_tasks st ON st.workspace = s.workspace AND st.fingerprint = s.fingerprint
WHERE s.workspace = $1 AND s.pattern_id = $2
ORDER BY 3
ON CONFLICT DO NOTHING
"""
RECOMPUTE_COUNTERS = """
UPDATE patterns p SET
    (frequency, fingerprints, first_seen, last_seen) = (
        SELECT COALESCE(SUM(count), 0), COUNT(*), COALESCE(MIN(first_seen), p.first_seen),
            COALESCE(MAX(last_seen), p.last_seen)
        FROM signatures WHERE workspace = $1 AND pattern_id = $2),
    distinct_tasks = (SELECT COUNT(*) FROM pattern_tasks WHERE workspace = $1 AND pattern_id = $2),
    title = COALESCE($3, p.title),
    signature = COALESCE($4, p.signature),
    cohesion = COALESCE($5, p.cohesion),
    updated_at = $6
WHERE p.id = $2
"""


class PostgresPatterns(PostgresBase):
    async def signature_groups(self, workspace: str, *, only_unmined: bool = False) -> list[SignatureGroup]:
        unmined = " AND NOT mined" if only_unmined else ""
        async with self._statement() as conn:
            rows = await conn.fetch(
                f"SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE workspace = $1{unmined} ORDER BY first_error_id",
                workspace,
            )
        return [signature_group(row, DECODE) for row in rows]

    async def mark_mined(self, workspace: str, fingerprints: Sequence[str]) -> None:
        """Unknown fingerprints are ignored: a group never disappears, so they were never stored."""
        if not fingerprints:
            return
        async with self._write() as conn:
            await conn.execute(
                "UPDATE signatures SET mined = true WHERE workspace = $1 AND fingerprint = ANY($2::text[])",
                workspace,
                list(fingerprints),
            )

    async def merge_patterns(self, workspace: str, merges: Sequence[PatternMerge]) -> None:
        """Ids already merged are followed to their live pattern, so a stale id still lands right."""
        if merges:
            await self._retrying(lambda: self._merge_all(workspace, merges))

    async def _merge_all(self, workspace: str, merges: Sequence[PatternMerge]) -> None:
        async with self._write() as conn:
            # Merges of one workspace take turns: each resolves ids against the previous one's result.
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext('fractal-rmo merge ' || $1))", workspace
            )
            for merge in merges:
                await _merge(conn, workspace, merge, self._now())
            await bump_library(conn, workspace)

    async def update_pattern(
        self,
        workspace: str,
        pattern_id: str,
        *,
        title: str | None = None,
        signature: str | None = None,
        cohesion: float | None = None,
    ) -> None:
        async with self._write() as conn:
            key = await live_pattern_key(conn, workspace, pattern_id)
            changed = await conn.fetchval(
                "UPDATE patterns SET title = COALESCE($2, title), signature = COALESCE($3, signature), "
                "cohesion = COALESCE($4, cohesion), updated_at = $5 "
                "WHERE id = $1 AND (title IS DISTINCT FROM COALESCE($2, title) "
                "OR signature IS DISTINCT FROM COALESCE($3, signature) "
                "OR cohesion IS DISTINCT FROM COALESCE($4, cohesion)) RETURNING id",
                key,
                clean_optional(title),
                clean_optional(signature),
                cohesion,
                self._now(),
            )
            if changed is not None:
                await bump_library(conn, workspace)

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
        """`status="merged"` lists the merged patterns instead of the live ones."""
        p = Params(workspace)
        clauses = ["workspace = $1", f"frequency >= {p.add(min_frequency)}"]
        if status == "merged":
            clauses.append("merged_into IS NOT NULL")
        else:
            clauses.append("merged_into IS NULL")
            if status is not None:
                clauses.append(f"status = {p.add(status)}")
        if since is not None:
            clauses.append(f"last_seen >= {p.add(utc(since))}")
        if category:
            exact, prefix = category_prefix(category)
            clauses.append(f"(category = {p.add(exact)} OR starts_with(category, {p.add(prefix)}))")
        where = " AND ".join(clauses)
        total_params = list(p.values)
        page_where = where
        if cursor is not None:
            frequency, last_seen, key = decode_cursor(cursor)
            page_where += (
                f" AND (frequency, last_seen, id) < ({p.add(frequency)}, {p.add(last_seen)}, {p.add(key)})"
            )
        limit = min(max(limit, 0), MAX_LIMIT)
        async with self._read() as conn:
            total = await conn.fetchval(f"SELECT COUNT(*) FROM patterns WHERE {where}", *total_params)
            rows = await conn.fetch(
                f"SELECT {PATTERN_COLUMNS} FROM patterns WHERE {page_where} "
                f"ORDER BY frequency DESC, last_seen DESC, id DESC LIMIT {p.add(limit + 1)}",
                *p.values,
            )
            shown = rows[:limit]
            examples = await _examples(conn, workspace, [row["id"] for row in shown])
        next_cursor = None
        if len(rows) > limit and shown:
            last = shown[-1]
            next_cursor = encode_cursor(last["frequency"], last["last_seen"], last["id"])
        return PatternPage(
            patterns=[pattern_record(row, DECODE, examples.get(row["id"], ())) for row in shown],
            next_cursor=next_cursor,
            total=int(total),
        )

    async def get_pattern(self, workspace: str, pattern_id: str) -> PatternRecord:
        async with self._read() as conn:
            key = await live_pattern_key(conn, workspace, pattern_id)
            row = await conn.fetchrow(f"SELECT {PATTERN_COLUMNS} FROM patterns WHERE id = $1", key)
            examples = await _examples(conn, workspace, [key])
        return pattern_record(row, DECODE, examples.get(key, ()))

    async def pattern_ids(self, workspace: str) -> list[str]:
        async with self._statement() as conn:
            rows = await conn.fetch(
                "SELECT id FROM patterns WHERE workspace = $1 AND merged_into IS NULL ORDER BY id", workspace
            )
        return [format_id("pattern", row[0]) for row in rows]

    async def library_version(self, workspace: str) -> int:
        async with self._statement() as conn:
            version = await conn.fetchval(
                "SELECT version FROM library_versions WHERE workspace = $1", workspace
            )
        return 0 if version is None else int(version)


async def _examples(
    conn: asyncpg.Connection, workspace: str, keys: list[int]
) -> dict[int, list[StoredError]]:
    if not keys:
        return {}
    return group_examples(await conn.fetch(EXAMPLES, workspace, keys), DECODE)


async def _merge(conn: asyncpg.Connection, workspace: str, merge: PatternMerge, now: datetime) -> None:
    into = await live_pattern_key(conn, workspace, merge.into)
    absorbed: list[int] = []
    for pattern_id in merge.absorbed:
        key = await live_pattern_key(conn, workspace, pattern_id)
        if key != into and key not in absorbed:
            absorbed.append(key)
    if absorbed:
        await conn.execute(MOVE_GROUPS, workspace, into, absorbed)
    await conn.execute(
        "DELETE FROM pattern_tasks WHERE workspace = $1 AND pattern_id = ANY($2::bigint[])",
        workspace,
        [into, *absorbed],
    )
    await conn.execute(RECOMPUTE_TASKS, workspace, into)
    await conn.execute(
        "SELECT 1 FROM patterns WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE",
        sorted([into, *absorbed]),
    )
    if absorbed:
        # Whatever was merged into an absorbed pattern now redirects straight to the survivor.
        await conn.execute(
            "UPDATE patterns SET merged_into = $2, updated_at = $4 WHERE workspace = $1 AND merged_into = ANY($3::bigint[])",
            workspace,
            into,
            absorbed,
            now,
        )
        await conn.execute(
            "UPDATE patterns SET status = 'merged', merged_into = $2, updated_at = $4 "
            "WHERE workspace = $1 AND id = ANY($3::bigint[])",
            workspace,
            into,
            absorbed,
            now,
        )
    await conn.execute(
        RECOMPUTE_COUNTERS,
        workspace,
        into,
        clean_optional(merge.title),
        clean_optional(merge.signature),
        merge.cohesion,
        now,
    )
    await conn.execute(
        "UPDATE patterns SET status = CASE WHEN distinct_tasks >= 2 THEN 'confirmed' ELSE 'emerging' END WHERE id = $1",
        into,
    )
