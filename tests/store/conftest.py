"""Fixtures for the store contract suite: every test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``FRACTAL_RMO_TEST_PG`` (default ``postgresql://postgres@127.0.0.1:5432/test``);
each test gets a fresh schema, dropped afterwards. An unreachable server fails the PostgreSQL
tests; set ``FRACTAL_RMO_TEST_PG=skip`` to leave PostgreSQL out on purpose.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from store import Store, open_store

from .helpers import fresh_postgres_schema, pg_base_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and pg_base_url() is None:
        pytest.skip("FRACTAL_RMO_TEST_PG=skip")
    return request.param


@pytest.fixture
async def store_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A URL of an empty database of the backend: a fresh SQLite file, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        async with fresh_postgres_schema() as url:
            yield url


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL schema, for tests of PostgreSQL alone."""
    if pg_base_url() is None:
        pytest.skip("FRACTAL_RMO_TEST_PG=skip")
    async with fresh_postgres_schema() as url:
        yield url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    opened = await open_store(store_url)
    try:
        yield opened
    finally:
        await opened.close()
