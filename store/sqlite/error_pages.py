"""Pages of the error log on SQLite, each read through an index that keeps it cheap at any log size.

A page is the first `limit` errors in id order after a given id, optionally of one pattern, one
task, or since a time. Left to itself the planner walks the whole log in id order and tests every
row, which is instant when most rows match and takes seconds when few do; each filter below
names the index that bounds the work instead.
"""

from __future__ import annotations

import sqlite3

from ..records import ERROR_COLUMNS
from ..values import MAX_LIMIT
from .connection import fetch_all_sync, json_list

ERROR_FROM = "errors e JOIN signatures s ON s.workspace = e.workspace AND s.fingerprint = e.fingerprint"
# How far to read in id order before deciding that matches of `since` are too sparse for that.
DENSE_PROBE = 2_000

# Only the first `limit` matching errors of each group can be on the page, so each group is read
# as an index range ending at its limit-th match: groups x limit rows, whatever the pattern's size.
PATTERN_PAGE = """
SELECT {columns} FROM signatures s
CROSS JOIN errors e INDEXED BY errors_workspace_fingerprint
WHERE s.workspace = :workspace AND s.pattern_id = :pattern
    AND e.workspace = s.workspace AND e.fingerprint = s.fingerprint AND {e_filters}
    AND e.id <= COALESCE((
        SELECT y.id FROM errors y INDEXED BY errors_workspace_fingerprint
        WHERE y.workspace = s.workspace AND y.fingerprint = s.fingerprint AND {y_filters}
        ORDER BY y.id LIMIT 1 OFFSET :limit - 1), 9223372036854775807)
ORDER BY e.id LIMIT :limit
"""


def error_page(
    conn: sqlite3.Connection,
    workspace: str,
    *,
    after: int,
    limit: int,
    pattern: int | None = None,
    task: int | None = None,
    since: str | None = None,
) -> list[sqlite3.Row]:
    """Rows of ERROR_COLUMNS for the page (`since` is stored timestamp text)."""
    if limit <= 0:
        return []
    limit = min(limit, MAX_LIMIT)
    params = {
        "workspace": workspace,
        "after": after,
        "limit": limit,
        "pattern": pattern,
        "task": task,
        "since": since,
    }
    filters = ["{e}.id > :after"]
    if task is not None:
        filters.append("{e}.task_id = :task")
    if since is not None:
        filters.append("{e}.created_at >= :since")

    def where(alias: str) -> str:
        return " AND ".join(f.format(e=alias) for f in filters)

    if pattern is not None:
        return fetch_all_sync(
            conn,
            PATTERN_PAGE.format(columns=ERROR_COLUMNS, e_filters=where("e"), y_filters=where("y")),
            params,
        )
    if task is not None:  # (workspace, task_id, id) is already in id order
        keys = _keys(
            conn,
            f"FROM errors e INDEXED BY errors_workspace_task WHERE e.workspace = :workspace AND {where('e')}",
            params,
        )
    elif since is not None:
        # Dense: the page is within the next DENSE_PROBE errors. Sparse: collect the matches from
        # the (workspace, created_at) index and sort just their keys.
        keys = _keys(
            conn,
            "FROM (SELECT id, created_at FROM errors WHERE workspace = :workspace AND id > :after "
            f"ORDER BY id LIMIT {DENSE_PROBE}) e WHERE e.created_at >= :since",
            params,
        )
        if len(keys) < limit:
            keys = _keys(
                conn,
                f"FROM errors e INDEXED BY errors_workspace_created WHERE e.workspace = :workspace AND {where('e')}",
                params,
            )
    else:
        keys = _keys(conn, "FROM errors e WHERE e.workspace = :workspace AND e.id > :after", params)
    if not keys:
        return []
    return fetch_all_sync(
        conn,
        f"SELECT {ERROR_COLUMNS} FROM {ERROR_FROM} WHERE e.id IN (SELECT value FROM json_each(?)) ORDER BY e.id",
        (json_list(keys),),
    )


def _keys(conn: sqlite3.Connection, source: str, params: dict[str, object]) -> list[int]:
    return [
        row[0] for row in fetch_all_sync(conn, f"SELECT e.id {source} ORDER BY e.id LIMIT :limit", params)
    ]
