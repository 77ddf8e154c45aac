"""Every driver error becomes a `store.base` error, in one place per backend."""

from __future__ import annotations

import inspect
import sqlite3
from pathlib import Path

import asyncpg
import pytest
from asyncpg import exceptions as pg

from store import Conflict, StoreError, StoreUnavailable, open_store
from store.postgres import errors as postgres_errors
from store.sqlite import errors as sqlite_errors

from .helpers import new_error

pytestmark = pytest.mark.anyio


def exception_classes(module: object) -> list[type[BaseException]]:
    return [
        value
        for value in vars(module).values()
        if inspect.isclass(value) and issubclass(value, Exception) and not issubclass(value, Warning)
    ]


# sqlite3 --------------------------------------------------------------------------------------


def test_every_sqlite3_exception_class_is_mapped() -> None:
    assert set(exception_classes(sqlite3)) | {sqlite3.Warning} == set(sqlite_errors.BY_CLASS)


def test_every_sqlite_extended_result_code_maps_through_a_known_primary_code() -> None:
    extended = {
        name: value
        for name, value in vars(sqlite3).items()
        if name.startswith("SQLITE_")
        and not name.startswith("SQLITE_OK")
        and isinstance(value, int)
        and value > 255
    }
    assert extended, "sqlite3 exposes extended result codes since Python 3.11"
    assert {name: value & 0xFF in sqlite_errors.BY_CODE for name, value in extended.items()} == dict.fromkeys(
        extended, True
    )


@pytest.mark.parametrize("cls", [*exception_classes(sqlite3), sqlite3.Warning])
def test_a_sqlite3_error_is_raised_as_a_store_error_chained_to_it(cls: type[Exception]) -> None:
    original = cls("boom")
    with pytest.raises(StoreError, match="boom") as raised, sqlite_errors.map_sqlite_errors("sqlite:///x.db"):
        raise original
    assert raised.value.__cause__ is original
    assert "sqlite:///x.db" in str(raised.value)


async def test_a_locked_sqlite_database_is_unavailable_and_a_duplicate_is_a_conflict(tmp_path: Path) -> None:
    store = await open_store(f"sqlite:///{tmp_path / 'x.db'}")
    blocker = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    try:
        await store._writer.execute("PRAGMA busy_timeout = 20")  # type: ignore[attr-defined]
        blocker.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreUnavailable, match="locked"):
            await store.add_error("ws", new_error())
        blocker.execute("ROLLBACK")

        added = await store.add_error("ws", new_error())
        with pytest.raises(Conflict, match="UNIQUE"):
            async with store._write() as conn:  # type: ignore[attr-defined]
                await conn.execute("INSERT INTO library_versions (workspace, version) VALUES ('ws', 9)")
        assert (await store.get_error("ws", added.error_id)).fingerprint == "v1:aaa"
    finally:
        blocker.close()
        await store.close()


# asyncpg --------------------------------------------------------------------------------------


def test_every_asyncpg_error_class_is_mapped_explicitly() -> None:
    unmapped = []
    for cls in exception_classes(pg):
        if issubclass(cls, asyncpg.PostgresError) and getattr(cls, "sqlstate", None):
            if cls.sqlstate[:2] not in postgres_errors.BY_SQLSTATE_CLASS:
                unmapped.append(cls.__name__)
        elif not any(base in postgres_errors.BY_CLIENT_CLASS for base in cls.__mro__):
            unmapped.append(cls.__name__)
    assert unmapped == []


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (asyncpg.UniqueViolationError("dup"), Conflict),
        (asyncpg.ForeignKeyViolationError("fk"), Conflict),
        (asyncpg.DeadlockDetectedError("deadlock"), postgres_errors.TransientConflict),
        (asyncpg.SerializationError("serialization"), postgres_errors.TransientConflict),
        (asyncpg.ConnectionDoesNotExistError("gone"), StoreUnavailable),
        (asyncpg.InvalidPasswordError("password"), StoreUnavailable),
        (asyncpg.InvalidCatalogNameError("no db"), StoreUnavailable),
        (asyncpg.InsufficientPrivilegeError("denied"), StoreUnavailable),
        (asyncpg.DiskFullError("full"), StoreUnavailable),
        (asyncpg.QueryCanceledError("timeout"), StoreUnavailable),
        (asyncpg.PostgresSyntaxError("syntax"), StoreError),
        (asyncpg.InterfaceError("closed"), StoreError),
        (asyncpg.ProtocolError("bad message"), StoreUnavailable),
        (ConnectionRefusedError("refused"), StoreUnavailable),
        (TimeoutError("slow"), StoreUnavailable),
    ],
)
def test_an_asyncpg_error_is_raised_as_the_matching_store_error(error: Exception, expected: type) -> None:
    with pytest.raises(StoreError) as raised, postgres_errors.map_postgres_errors("postgresql://u:***@h/db"):
        raise error
    assert type(raised.value) is expected
    assert raised.value.__cause__ is error


@pytest.mark.postgres
async def test_a_postgres_write_that_loses_a_deadlock_is_retried(postgres_url: str) -> None:
    store = await open_store(postgres_url)
    attempts = []

    async def write() -> str:
        attempts.append(1)
        async with store._write() as conn:  # type: ignore[attr-defined]
            if len(attempts) < 3:
                raise asyncpg.DeadlockDetectedError("deadlock detected")
            return await conn.fetchval("SELECT 'done'")

    try:
        assert await store._retrying(write) == "done"  # type: ignore[attr-defined]
        assert len(attempts) == 3
    finally:
        await store.close()
