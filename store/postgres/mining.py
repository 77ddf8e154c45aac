"""Mining turns on PostgreSQL: one mining pass per workspace at a time, across every server instance.

A turn is a session-level advisory lock held on a pool connection set aside for the pass. Its key
is the two-int4 form (schema, workspace), a key space of its own: the merge and migration locks
use the single-bigint form, which PostgreSQL keeps apart. The wait polls ``pg_try_advisory_lock``
instead of blocking in ``pg_advisory_lock``, so nothing queues inside the server and a deadline or
a cancelled caller leaves no pending lock request behind. The lock is released
(``pg_advisory_unlock_all``) before the connection goes back to the pool; a connection that cannot
do that is closed instead, and a dropped connection, like a killed process, releases the lock by
itself.

Inside a process, tasks mining one workspace first queue in the store's `TurnQueue`, so a process
has at most one connection waiting for a workspace's turn; and one store holds at most `MINING_TURNS`
turn connections at once, because a pass needs another connection for its own queries.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING

import anyio

from ..base import MINING_WAIT_S, StoreError
from ..turns import acquire_by, busy, check_wait, poll
from .connection import ACQUIRE_TIMEOUT_S, PostgresBase
from .errors import map_postgres_errors

if TYPE_CHECKING:
    import asyncpg

TRY_LOCK = "SELECT pg_try_advisory_lock(hashtext('fractal-rmo mining ' || current_schema()), hashtext($1))"


class PostgresMining(PostgresBase):
    @asynccontextmanager
    async def mining_turn(self, workspace: str, *, wait_s: float = MINING_WAIT_S) -> AsyncIterator[None]:
        check_wait(wait_s)
        self._check_open()
        deadline = anyio.current_time() + wait_s
        async with AsyncExitStack() as held:
            await held.enter_async_context(self._mining_queue.turn(workspace, deadline, wait_s))
            if not await acquire_by(self._turn_slots, deadline):
                raise busy(workspace, wait_s)
            held.callback(self._turn_slots.release)
            conn = await held.enter_async_context(self._turn_connection())
            await poll(functools.partial(self._try_lock, conn, workspace), deadline, workspace, wait_s)
            yield

    @asynccontextmanager
    async def _turn_connection(self) -> AsyncIterator[asyncpg.Connection]:
        with map_postgres_errors(self._url):
            conn = await self._pool.acquire(timeout=ACQUIRE_TIMEOUT_S)
        try:
            yield conn
        finally:
            with anyio.CancelScope(shield=True):
                try:
                    with map_postgres_errors(self._url):
                        await conn.execute("SELECT pg_advisory_unlock_all()")
                except StoreError:
                    conn.terminate()  # it must not go back to the pool possibly still holding the lock
                await self._pool.release(conn)

    async def _try_lock(self, conn: asyncpg.Connection, workspace: str) -> bool:
        with map_postgres_errors(self._url):
            return bool(await conn.fetchval(TRY_LOCK, workspace))
