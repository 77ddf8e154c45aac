"""Fixtures for find_patterns: a real in-memory store and a workspace, and a database to share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from store import Store, open_store
from tests.store.helpers import fresh_postgres_schema, pg_base_url


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    opened = await open_store("sqlite:///:memory:")
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def workspace() -> str:
    return "ws"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database several stores or processes open at once: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
        return
    if pg_base_url() is None:
        pytest.skip("FRACTAL_RMO_TEST_PG=skip")
    async with fresh_postgres_schema() as url:
        yield url
