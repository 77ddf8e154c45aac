"""Patterns on SQLite: fingerprint groups for mining, merges, listing and the library version."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

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
from .connection import (
    DECODE,
    SqliteBase,
    execute_sync,
    fetch_all_sync,
    fetch_one_sync,
    from_text,
    json_list,
    to_text,
)
from .lookups import bump_library_sync, live_pattern_key_sync

# The first error of up to three member groups per pattern, most frequent group first.
EXAMPLES = f"""
SELECT {ERROR_COLUMNS} FROM (
    SELECT pattern_id, first_error_id,
        row_number() OVER (PARTITION BY pattern_id ORDER BY count DESC, first_error_id) AS rank
    FROM signatures WHERE workspace = ? AND pattern_id IN (SELECT value FROM json_each(?))
) s JOIN errors e ON e.id = s.first_error_id
WHERE s.rank <= 3 ORDER BY s.pattern_id, s.rank
"""

# A merged pattern's counters come from its groups again, never from adding up old counters.
RECOMPUTE_TASKS = """
INSERT INTO pattern_tasks (workspace, pattern_id, task_id)
SELECT DISTINCT s.workspace, s.pattern_id, st.task_id
FROM signatures s JOIN signature_tasks st ON st.workspace = s.workspace AND st.fingerprint = s.fingerprint
WHERE s.workspace = :workspace AND s.pattern_id = :key
"""
RECOMPUTE_COUNTERS = """
UPDATE patterns SET
    (frequency, fingerprints, first_seen, last_seen) = (
        SELECT COALESCE(SUM(count), 0), COUNT(*), COALESCE(MIN(first_seen), patterns.first_seen),
            COALESCE(MAX(last_seen), patterns.last_seen)
        FROM signatures WHERE workspace = :workspace AND pattern_id = :key),
    distinct_tasks = (SELECT COUNT(*) FROM pattern_tasks WHERE workspace = :workspace AND pattern_id = :key),
    title = COALESCE(:title, title),
    signature = COALESCE(:signature, signature),
    cohesion = COALESCE(:cohesion, cohesion),
    updated_at = :now
