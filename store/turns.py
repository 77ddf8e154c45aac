"""What the backends' mining turns share: a queue per workspace inside the process, and the wait.

A backend's turn is an OS or database lock that other processes can see (`store.sqlite.mining`,
`store.postgres.mining`). Tasks of one process first queue here, so a process never has more than
one task polling that lock for a workspace. Every wait has one deadline, and a wait that reaches
it raises `StoreBusy`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

import anyio

from .base import StoreBusy

POLL_FIRST_S, POLL_MAX_S = 0.01, 0.1


def check_wait(wait_s: float) -> None:
    if not wait_s >= 0:
        raise ValueError(f"'wait_s' must be a number of seconds >= 0 (got {wait_s!r})")


def busy(workspace: str, wait_s: float) -> StoreBusy:
    return StoreBusy(
        f"mining of workspace {workspace!r} is held by another server instance (or another call in this "
        f"one) and was not released within {wait_s:g} s; retry in a few seconds"
    )


class TurnQueue:
    """One `anyio.Lock` per workspace that has tasks holding or waiting for its turn."""

    def __init__(self) -> None:
        self._locks: dict[str, anyio.Lock] = {}

    @asynccontextmanager
    async def turn(self, workspace: str, deadline: float, wait_s: float) -> AsyncIterator[None]:
        lock = self._locks.setdefault(workspace, anyio.Lock())
        try:
            if not await acquire_by(lock, deadline):
                raise busy(workspace, wait_s)
            try:
                yield
            finally:
                lock.release()
        finally:
            if not lock.locked() and lock.statistics().tasks_waiting == 0:
                self._locks.pop(workspace, None)


async def acquire_by(primitive: anyio.Lock | anyio.Semaphore, deadline: float) -> bool:
    """Take `primitive` now if it is free, else wait for it until `deadline`; False if it stayed taken."""
    with suppress(anyio.WouldBlock):
        primitive.acquire_nowait()
        return True
    with anyio.CancelScope(deadline=deadline):
        await primitive.acquire()
        return True
    return False


async def poll(
    attempt: Callable[[], Awaitable[bool]], deadline: float, workspace: str, wait_s: float
) -> None:
    """Call `attempt` until it returns True, sleeping longer each time (up to 0.1 s) until `deadline`.

    Polling a non-blocking attempt leaves nothing queued in the database or blocked in a thread
    when the deadline passes or the caller is cancelled.
    """
    pause = POLL_FIRST_S
    while not await attempt():
        left = deadline - anyio.current_time()
        if left <= 0:
            raise busy(workspace, wait_s)
        await anyio.sleep(min(pause, left))
        pause = min(pause * 2, POLL_MAX_S)
