"""`concurrently`: results in argument order, overlapping waits, and the first error as raised."""

from __future__ import annotations

import functools

import anyio
import pytest

from tools.concurrently import concurrently

pytestmark = pytest.mark.anyio


async def test_results_come_back_in_argument_order_while_the_calls_overlap() -> None:
    running, most = 0, 0

    async def call(value: int, delay: float) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await anyio.sleep(delay)
        running -= 1
        return value

    assert await concurrently(lambda: call(1, 0.05), lambda: call(2, 0.01), lambda: call(3, 0.03)) == [
        1,
        2,
        3,
    ]
    assert most == 3
    assert await concurrently() == []


async def test_no_more_than_the_limit_run_at_once() -> None:
    running, most = 0, 0

    async def call(value: int) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await anyio.sleep(0.01)
        running -= 1
        return value

    assert await concurrently(*(functools.partial(call, n) for n in range(20)), limit=3) == list(range(20))
    assert most == 3


async def test_the_first_error_is_raised_as_itself_and_the_others_are_cancelled() -> None:
    finished = []

    async def slow() -> None:
        await anyio.sleep(5)
        finished.append("slow")

    async def failing() -> None:
        raise LookupError("no such thing")

    with anyio.fail_after(2), pytest.raises(LookupError, match="no such thing"):
        await concurrently(slow, failing)
    assert finished == []
