"""PostgreSQL pool, transactions and migrations: the base every PostgreSQL mixin builds on.

Several server processes may share one database. Writes run in READ COMMITTED transactions and
change counters only with SQL arithmetic on locked rows (``count = count + n``, ``INSERT ...
ON CONFLICT DO UPDATE``), taking row locks table by table in a fixed order and, within a table,
in key order, so concurrent writers neither lose updates nor deadlock in the normal course; a
deadlock or serialization failure that still happens is retried (`_retrying`).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import anyio

from ..base import StoreUnavailable
from ..migrations import discover, pending
from ..open import redact_url
from ..records import Decode
from ..turns import TurnQueue
from ..values import dump_json
from .errors import TransientConflict, map_postgres_errors

if TYPE_CHECKING:
    import asyncpg

T = TypeVar("T")

CONNECT_TIMEOUT_S = 10.0
ACQUIRE_TIMEOUT_S = 30.0
COMMAND_TIMEOUT_S = 60.0
POOL_MIN, POOL_MAX = 1, 10
MINING_TURNS = POOL_MAX // 2
"""Pool connections one store may hold for mining turns at once (mining.py); each pass needs another."""
RETRIES = 5
_SCHEMA = re.compile(r"[a-z_][a-z0-9_]{0,62}")

DECODE = Decode(time=lambda value: value, json=lambda value: value)


def parse_url(url: str) -> tuple[str, str | None]:
    """(the DSN for asyncpg, the ``schema`` query parameter or None); `ValueError` for a bad schema."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [value for key, value in pairs if key == "schema"]
    if not schemas:
        return url, None
    schema = schemas[-1]
    if not _SCHEMA.fullmatch(schema):
        raise ValueError(
            f"'schema' in the database URL must be 1-63 lowercase letters, digits or '_', not starting "
            f"with a digit (got {schema!r})"
        )
    query = urlencode([(key, value) for key, value in pairs if key != "schema"])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment)), schema


async def _init_connection(conn: asyncpg.Connection) -> None:
    for kind in ("jsonb", "json"):
        await conn.set_type_codec(kind, encoder=dump_json, decoder=json.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Release a connection to the pool as it is (asyncpg itself rolls back an open transaction).

    The store changes no session state: no SET, LISTEN or cursors, and its advisory locks are
    transaction-scoped, except a mining turn's session lock, which mining.py unlocks before it
    releases the connection (or closes the connection). asyncpg's default reset query would have
    nothing to undo and costs one more round trip on every call.
    """


class PostgresBase:
    """The pool and the helpers the query mixins use: `_write()`, `_read()`, `_now()`."""

    def __init__(self, url: str, pool: asyncpg.Pool, schema: str | None) -> None:
        self._url = redact_url(url)
        self._pool = pool
        self._schema = schema
        self._closed = False
        # Mining turns (mining.py): this process's queue per workspace, and the turn connections' cap.
        self._mining_queue = TurnQueue()
        self._turn_slots = anyio.Semaphore(MINING_TURNS)

    @classmethod
    async def open(cls, url: str) -> Self:
        """Connect (creating the URL's ``schema`` if missing) without migrating."""
        import asyncpg

        dsn, schema = parse_url(url)
        where = redact_url(url)
        with map_postgres_errors(where):
            if schema is not None:
                conn = await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT_S)
                try:
                    await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                except asyncpg.UniqueViolationError:
                    pass  # another process created it at the same moment
                finally:
                    await conn.close()
            pool = await asyncpg.create_pool(
                dsn,
                min_size=POOL_MIN,
                max_size=POOL_MAX,
                timeout=CONNECT_TIMEOUT_S,
                command_timeout=COMMAND_TIMEOUT_S,
                init=_init_connection,
                reset=_keep_session,
                server_settings={"search_path": schema} if schema is not None else None,
            )
        return cls(url, pool, schema)

    @property
    def url(self) -> str:
        return self._url

    def _now(self) -> datetime:
        return datetime.now(UTC)

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection inside a READ COMMITTED transaction, committed on exit.

        The transaction is shielded from cancellation so it always ends in COMMIT or ROLLBACK.
        """
        self._check_open()
        with map_postgres_errors(self._url):
            async with self._pool.acquire(timeout=ACQUIRE_TIMEOUT_S) as conn:
                with anyio.CancelScope(shield=True):
                    async with conn.transaction():
                        yield conn

    @asynccontextmanager
    async def _statement(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection outside any transaction: each statement commits on its own.

        For work that is one statement. A read is its own snapshot, so BEGIN and COMMIT would only
        add two round trips. A write on rows many tasks update (experiment counts, rule votes)
        holds its row locks only while PostgreSQL runs it; inside `_write()` they would also last
        until the COMMIT's round trip came back through a busy event loop, and concurrent callers
        would queue behind every such trip.
        """
        self._check_open()
        with map_postgres_errors(self._url):
            async with self._pool.acquire(timeout=ACQUIRE_TIMEOUT_S) as conn:
                with anyio.CancelScope(shield=True):
                    yield conn

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection inside a read-only REPEATABLE READ transaction: one snapshot for the
        block. A read of one statement uses `_statement()` instead."""
        self._check_open()
        with map_postgres_errors(self._url):
            async with self._pool.acquire(timeout=ACQUIRE_TIMEOUT_S) as conn:
                with anyio.CancelScope(shield=True):
                    async with conn.transaction(isolation="repeatable_read", readonly=True):
                        yield conn

    async def _retrying(self, write: Callable[[], Awaitable[T]]) -> T:
        """Run `write` (which opens its own `_write()`), again if it lost a deadlock or serialization race."""
        for attempt in range(RETRIES):
            try:
                return await write()
            except TransientConflict:
                if attempt == RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _check_open(self) -> None:
        if self._closed:
            raise StoreUnavailable(f"the store for {self._url} is closed")

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with map_postgres_errors(self._url):
            try:
                with anyio.fail_after(COMMAND_TIMEOUT_S):
                    await self._pool.close()
            except TimeoutError:
                self._pool.terminate()

    async def migrate(self) -> list[str]:
        known = discover(__package__ or "store.postgres")
        async with self._write() as conn:
            # Processes starting together queue here instead of racing to create the same tables.
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext('fractal-rmo migrate ' || current_schema()))"
            )
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)"
            )
            applied = {
                row["id"]: row["name"] for row in await conn.fetch("SELECT id, name FROM schema_migrations")
            }
            todo = pending(known, applied, where=self._url)
            for migration in todo:
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)",
                    migration.number,
                    migration.name,
                    self._now(),
                )
        return [migration.name for migration in todo]


async def next_keys(conn: asyncpg.Connection, table: str, count: int) -> list[int]:
    """`count` fresh keys from `table`'s id sequence, ascending (not necessarily contiguous)."""
    rows = await conn.fetch(
        "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)", table, count
    )
    return sorted(row[0] for row in rows)


class Params:
    """Numbered placeholders for a query built from optional clauses: ``p.add(value)`` -> ``$3``."""

    def __init__(self, *values: Any) -> None:
        self.values = list(values)

    def add(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"
