"""Contract: numbered migrations apply once, in order, and a newer database is refused."""

from __future__ import annotations

import re

import anyio
import pytest

from store import MigrationError, Store, open_store
from store.migrations import discover
from store.sqlite.connection import split_statements

from .helpers import execute_raw

pytestmark = pytest.mark.anyio

PACKAGES = {"sqlite": "store.sqlite", "postgres": "store.postgres"}


async def test_a_fresh_database_gets_every_shipped_migration_once(store_url: str, backend: str) -> None:
    store = await open_store(store_url, migrate=False)
    try:
        applied = await store.migrate()
        assert applied[0] == "001_initial"
        assert applied == [m.name for m in discover(PACKAGES[backend])]
        assert await store.migrate() == []
    finally:
        await store.close()


async def test_processes_starting_together_apply_each_migration_once(store_url: str, backend: str) -> None:
    stores = [await open_store(store_url, migrate=False) for _ in range(3)]
    results: list[list[str]] = []

    async def migrate(store: Store) -> None:
        results.append(await store.migrate())

    try:
        async with anyio.create_task_group() as group:
            for store in stores:
                group.start_soon(migrate, store)
    finally:
        for store in stores:
            await store.close()
    assert sorted(results, key=len) == [[], [], [m.name for m in discover(PACKAGES[backend])]]


async def test_a_database_with_a_migration_this_code_does_not_know_is_refused(
    store_url: str, store: Store
) -> None:
    await execute_raw(
        store_url,
        "INSERT INTO schema_migrations (id, name, applied_at) VALUES (999, '999_from_the_future', '2030-01-01T00:00:00+00:00')",
    )

    with pytest.raises(MigrationError, match="999_from_the_future") as refused:
        await store.migrate()
    assert "Hint:" in str(refused.value)
    with pytest.raises(MigrationError):
        await open_store(store_url)


async def test_a_database_whose_migration_has_another_name_is_refused(store_url: str, store: Store) -> None:
    await execute_raw(store_url, "UPDATE schema_migrations SET name = '001_something_else' WHERE id = 1")

    with pytest.raises(MigrationError, match="001_something_else"):
        await store.migrate()


@pytest.mark.parametrize("package", PACKAGES.values())
def test_migration_files_are_numbered_from_one_without_gaps(package: str) -> None:
    migrations = discover(package)

    assert [m.number for m in migrations] == list(range(1, len(migrations) + 1))
    assert all(re.fullmatch(r"\d{3}_[a-z0-9_]+", m.name) for m in migrations)
    assert all(m.sql.strip() for m in migrations)


def test_sqlite_scripts_split_where_sqlite_ends_a_statement() -> None:
    script = """
    -- a comment; with a semicolon
    CREATE TABLE t (a TEXT DEFAULT 'x;y');
    CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN
        UPDATE t SET a = 'z;' WHERE rowid = new.rowid;
    END;
    INSERT INTO t DEFAULT VALUES
    """

    statements = split_statements(script)

    assert len(statements) == 3
    assert statements[0].endswith("DEFAULT 'x;y');")
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")
    assert statements[2].startswith("INSERT INTO t DEFAULT VALUES")
