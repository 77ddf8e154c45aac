"""A sqlite3 connection owned by one worker thread and driven from the event loop.

Every await of a driver call is a hop to the connection's thread and back: a queue, a thread
wake-up, then an event-loop wake-up. aiosqlite makes each statement such a hop, so a write of a
dozen statements pays a dozen of them. `ThreadConnection.run` hands the thread a whole use case
as one plain function instead, so a transaction costs one hop. The statement methods (`execute`,
`execute_fetchall`, `executemany`, `commit`, `rollback`) keep aiosqlite's shape for code that
builds a transaction step by step.

The thread is the connection's only user, so sqlite3's same-thread check stays on. Work runs first
in, first out: whatever was handed over earlier finishes before anything handed over later, even
when the coroutine that handed it over was cancelled meanwhile (the work still runs to its end;
only the waiting stops).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from queue import SimpleQueue
from typing import Any, Concatenate, ParamSpec, Self, TypeVar

import anyio

P = ParamSpec("P")
T = TypeVar("T")

Params = Sequence[Any] | dict[str, Any]
_Job = tuple[asyncio.Future[Any], Callable[[], Any]] | None


class ThreadConnection:
    """One sqlite3 connection and the thread that runs everything done with it."""

    def __init__(self, conn: sqlite3.Connection, jobs: SimpleQueue[_Job]) -> None:
        self._conn = conn
        self._jobs = jobs
        self._closed = False

    @classmethod
    async def connect(cls, path: str, *pragmas: str) -> Self:
        """Open `path` in autocommit mode (transactions are explicit), rows as `sqlite3.Row`, then run `pragmas`."""
        jobs: SimpleQueue[_Job] = SimpleQueue()
        # A daemon, so a store never closed cannot keep the interpreter from exiting.
        threading.Thread(target=_serve, args=(jobs,), name="sqlite-connection", daemon=True).start()
        try:
            # Shielded so that a cancelled open cannot leave an opened connection behind unclosed.
            with anyio.CancelScope(shield=True):
                conn = await _submit(jobs, functools.partial(_open, path, pragmas))
        except BaseException:
            jobs.put(None)
            raise
        return cls(conn, jobs)

    async def run(
        self, work: Callable[Concatenate[sqlite3.Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``work(connection, *args, **kwargs)`` in the connection's thread; its result or its exception."""
        if self._closed:
            raise ValueError("the connection is closed")
        return await _submit(self._jobs, functools.partial(work, self._conn, *args, **kwargs))

    async def execute(self, sql: str, parameters: Params = ()) -> None:
        await self.run(_execute, sql, parameters)

    async def execute_fetchall(self, sql: str, parameters: Params = ()) -> list[sqlite3.Row]:
        return await self.run(_fetchall, sql, parameters)

    async def executemany(self, sql: str, parameters: Iterable[Params]) -> None:
        await self.run(_executemany, sql, parameters)

    async def commit(self) -> None:
        await self.run(sqlite3.Connection.commit)

    async def rollback(self) -> None:
        await self.run(sqlite3.Connection.rollback)

    async def close(self) -> None:
        """Close after the work already handed over; the thread then ends."""
        if self._closed:
            return
        self._closed = True
        try:
            with anyio.CancelScope(shield=True):
                await _submit(self._jobs, self._conn.close)
        finally:
            self._jobs.put(None)


async def _submit(jobs: SimpleQueue[_Job], job: Callable[[], T]) -> T:
    future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
    jobs.put((future, job))
    return await future


def _serve(jobs: SimpleQueue[_Job]) -> None:
    while (item := jobs.get()) is not None:
        future, job = item
        try:
            result = job()
        except BaseException as exc:  # every outcome goes back to the waiting coroutine
            _reply(future, _set_exception, exc)
        else:
            _reply(future, _set_result, result)


def _reply(
    future: asyncio.Future[Any], settle: Callable[[asyncio.Future[Any], Any], None], value: Any
) -> None:
    with contextlib.suppress(RuntimeError):  # a closed event loop: nobody is waiting any more
        future.get_loop().call_soon_threadsafe(settle, future, value)


def _set_result(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():  # a cancelled waiter has gone
        future.set_result(result)


def _set_exception(future: asyncio.Future[Any], exc: BaseException) -> None:
    if not future.done():
        if isinstance(exc, StopIteration):  # a future refuses it: it would end the awaiting coroutine
            cause, exc = exc, RuntimeError(f"StopIteration raised in the SQLite thread: {exc!r}")
            exc.__cause__ = cause
        future.set_exception(exc)


def _open(path: str, pragmas: Sequence[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        for pragma in pragmas:
            conn.execute(pragma)
    except BaseException:
        conn.close()
        raise
    return conn


def _execute(conn: sqlite3.Connection, sql: str, parameters: Params) -> None:
    conn.execute(sql, parameters).close()


def _fetchall(conn: sqlite3.Connection, sql: str, parameters: Params) -> list[sqlite3.Row]:
    return conn.execute(sql, parameters).fetchall()


def _executemany(conn: sqlite3.Connection, sql: str, parameters: Iterable[Params]) -> None:
    conn.executemany(sql, parameters).close()
