"""SQLite connections, transactions and migrations: the base every SQLite mixin builds on.

One writer connection, guarded by an asyncio lock, runs every write as ``BEGIN IMMEDIATE ...
COMMIT`` (the datasette way); a second, query-only connection serves reads from WAL snapshots
without waiting for writers. Several processes may share one file: ``BEGIN IMMEDIATE`` takes
SQLite's write lock before the first read of a write transaction, so counters read and updated
inside it cannot be lost, and ``busy_timeout`` lets the other processes queue for it.
``synchronous=FULL`` syncs the WAL at every commit, so an acknowledged write survives a killed
process and a power cut.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import aiosqlite
import anyio

from ..base import StoreUnavailable
from ..migrations import discover, pending
from ..open import redact_url
from ..records import Decode
from .errors import map_sqlite_errors

BUSY_TIMEOUT_MS = 10_000
MEMORY = ":memory:"
MIN_VERSION = (3, 35, 0)  # RETURNING


def to_text(moment: datetime) -> str:
    """The stored form of a UTC timestamp (fixed width, so text order is time order)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_text(text: str) -> datetime:
    return datetime.fromisoformat(text)


DECODE = Decode(time=from_text, json=json.loads)


def database_path(url: str) -> str:
    """The file path (or ``:memory:``) of a ``sqlite:///`` URL; `ValueError` for any other form."""
    prefix = "sqlite:///"
    rest = url[len(prefix) :] if url.lower().startswith(prefix) else None
    if not rest or "?" in rest or "#" in rest:
        raise ValueError(
            f"SQLite URL must be sqlite:///relative/path.db, sqlite:////absolute/path.db or "
            f"sqlite:///:memory: (got {redact_url(url)!r})"
        )
    return rest if rest == MEMORY else str(Path(rest).expanduser())


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
    """Connections and the helpers the query mixins use: `_write()`, `_read()`, `_now()`."""

    def __init__(self, url: str, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self._url = redact_url(url)
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        # An in-memory database has a single connection, so reads queue with writes.
        self._read_lock = self._write_lock if reader is writer else asyncio.Lock()
        self._closed = False

    @classmethod
    async def open(cls, url: str) -> Self:
        """Open (creating the file and its directory if needed) without migrating."""
        path = database_path(url)
        where = redact_url(url)
        if sqlite3.sqlite_version_info < MIN_VERSION:
            raise StoreUnavailable(
                f"SQLite {'.'.join(map(str, MIN_VERSION))} or newer is needed; this Python links "
                f"SQLite {sqlite3.sqlite_version}. Hint: use a newer Python build, or PostgreSQL."
            )
        connections: list[aiosqlite.Connection] = []
        try:
            with map_sqlite_errors(where):
                if path != MEMORY:
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                writer = await aiosqlite.connect(path, isolation_level=None)
                connections.append(writer)
                await _configure(writer, "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL")
                reader = writer
                if path != MEMORY:
                    reader = await aiosqlite.connect(path, isolation_level=None)
                    connections.append(reader)
                    await _configure(reader, "PRAGMA query_only = ON")
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
    async def _write(self) -> AsyncIterator[aiosqlite.Connection]:
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
    async def _read(self) -> AsyncIterator[aiosqlite.Connection]:
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


async def _configure(conn: aiosqlite.Connection, *pragmas: str) -> None:
    conn.row_factory = sqlite3.Row
    for pragma in (f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}", "PRAGMA foreign_keys = ON", *pragmas):
        await conn.execute(pragma)


# Small query helpers ---------------------------------------------------------------------------


async def fetch_all(
    conn: aiosqlite.Connection, sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> list[sqlite3.Row]:
    return list(await conn.execute_fetchall(sql, params))


async def fetch_one(
    conn: aiosqlite.Connection, sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> sqlite3.Row | None:
    rows = await conn.execute_fetchall(sql, params)
    return next(iter(rows), None)


async def next_key(conn: aiosqlite.Connection, table: str) -> int:
    """The next integer key of `table`; call only inside `_write()`, which holds the write lock."""
    row = await fetch_one(conn, f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    assert row is not None
    return int(row[0])


def json_list(values: Iterable[Any]) -> str:
    """A JSON array parameter, read in SQL with ``json_each(?)`` (no per-item parameters)."""
    return json.dumps(list(values))
