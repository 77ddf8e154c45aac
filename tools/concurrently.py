"""Independent store reads side by side.

Under load every round trip to the database waits its turn in a busy event loop; a use case that
needs three independent reads pays that wait once instead of three times.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio

# A task with errors in hundreds of patterns must not take every pooled connection at once.
MAX_AT_ONCE = 8


async def concurrently(*calls: Callable[[], Awaitable[Any]], limit: int = MAX_AT_ONCE) -> list[Any]:
    """Run the calls (functions returning an awaitable), up to `limit` at a time; their results in
    argument order.

    The first exception cancels the rest and is raised as it was (not wrapped in a group).
    """
    results: list[Any] = [None] * len(calls)
    slots = anyio.Semaphore(limit)

    async def run(index: int, call: Callable[[], Awaitable[Any]]) -> None:
        async with slots:
            results[index] = await call()

    try:
        async with anyio.create_task_group() as tg:
            for index, call in enumerate(calls):
                tg.start_soon(run, index, call)
    except BaseExceptionGroup as group:
        if len(group.exceptions) == 1:
            raise group.exceptions[0] from None
        raise
    return results
