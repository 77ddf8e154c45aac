"""Tasks, their action items and executions on SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime

from ..base import Conflict, NewActionItem, NewExecution, NotFound, TaskRecord, TaskStatus
from ..ids import format_id, parse_id
from ..items import plan_items
from ..records import ITEM_COLUMNS, TASK_COLUMNS, task_record
from ..values import clean_text, dump_json
from .connection import DECODE, SqliteBase, fetch_all_sync, fetch_one_sync, from_text, next_key_sync, to_text
from .lookups import action_key_sync, task_key_sync

CLOSED_STATUSES = ("succeeded", "failed", "abandoned")


class SqliteTasks(SqliteBase):
    async def create_task(
        self,
        workspace: str,
        description: str,
        *,
        domain: str,
        items: Sequence[NewActionItem] = (),
        protocol_version: int | None = None,
    ) -> TaskRecord:
        return await self._transact(
            _create_task,
            workspace,
            clean_text(description),
            clean_text(domain),
            items,
            protocol_version,
            to_text(self._now()),
        )

    async def get_task(self, workspace: str, task_id: str) -> TaskRecord:
        key = parse_id("task", task_id)
        return await self._query(_task, workspace, key, task_id)

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
        return await self._transact(
            _complete_task, workspace, key, task_id, status, tokens, cost_usd, self._now
        )

    async def add_execution(self, workspace: str, execution: NewExecution) -> str:
        return await self._transact(_add_execution, workspace, execution, to_text(self._now()))


def _create_task(
    conn: sqlite3.Connection,
    workspace: str,
    description: str,
    domain: str,
    items: Sequence[NewActionItem],
    protocol_version: int | None,
    now: str,
) -> TaskRecord:
    row = fetch_one_sync(
        conn,
        "INSERT INTO tasks (workspace, description, domain, status, created_at, protocol_version) "
        "VALUES (?, ?, ?, 'open', ?, ?) RETURNING id",
        (workspace, description, domain, now, protocol_version),
    )
    assert row is not None
    key = row[0]
    if items:
        first = next_key_sync(conn, "action_items")
        rows = plan_items(items, range(first, first + len(items)))
        conn.executemany(
            "INSERT INTO action_items (id, workspace, task_id, parent_id, name, category, description, position) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (r.key, workspace, key, r.parent_key, r.name, r.category, r.description, r.position)
                for r in rows
            ],
        )
    return _task(conn, workspace, key, format_id("task", key))


def _complete_task(
    conn: sqlite3.Connection,
    workspace: str,
    key: int,
    task_id: str,
    status: TaskStatus,
    tokens: int,
    cost_usd: float,
    clock: Callable[[], datetime],
) -> TaskRecord:
    row = fetch_one_sync(
        conn, "SELECT status, created_at FROM tasks WHERE workspace = ? AND id = ?", (workspace, key)
    )
    if row is None:
        raise NotFound(f"task {task_id!r} does not exist in this workspace")
    if row["status"] != "open":
        raise Conflict(f"task {task_id!r} is already closed as {row['status']!r}")
    now = clock()
    duration = max((now - from_text(row["created_at"])).total_seconds(), 0.0)
    conn.execute(
        "UPDATE tasks SET status = ?, completed_at = ?, tokens = ?, cost_usd = ?, duration_s = ? WHERE id = ?",
        (status, to_text(now), tokens, cost_usd, duration, key),
    )
    return _task(conn, workspace, key, task_id)


def _add_execution(conn: sqlite3.Connection, workspace: str, execution: NewExecution, now: str) -> str:
    task = task_key_sync(conn, workspace, execution.task_id)
    action = None
    if execution.action_id is not None:
        action = action_key_sync(conn, workspace, execution.action_id, task=task)
    row = fetch_one_sync(
        conn,
        "INSERT INTO executions (workspace, task_id, action_id, kind, passed, tokens, cost_usd, duration_ms, "
        "details, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            workspace,
            task,
            action,
            clean_text(execution.kind),
            None if execution.passed is None else int(execution.passed),
            execution.tokens,
            execution.cost_usd,
            execution.duration_ms,
            dump_json(dict(execution.details)),
            now,
        ),
    )
    assert row is not None
    return format_id("execution", row[0])


def _task(conn: sqlite3.Connection, workspace: str, key: int, task_id: str) -> TaskRecord:
    row = fetch_one_sync(
        conn, f"SELECT {TASK_COLUMNS} FROM tasks WHERE workspace = ? AND id = ?", (workspace, key)
    )
    if row is None:
        raise NotFound(f"task {task_id!r} does not exist in this workspace")
    items = fetch_all_sync(
        conn,
        f"SELECT {ITEM_COLUMNS} FROM action_items WHERE workspace = ? AND task_id = ? ORDER BY id",
        (workspace, key),
    )
    return task_record(row, DECODE, items)
