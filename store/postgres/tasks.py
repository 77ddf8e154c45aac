"""Tasks, their action items and executions on PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..base import Conflict, NewActionItem, NewExecution, NotFound, TaskRecord, TaskStatus
from ..ids import format_id, parse_id
from ..items import plan_items
from ..records import ITEM_COLUMNS, TASK_COLUMNS, task_record
from ..values import clean_text, dump_json
from .connection import DECODE, PostgresBase, next_keys
from .lookups import action_key, task_key

if TYPE_CHECKING:
    import asyncpg

CLOSED_STATUSES = ("succeeded", "failed", "abandoned")


class PostgresTasks(PostgresBase):
    async def create_task(
        self,
        workspace: str,
        description: str,
        *,
        domain: str,
        items: Sequence[NewActionItem] = (),
        protocol_version: int | None = None,
    ) -> TaskRecord:
        async with self._write() as conn:
            key = await conn.fetchval(
                "INSERT INTO tasks (workspace, description, domain, status, created_at, protocol_version) "
                "VALUES ($1, $2, $3, 'open', $4, $5) RETURNING id",
                workspace,
                clean_text(description),
                clean_text(domain),
                self._now(),
                protocol_version,
            )
            if items:
                rows = plan_items(items, await next_keys(conn, "action_items", len(items)))
                await conn.executemany(
                    "INSERT INTO action_items (id, workspace, task_id, parent_id, name, category, description, position) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    [
                        (r.key, workspace, key, r.parent_key, r.name, r.category, r.description, r.position)
                        for r in rows
                    ],
                )
            return await _task(conn, workspace, key, format_id("task", key))

    async def get_task(self, workspace: str, task_id: str) -> TaskRecord:
        key = parse_id("task", task_id)
        async with self._read() as conn:
            return await _task(conn, workspace, key, task_id)

    async def complete_task(
        self,
        workspace: str,
        task_id: str,
        *,
        status: TaskStatus,
        tokens: int,
        cost_usd: float,
    ) -> TaskRecord:
        if status not in CLOSED_STATUSES:
            raise Conflict(f"a task is closed as one of {', '.join(CLOSED_STATUSES)} (got {status!r})")
        key = parse_id("task", task_id)
        async with self._write() as conn:
            closed = await conn.fetchval(
                "UPDATE tasks SET status = $3, completed_at = $4, tokens = $5, cost_usd = $6, "
                "duration_s = GREATEST(EXTRACT(EPOCH FROM ($4 - created_at)), 0) "
                "WHERE workspace = $1 AND id = $2 AND status = 'open' RETURNING id",
                workspace,
                key,
                status,
                self._now(),
                tokens,
                cost_usd,
            )
            if closed is None:
                current = await conn.fetchval(
                    "SELECT status FROM tasks WHERE workspace = $1 AND id = $2", workspace, key
                )
                if current is None:
                    raise NotFound(f"task {task_id!r} does not exist in this workspace")
                raise Conflict(f"task {task_id!r} is already closed as {current!r}")
            return await _task(conn, workspace, key, task_id)

    async def add_execution(self, workspace: str, execution: NewExecution) -> str:
        async with self._write() as conn:
            task = await task_key(conn, workspace, execution.task_id)
            action = None
            if execution.action_id is not None:
                action = await action_key(conn, workspace, execution.action_id, task=task)
            key = await conn.fetchval(
                "INSERT INTO executions (workspace, task_id, action_id, kind, passed, tokens, cost_usd, duration_ms, "
                "details, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb, $10) RETURNING id",
                workspace,
                task,
                action,
                clean_text(execution.kind),
                execution.passed,
                execution.tokens,
                execution.cost_usd,
                execution.duration_ms,
                dump_json(dict(execution.details)),
                self._now(),
            )
        return format_id("execution", key)


async def _task(conn: asyncpg.Connection, workspace: str, key: int, task_id: str) -> TaskRecord:
    row = await conn.fetchrow(
        f"SELECT {TASK_COLUMNS} FROM tasks WHERE workspace = $1 AND id = $2", workspace, key
    )
    if row is None:
        raise NotFound(f"task {task_id!r} does not exist in this workspace")
    items = await conn.fetch(
        f"SELECT {ITEM_COLUMNS} FROM action_items WHERE workspace = $1 AND task_id = $2 ORDER BY id",
        workspace,
        key,
    )
    return task_record(row, DECODE, items)
