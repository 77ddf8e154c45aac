"""Lookups several SQLite query modules share: ids to keys within a workspace, library bumps."""

from __future__ import annotations

import aiosqlite

from ..base import NotFound, StoreError
from ..ids import format_id, parse_id
from .connection import fetch_one

# Merges keep `merged_into` pointing at a live pattern, so one hop is the norm; the bound only
# guards against a cycle a bug could leave behind.
MAX_REDIRECTS = 32


async def live_pattern_key(conn: aiosqlite.Connection, workspace: str, pattern_id: str) -> int:
    """The key of the live pattern `pattern_id` is or was merged into; `NotFound` if unknown."""
    key = parse_id("pattern", pattern_id)
    for _ in range(MAX_REDIRECTS):
        row = await fetch_one(
            conn, "SELECT merged_into FROM patterns WHERE workspace = ? AND id = ?", (workspace, key)
        )
        if row is None:
            raise NotFound(f"pattern {pattern_id!r} does not exist in this workspace")
        if row[0] is None:
            return key
        key = row[0]
    raise StoreError(f"pattern {pattern_id!r} redirects in a loop")


async def task_key(conn: aiosqlite.Connection, workspace: str, task_id: str) -> int:
    key = parse_id("task", task_id)
    if await fetch_one(conn, "SELECT 1 FROM tasks WHERE workspace = ? AND id = ?", (workspace, key)) is None:
        raise NotFound(f"task {task_id!r} does not exist in this workspace")
    return key


async def action_key(conn: aiosqlite.Connection, workspace: str, action_id: str, *, task: int) -> int:
    key = parse_id("action", action_id)
    row = await fetch_one(
        conn, "SELECT task_id FROM action_items WHERE workspace = ? AND id = ?", (workspace, key)
    )
    if row is None:
        raise NotFound(f"action {action_id!r} does not exist in this workspace")
    if row[0] != task:
        raise NotFound(f"action {action_id!r} is not an item of task {format_id('task', task)!r}")
    return key


async def bump_library(conn: aiosqlite.Connection, workspace: str) -> None:
    await conn.execute(
        "INSERT INTO library_versions (workspace, version) VALUES (?, 1) "
        "ON CONFLICT (workspace) DO UPDATE SET version = version + 1",
        (workspace,),
    )