WHERE id = :key
"""


class SqlitePatterns(SqliteBase):
    async def signature_groups(self, workspace: str, *, only_unmined: bool = False) -> list[SignatureGroup]:
        unmined = " AND mined = 0" if only_unmined else ""
        rows = await self._query(
            fetch_all_sync,
            f"SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE workspace = ?{unmined} ORDER BY first_error_id",
            (workspace,),
        )
        return [signature_group(row, DECODE) for row in rows]

    async def mark_mined(self, workspace: str, fingerprints: Sequence[str]) -> None:
        """Unknown fingerprints are ignored: a group never disappears, so they were never stored."""
        if not fingerprints:
            return
        await self._transact(
            execute_sync,
            "UPDATE signatures SET mined = 1 WHERE workspace = ? AND fingerprint IN (SELECT value FROM json_each(?))",
            (workspace, json_list(fingerprints)),
        )

    async def merge_patterns(self, workspace: str, merges: Sequence[PatternMerge]) -> None:
        """Ids already merged are followed to their live pattern, so a stale id still lands right."""
        if not merges:
            return
        await self._transact(_merge_all, workspace, merges, to_text(self._now()))

    async def update_pattern(
        self,
        workspace: str,
        pattern_id: str,
        *,
        title: str | None = None,
        signature: str | None = None,
        cohesion: float | None = None,
    ) -> None:
        values = {
            "title": clean_optional(title),
            "signature": clean_optional(signature),
            "cohesion": cohesion,
            "now": to_text(self._now()),
        }
        await self._transact(_update_pattern, workspace, pattern_id, values)

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
        clauses = ["workspace = ?", "frequency >= ?"]
        params: list[object] = [workspace, min_frequency]
        if status == "merged":
            clauses.append("merged_into IS NOT NULL")
        else:
            clauses.append("merged_into IS NULL")
            if status is not None:
                clauses.append("status = ?")
                params.append(status)
        if since is not None:
            clauses.append("last_seen >= ?")
            params.append(to_text(utc(since)))
        if category:
            exact, prefix = category_prefix(category)
            clauses.append("(category = ? OR substr(category, 1, length(?)) = ?)")
            params += [exact, prefix, prefix]
        where = " AND ".join(clauses)
        page_where, page_params = where, list(params)
        if cursor is not None:
            frequency, last_seen, key = decode_cursor(cursor)
            page_where += " AND (frequency, last_seen, id) < (?, ?, ?)"
            page_params += [frequency, to_text(last_seen), key]
        limit = min(max(limit, 0), MAX_LIMIT)
        return await self._query(_pattern_page, workspace, where, params, page_where, page_params, limit)

    async def get_pattern(self, workspace: str, pattern_id: str) -> PatternRecord:
        return await self._query(_pattern, workspace, pattern_id)

    async def pattern_ids(self, workspace: str) -> list[str]:
        rows = await self._query(
            fetch_all_sync,
            "SELECT id FROM patterns WHERE workspace = ? AND merged_into IS NULL ORDER BY id",
            (workspace,),
        )
        return [format_id("pattern", row[0]) for row in rows]

    async def library_version(self, workspace: str) -> int:
        row = await self._query(
            fetch_one_sync, "SELECT version FROM library_versions WHERE workspace = ?", (workspace,)
        )
        return 0 if row is None else int(row[0])


def _pattern(conn: sqlite3.Connection, workspace: str, pattern_id: str) -> PatternRecord:
    key = live_pattern_key_sync(conn, workspace, pattern_id)
    row = fetch_one_sync(conn, f"SELECT {PATTERN_COLUMNS} FROM patterns WHERE id = ?", (key,))
    assert row is not None
    return pattern_record(row, DECODE, _examples(conn, workspace, [key]).get(key, ()))


def _pattern_page(
    conn: sqlite3.Connection,
    workspace: str,
    where: str,
    params: list[object],
    page_where: str,
    page_params: list[object],
    limit: int,
) -> PatternPage:
    total_row = fetch_one_sync(conn, f"SELECT COUNT(*) FROM patterns WHERE {where}", params)
    rows = fetch_all_sync(
        conn,
        f"SELECT {PATTERN_COLUMNS} FROM patterns WHERE {page_where} "
        "ORDER BY frequency DESC, last_seen DESC, id DESC LIMIT ?",
        (*page_params, limit + 1),
    )
    shown = rows[:limit]
    examples = _examples(conn, workspace, [row["id"] for row in shown])
    next_cursor = None
    if len(rows) > limit and shown:
        last = shown[-1]
        next_cursor = encode_cursor(last["frequency"], from_text(last["last_seen"]), last["id"])
    assert total_row is not None
    return PatternPage(
        patterns=[pattern_record(row, DECODE, examples.get(row["id"], ())) for row in shown],
        next_cursor=next_cursor,
        total=int(total_row[0]),
    )


def _examples(conn: sqlite3.Connection, workspace: str, keys: list[int]) -> dict[int, list[StoredError]]:
    if not keys:
        return {}
    return group_examples(fetch_all_sync(conn, EXAMPLES, (workspace, json_list(keys))), DECODE)


def _update_pattern(
    conn: sqlite3.Connection, workspace: str, pattern_id: str, values: dict[str, object]
) -> None:
    key = live_pattern_key_sync(conn, workspace, pattern_id)
    changed = fetch_all_sync(
        conn,
        "UPDATE patterns SET title = COALESCE(:title, title), signature = COALESCE(:signature, signature), "
        "cohesion = COALESCE(:cohesion, cohesion), updated_at = :now "
        "WHERE id = :key AND (title IS NOT COALESCE(:title, title) "
        "OR signature IS NOT COALESCE(:signature, signature) OR cohesion IS NOT COALESCE(:cohesion, cohesion)) "
        "RETURNING id",
        {**values, "key": key},
    )
    if changed:
        bump_library_sync(conn, workspace)


def _merge_all(conn: sqlite3.Connection, workspace: str, merges: Sequence[PatternMerge], now: str) -> None:
    for merge in merges:
        _merge(conn, workspace, merge, now)
    bump_library_sync(conn, workspace)


def _merge(conn: sqlite3.Connection, workspace: str, merge: PatternMerge, now: str) -> None:
    into = live_pattern_key_sync(conn, workspace, merge.into)
    absorbed: list[int] = []
    for pattern_id in merge.absorbed:
        key = live_pattern_key_sync(conn, workspace, pattern_id)
        if key != into and key not in absorbed:
            absorbed.append(key)
    if absorbed:
        keys = json_list(absorbed)
        in_keys = "IN (SELECT value FROM json_each(?))"
        conn.execute(
            f"UPDATE signatures SET pattern_id = ? WHERE workspace = ? AND pattern_id {in_keys}",
            (into, workspace, keys),
        )
        # Whatever was merged into an absorbed pattern now redirects straight to the survivor.
        conn.execute(
            f"UPDATE patterns SET merged_into = ?, updated_at = ? WHERE workspace = ? AND merged_into {in_keys}",
            (into, now, workspace, keys),
        )
        conn.execute(
            f"UPDATE patterns SET status = 'merged', merged_into = ?, updated_at = ? WHERE workspace = ? AND id {in_keys}",
            (into, now, workspace, keys),
        )
        conn.execute(
            f"DELETE FROM pattern_tasks WHERE workspace = ? AND pattern_id {in_keys}", (workspace, keys)
        )
    conn.execute("DELETE FROM pattern_tasks WHERE workspace = ? AND pattern_id = ?", (workspace, into))
    conn.execute(RECOMPUTE_TASKS, {"workspace": workspace, "key": into})
    conn.execute(
        RECOMPUTE_COUNTERS,
        {
            "workspace": workspace,
            "key": into,
            "title": clean_optional(merge.title),
            "signature": clean_optional(merge.signature),
            "cohesion": merge.cohesion,
            "now": now,
        },
    )
    conn.execute(
        "UPDATE patterns SET status = CASE WHEN distinct_tasks >= 2 THEN 'confirmed' ELSE 'emerging' END WHERE id = ?",
        (into,),
    )
