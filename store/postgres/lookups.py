"""Lookups several PostgreSQL query modules share: ids to keys within a workspace, library bumps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base import NotFound, StoreError
from ..ids import format_id, parse_id

if TYPE_CHECKING:
    import asyncpg

# Merges keep `merged_into` pointing at a live pattern, so one hop is the norm; the bound only
# guards against a cycle a bug could leave behind.
MAX_REDIRECTS = 32


async def live_pattern_key(conn: asyncpg.Connection, workspace: str, pattern_id: str) -> int:
    """The key of the live pattern `pattern_id` is or was merged into; `NotFound` if unknown."""
    key = parse_id("pattern", pattern_id)
    for _ in range(MAX_REDIRECTS):
        row = await conn.fetchrow(
            "SELECT merged_into FROM patterns WHERE workspace = $1 AND id = $2", workspace, key
        )
        if row is None:
            raise NotFound(f"pattern {pattern_id!r} does not exist in this workspace")
        if row[0] is None:
            return key
        key = row[0]
    raise StoreError(f"pattern {pattern_id!r} redirects in a loop")


async def task_key(conn: asyncpg.Connection, workspace: str, task_id: str) -> int:
    key = parse_id("task", task_id)
    if await conn.fetchval("SELECT 1 FROM tasks WHERE workspace = $1 AND id = $2", workspace, key) is None:
        raise NotFound(f"task {task_id!r} does not exist in this workspace")
    return key


async def action_key(conn: asyncpg.Connection, workspace: str, action_id: str, *, task: int) -> int:
    key = parse_id("action", action_id)
    owner = await conn.fetchval(
        "SELECT task_id FROM action_items WHERE workspace = $1 AND id = $2", workspace, key
    )
    if owner is None:
        raise NotFound(f"action {action_id!r} does not exist in this workspace")
    if owner != task:
        raise NotFound(f"action {action_id!r} is not an item of task {format_id('task', task)!r}")
    return key


async def bump_library(conn: asyncpg.Connection, workspace: str) -> None:
    await conn.execute(
        "INSERT INTO library_versions (workspace, version) VALUES ($1, 1) "
        "ON CONFLICT (workspace) DO UPDATE SET version = library_versions.version + 1",
        workspace,
    )
