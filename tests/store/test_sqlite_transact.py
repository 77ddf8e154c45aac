"""SQLite: a use case handed to the writer's thread as one function is one whole transaction."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from store import Conflict, StoreError, open_store
from store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = await open_store(f"sqlite:///{tmp_path / 'x.db'}")
    assert isinstance(store, SqliteStore)
    try:
        yield store
    finally:
        await store.close()


def bump(conn: sqlite3.Connection) -> int:
    row = conn.execute(
        "INSERT INTO library_versions (workspace, version) VALUES ('ws', 1) "
        "ON CONFLICT (workspace) DO UPDATE SET version = version + 1 RETURNING version"
    ).fetchone()
    return int(row[0])


async def test_work_that_raises_is_rolled_back_whole(sqlite_store: SqliteStore) -> None:
    def half_done(conn: sqlite3.Connection) -> None:
        bump(conn)
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        await sqlite_store._transact(half_done)

    assert await sqlite_store.library_version("ws") == 0
    assert await sqlite_store._transact(bump) == 1


async def test_a_cancelled_caller_leaves_its_transaction_to_finish_before_the_next_one(
    sqlite_store: SqliteStore,
) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_bump(conn: sqlite3.Connection) -> int:
        version = bump(conn)
        started.set()
        release.wait(10)
        return version

    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(sqlite_store._transact, slow_bump)
            await anyio.to_thread.run_sync(started.wait)
            group.cancel_scope.cancel()  # the caller stops waiting while its work is mid-transaction
        release.set()
        assert await sqlite_store._transact(bump) == 2


async def test_driver_errors_from_the_thread_are_store_errors(sqlite_store: SqliteStore) -> None:
    def write_twice(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO library_versions (workspace, version) VALUES ('ws', 1)")
        conn.execute("INSERT INTO library_versions (workspace, version) VALUES ('ws', 2)")

    with pytest.raises(StoreError, match="no such table") as missing:
        await sqlite_store._query(lambda conn: conn.execute("SELECT * FROM nowhere").fetchall())
    with pytest.raises(Conflict, match="UNIQUE") as duplicate:
        await sqlite_store._transact(write_twice)
    assert isinstance(missing.value.__cause__, sqlite3.OperationalError)
    assert isinstance(duplicate.value.__cause__, sqlite3.IntegrityError)
    assert await sqlite_store.library_version("ws") == 0
