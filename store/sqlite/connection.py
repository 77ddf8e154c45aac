"""SQLite connections, transactions and migrations: the base every SQLite mixin builds on.

One writer connection, guarded by an asyncio lock, runs every write as ``BEGIN IMMEDIATE ...
COMMIT`` (the datasette way); a second, query-only connection serves reads from WAL snapshots
without waiting for writers. Each connection lives on its own thread (`thread.ThreadConnection`),
and a use case hands its whole transaction to that thread as one function (`_transact`,
`_query`): one hop between the event loop and the thread instead of one per statement.

Several processes may share one file: ``BEGIN IMMEDIATE`` takes SQLite's write lock before the
first read of a write transaction, so counters read and updated inside it cannot be lost, and
``busy_timeout`` lets the other processes queue for it.
In WAL mode with ``synchronous=NORMAL`` (the default) a commit reaches the operating system
before it is acknowledged, so it survives the process being killed at any point; only a power cut
or kernel crash can lose the last commits, and never corrupts the file. ``?synchronous=full`` on
the URL syncs the WAL at every commit as well (about 0.15-0.5 ms each, depending on the disk), for
stores that must survive a power cut.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, Self, TypeVar

import anyio

from ..base import StoreUnavailable
from ..migrations import discover, pending
from ..open import redact_url
from ..records import Decode
from ..turns import TurnQueue
from .errors import map_sqlite_errors
from .thread import ThreadConnection
from .url import MEMORY, parse_url

P = ParamSpec("P")
T = TypeVar("T")

BUSY_TIMEOUT_MS = 10_000
MIN_VERSION = (3, 35, 0)  # RETURNING
MINING_LOCK_SUFFIX = "-mining.lock"
PRAGMAS = (f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}", "PRAGMA foreign_keys = ON")


def to_text(moment: datetime) -> str:
    """The stored form of a UTC timestamp (fixed width, so text order is time order)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_text(text: str) -> datetime:
    return datetime.fromisoformat(text)


DECODE = Decode(time=from_text, json=json.loads)


def split_statements(script: str) -> list[str]:
    """The statements of a migration script, split where SQLite itself sees a statement end."""
    statements, current = [], ""
    for piece in script.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if re.sub(r"--[^\n]*", "", current).strip(" \t\r\n;"):
                statements.append(current.strip())
            current = ""
    return statements


