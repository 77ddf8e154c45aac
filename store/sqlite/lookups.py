"""Lookups several SQLite query modules share: ids to keys within a workspace, library bumps.

Each comes twice: a plain function for work that runs on a connection's thread (`_transact`,
`_query`), and a coroutine for code inside ``async with self._write()/_read()``.
"""

from __future__ import annotations

import sqlite3

from ..base import NotFound, StoreError
from ..ids import format_id, parse_id
from .connection import fetch_one_sync
from .thread import ThreadConnection

# Merges keep `merged_into` pointing at a live pattern, so one hop is the norm; the bound only
# guards against a cycle a bug could leave behind.
MAX_REDIRECTS = 32


def live_pattern_key_sync(conn: sqlite3.Connection, workspace: str, pattern_id: str) -> int:
    """The key of the live pattern `pattern_id` is or was merged into; `NotFound` if unknown."""
    key = parse_id("pattern", pattern_id)
    for _ in range(MAX_REDIRECTS):
        row = fetch_one_sync(
            conn, "SELECT merged_into FROM patterns WHERE workspace = ? AND id = ?", (workspace, key)
        )
        if row is None:
            raise NotFound(f"pattern {pattern_id!r} does not exist in this workspace")
        if row[0] is None:
            return key
        key = row[0]
    raise StoreError(f"pattern {pattern_id!r} redirects in a loop")


def task_key_sync(conn: sqlite3.Connection, workspace: str, task_id: str) -> int:
    key = parse_id("task", task_id)
    if fetch_one_sync(conn, "SELECT 1 FROM tasks WHERE workspace = ? AND id = ?", (workspace, key)) is None:
        raise NotFound(f"task {task_id!r} does not exist in this workspace")
    return key


def action_key_sync(conn: sqlite3.Connection, workspace: str, action_id: str, *, task: int) -> int:
    key = parse_id("action", action_id)
    row = fetch_one_sync(
        conn, "SELECT task_id FROM action_items WHERE workspace = ? AND id = ?", (workspace, key)
    )
    if row is None:
        raise NotFound(f"action {action_id!r} does not exist in this workspace")
    if row[0] != task:
        raise NotFound(f"action {action_id!r} is not an item of task {format_id('task', task)!r}")
    return key


def bump_library_sync(conn: sqlite3.Connection, workspace: str) -> None:
    conn.execute(
        "INSERT INTO library_versions (workspace, version) VALUES (?, 1) "
        "ON CONFLICT (workspace) DO UPDATE SET version = version + 1",
        (workspace,),
    ).close()


async def live_pattern_key(conn: ThreadConnection, workspace: str, pattern_id: str) -> int:
    return await conn.run(live_pattern_key_sync, workspace, pattern_id)


async def task_key(conn: ThreadConnection, workspace: str, task_id: str) -> int:
    return await conn.run(task_key_sync, workspace, task_id)


async def action_key(conn: ThreadConnection, workspace: str, action_id: str, *, task: int) -> int:
    return await conn.run(action_key_sync, workspace, action_id, task=task)


async def bump_library(conn: ThreadConnection, workspace: str) -> None:
    await conn.run(bump_library_sync, workspace)
