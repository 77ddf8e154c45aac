"""Helpers for the store tests: building errors, reaching the database behind a store directly."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from datetime import datetime
from typing import Any

import pytest

from store import NewError
from store.open import redact_url

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def pg_base_url() -> str | None:
    url = os.environ.get("FRACTAL_RMO_TEST_PG", PG_DEFAULT)
    return None if url == "skip" else url


def with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


@asynccontextmanager
async def fresh_postgres_schema() -> AsyncIterator[str]:
    import asyncpg

    base = pg_base_url()
    assert base is not None
    try:
        admin = await asyncpg.connect(base, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(
            f"PostgreSQL at {redact_url(base)} is unreachable ({exc}). Start it, point FRACTAL_RMO_TEST_PG "
            "at another server, or set FRACTAL_RMO_TEST_PG=skip to run the SQLite half only."
        )
    schema = f"fr_test_{uuid.uuid4().hex[:16]}"
    try:
        yield with_schema(base, schema)
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


async def execute_raw(url: str, sql: str, *args: Any) -> None:
    """Run SQL on the database behind `url` directly, bypassing the store (to plant bad states)."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        with closing(sqlite3.connect(path)) as conn, conn:
            conn.execute(sql, args)
        return
    import asyncpg

    from store.postgres.connection import parse_url

    dsn, schema = parse_url(url)
    conn = await asyncpg.connect(dsn, server_settings={"search_path": schema or "public"})
    try:
        await conn.execute(sql, *args)
    finally:
        await conn.close()


def new_error(
    fingerprint: str = "v1:aaa",
    *,
    task_id: str | None = None,
    action_id: str | None = None,
    category: str = "runtime.index",
    created_at: datetime | None = None,
    message: str | None = None,
    **fields: Any,
) -> NewError:
    return NewError(
        message=message if message is not None else f"IndexError: list index out of range ({fingerprint})",
        fingerprint=fingerprint,
        fingerprint_version=1,
        category=category,
        source=fields.pop("source", "runtime"),
        title=fields.pop("title", f"IndexError in {fingerprint}"),
        features=fields.pop("features", {"error_type": "IndexError", "template": "list index out of range"}),
        task_id=task_id,
        action_id=action_id,
        created_at=created_at,
        **fields,
    )
