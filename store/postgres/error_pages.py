"""Pages of the error log on PostgreSQL, each read through an index that keeps it cheap at any log size.

A page is the first `limit` errors in id order after a given id, optionally of one pattern, one
task, or since a time. The page's keys are chosen first by a query shaped for its index, then
its rows are fetched, so the plan never depends on fresh statistics (right after a bulk load, a
join ordered by id would read every row of the log).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..records import ERROR_COLUMNS
from ..values import MAX_LIMIT
from .connection import Params

if TYPE_CHECKING:
    import asyncpg

ERROR_FROM = "errors e JOIN signatures s ON s.workspace = e.workspace AND s.fingerprint = e.fingerprint"
# How far to read in id order before deciding that matches of `since` are too sparse for that.
DENSE_PROBE = 2_000

# At most `limit` errors from each group, each read in id order from the (workspace, fingerprint,
# id) index: groups x limit rows, whatever the pattern's size.
PATTERN_PAGE = """
SELECT {columns} FROM signatures s CROSS JOIN LATERAL (
    SELECT * FROM errors e WHERE e.workspace = s.workspace AND e.fingerprint = s.fingerprint AND {filters}
    ORDER BY e.id LIMIT $3) e
WHERE s.workspace = $1 AND s.pattern_id = {pattern}
ORDER BY e.id LIMIT $3
"""


async def error_page(
    conn: asyncpg.Connection,
    workspace: str,
    *,
    after: int,
    limit: int,
    pattern: int | None = None,
    task: int | None = None,
    since: datetime | None = None,
) -> list[asyncpg.Record]:
    """Rows of ERROR_COLUMNS for the page."""
    if limit <= 0:
        return []
    limit = min(limit, MAX_LIMIT)
    p = Params(workspace, after, limit)
    filters = ["e.id > $2"]
    if task is not None:
        filters.append(f"e.task_id = {p.add(task)}")
    if since is not None:
        filters.append(f"e.created_at >= {p.add(since)}")
    where = " AND ".join(filters)
    if pattern is not None:
        return await conn.fetch(
            PATTERN_PAGE.format(columns=ERROR_COLUMNS, filters=where, pattern=p.add(pattern)), *p.values
        )

    if task is not None:  # a task's errors are few: collect them, then sort
        keys = await _keys(
            conn, f"WITH m AS MATERIALIZED (SELECT e.id FROM errors e WHERE e.workspace = $1 AND {where})", p
        )
    elif since is None:  # the (workspace, id) index, in order
        keys = await _keys(
            conn, "WITH m AS (SELECT id FROM errors WHERE workspace = $1 AND id > $2 ORDER BY id LIMIT $3)", p
        )
    else:
        # Dense: the page is within the next DENSE_PROBE errors. Sparse: collect the matches from
        # the (workspace, created_at) index and sort just their keys.
        keys = await _keys(
            conn,
            f"WITH m AS (SELECT id, created_at FROM errors WHERE workspace = $1 AND id > $2 ORDER BY id LIMIT {DENSE_PROBE})",
            p,
            "WHERE m.created_at >= $4",
        )
        if len(keys) < limit:
            keys = await _keys(
                conn,
                f"WITH m AS MATERIALIZED (SELECT e.id FROM errors e WHERE e.workspace = $1 AND {where})",
                p,
            )
    if not keys:
        return []
    return await conn.fetch(
        f"SELECT {ERROR_COLUMNS} FROM {ERROR_FROM} WHERE e.id = ANY($1::bigint[]) ORDER BY e.id", keys
    )


async def _keys(conn: asyncpg.Connection, source: str, p: Params, where: str = "") -> list[int]:
    rows = await conn.fetch(f"{source} SELECT m.id FROM m {where} ORDER BY m.id LIMIT $3", *p.values)
    return [row[0] for row in rows]
