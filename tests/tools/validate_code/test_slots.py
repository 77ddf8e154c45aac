"""Concurrent sandboxes are bounded: a queue, then 'busy, retry'."""

from __future__ import annotations

import anyio
import pytest

from tools.errors import Busy
from tools.validate_code.slots import SlotPool

pytestmark = pytest.mark.anyio


async def test_a_free_slot_is_taken_at_once() -> None:
    pool = SlotPool(2, 0)
    async with pool.slot(1) as first, pool.slot(1) as second:
        assert {first, second} == {0, 1}


async def test_past_the_queue_a_call_is_refused_at_once() -> None:
    pool = SlotPool(1, 0)
    async with pool.slot(1):
        with pytest.raises(Busy, match="queue is full"):
            async with pool.slot(1):
                pass  # pragma: no cover - never entered


async def test_a_queued_call_gives_up_after_its_wait() -> None:
    pool = SlotPool(1, 1)
    async with pool.slot(1):
        with pytest.raises(Busy, match=r"after waiting 0\.05 s"):
            async with pool.slot(0.05):
                pass
        assert pool.queued == 0


async def test_a_released_slot_goes_to_the_first_waiter() -> None:
    pool = SlotPool(1, 4)
    order: list[str] = []

    async def wait(name: str, queued: anyio.Event) -> None:
        queued.set()
        async with pool.slot(5) as slot:
            order.append(f"{name}:{slot}")

    async with anyio.create_task_group() as tg, pool.slot(1):
        for name in ("a", "b"):
            queued = anyio.Event()
            tg.start_soon(wait, name, queued)
            await queued.wait()
            await anyio.wait_all_tasks_blocked()
        assert pool.queued == 2
    assert order == ["a:0", "b:0"]


async def test_a_cancelled_waiter_leaves_the_queue() -> None:
    pool = SlotPool(1, 4)
    async with pool.slot(1):
        with anyio.move_on_after(0.05):
            async with pool.slot(10):
                pass
        assert pool.queued == 0
    async with pool.slot(0.1) as slot:
        assert slot == 0


async def test_uids_rotate_and_skip_one_that_cannot_be_claimed() -> None:
    unavailable = {11}
    released: list[int] = []

    def claim(uid: int):
        return None if uid in unavailable else lambda: released.append(uid)

    pool = SlotPool(1, 0, uids=[10, 11, 12], claim=claim)
    taken = []
    for _ in range(4):
        async with pool.slot(1) as uid:
            taken.append(uid)
    assert taken == [10, 12, 10, 12]
    assert released == taken
    unavailable.clear()
    taken = []
    for _ in range(3):
        async with pool.slot(1) as uid:
            taken.append(uid)
    assert sorted(taken) == [10, 11, 12]  # once free again, the resting uid is used


async def test_when_no_uid_can_be_claimed_the_call_is_busy_after_its_wait() -> None:
    pool = SlotPool(1, 0, uids=[10], claim=lambda uid: None)
    with pytest.raises(Busy, match="in use by another process"):
        async with pool.slot(0.05):
            pass  # pragma: no cover - never entered
    async with SlotPool(1, 0).slot(1) as uid:
        assert uid == 0