class SqliteBase:
    """Connections and the helpers the query mixins use: `_write()`, `_read()`, `_transact()`,
    `_query()`, `_now()`."""

    def __init__(self, url: str, writer: ThreadConnection, reader: ThreadConnection) -> None:
        self._url = redact_url(url)
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        # An in-memory database has a single connection, so reads queue with writes.
        self._read_lock = self._write_lock if reader is writer else asyncio.Lock()
        self._closed = False
        # Mining turns (mining.py): this process's queue per workspace, and the file other processes lock.
        self._mining_queue = TurnQueue()
        path = parse_url(url).path
        self._mining_lock_path = None if path == MEMORY else f"{Path(path).resolve()}{MINING_LOCK_SUFFIX}"

    @classmethod
    async def open(cls, url: str) -> Self:
        """Open (creating the file and its directory if needed) without migrating."""
        parsed = parse_url(url)
        path = parsed.path
        where = redact_url(url)
        if sqlite3.sqlite_version_info < MIN_VERSION:
            raise StoreUnavailable(
                f"SQLite {'.'.join(map(str, MIN_VERSION))} or newer is needed; this Python links "
                f"SQLite {sqlite3.sqlite_version}. Hint: use a newer Python build, or PostgreSQL."
            )
        connections: list[ThreadConnection] = []
        try:
            with map_sqlite_errors(where):
                if path != MEMORY:
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                writer = await ThreadConnection.connect(
                    path,
                    *PRAGMAS,
                    "PRAGMA journal_mode = WAL",
                    f"PRAGMA synchronous = {parsed.synchronous.upper()}",
                )
                connections.append(writer)
                reader = writer
                if path != MEMORY:
                    reader = await ThreadConnection.connect(path, *PRAGMAS, "PRAGMA query_only = ON")
                    connections.append(reader)
        except BaseException:
            for connection in connections:
                with suppress(Exception):
                    await connection.close()
            raise
        return cls(url, writer, reader)

    @property
    def url(self) -> str:
        return self._url

    def _now(self) -> datetime:
        return datetime.now(UTC)

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[ThreadConnection]:
        """The writer connection inside ``BEGIN IMMEDIATE``, committed on exit, rolled back on error.

        The transaction is shielded from cancellation: it always ends in COMMIT or ROLLBACK, never
        half-done on a connection the next writer would reuse. Don't nest `_write` or `_read`.
        """
        async with self._write_lock:
            self._check_open()
            with anyio.CancelScope(shield=True), map_sqlite_errors(self._url):
                conn = self._writer
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    await conn.commit()
                except BaseException:
                    with suppress(sqlite3.Error, ValueError):
                        await conn.rollback()
                    raise

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[ThreadConnection]:
        """A connection for reads, inside one read transaction so all its queries see one snapshot."""
        async with self._read_lock:
            self._check_open()
            with anyio.CancelScope(shield=True), map_sqlite_errors(self._url):
                conn = self._reader
                await conn.execute("BEGIN")
                try:
                    yield conn
                finally:
                    with suppress(sqlite3.Error, ValueError):
                        await conn.rollback()

    async def _transact(
        self, work: Callable[Concatenate[sqlite3.Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``work(connection, ...)`` as one ``BEGIN IMMEDIATE ... COMMIT`` in the writer's thread: one hop.

        `work` is plain synchronous code that must not commit or roll back itself; it is rolled
        back when it raises. A cancelled caller stops waiting at once, but the work already handed
        over still runs to its COMMIT or ROLLBACK before the writer takes anything else, so no
        transaction is ever left half-done (and an unacknowledged write may still land).
        """
        async with self._write_lock:
            self._check_open()
            with map_sqlite_errors(self._url):
                return await self._writer.run(_immediate, work, *args, **kwargs)

    async def _query(
        self, work: Callable[Concatenate[sqlite3.Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``work(connection, ...)`` in one read transaction on the reader's thread: one snapshot, one hop."""
        async with self._read_lock:
            self._check_open()
            with map_sqlite_errors(self._url):
                return await self._reader.run(_snapshot, work, *args, **kwargs)

    def _check_open(self) -> None:
        if self._closed:
            raise StoreUnavailable(f"the store for {self._url} is closed")

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        async with AsyncExitStack() as locks:
            await locks.enter_async_context(self._write_lock)  # let a running write finish
            if self._read_lock is not self._write_lock:
                await locks.enter_async_context(self._read_lock)
            with map_sqlite_errors(self._url):
                if self._reader is not self._writer:
                    await self._reader.close()
                await self._writer.close()

    async def migrate(self) -> list[str]:
        known = discover(__package__ or "store.sqlite")
        async with self._write() as conn:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            applied = {
                row[0]: row[1]
                for row in await conn.execute_fetchall("SELECT id, name FROM schema_migrations")
            }
            todo = pending(known, applied, where=self._url)
            for migration in todo:
                for statement in split_statements(migration.sql):
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)",
                    (migration.number, migration.name, to_text(self._now())),
                )
        return [migration.name for migration in todo]


def _immediate(
    conn: sqlite3.Connection,
    work: Callable[Concatenate[sqlite3.Connection, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work(conn, *args, **kwargs)
        conn.commit()
    except BaseException:
        with suppress(sqlite3.Error):
            conn.rollback()
        raise
    return result


def _snapshot(
    conn: sqlite3.Connection,
    work: Callable[Concatenate[sqlite3.Connection, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    conn.execute("BEGIN")
    try:
        return work(conn, *args, **kwargs)
    finally:
        with suppress(sqlite3.Error):
            conn.rollback()


# Small query helpers: the ``_sync`` ones run inside `_transact`/`_query` work, on the thread ---------


def execute_sync(conn: sqlite3.Connection, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> None:
    conn.execute(sql, params).close()


def fetch_all_sync(
    conn: sqlite3.Connection, sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> list[sqlite3.Row]:
    return conn.execute(sql, params).fetchall()


def fetch_one_sync(
    conn: sqlite3.Connection, sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> sqlite3.Row | None:
    cursor = conn.execute(sql, params)
    try:
        return cursor.fetchone()
    finally:
        cursor.close()


def next_key_sync(conn: sqlite3.Connection, table: str) -> int:
    """The next integer key of `table`; call only inside a write transaction, which holds the write lock."""
    row = fetch_one_sync(conn, f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    assert row is not None
    return int(row[0])


async def fetch_all(
    conn: ThreadConnection, sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> list[sqlite3.Row]:
    return await conn.run(fetch_all_sync, sql, params)


async def fetch_one(
    conn: ThreadConnection, sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> sqlite3.Row | None:
    return await conn.run(fetch_one_sync, sql, params)


async def next_key(conn: ThreadConnection, table: str) -> int:
    """The next integer key of `table`; call only inside `_write()`, which holds the write lock."""
    return await conn.run(next_key_sync, table)


def json_list(values: Iterable[Any]) -> str:
    """A JSON array parameter, read in SQL with ``json_each(?)`` (no per-item parameters)."""
    return json.dumps(list(values))
