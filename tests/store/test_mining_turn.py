"""Contract: one mining turn per workspace at a time, among store objects and processes on one database."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import pytest
from anyio.abc import Process, TaskStatus
from anyio.streams.text import TextReceiveStream

from store import PatternMerge, Store, open_store
from store.base import StoreBusy
from store.sqlite.mining import PER_WORKSPACE

from .helpers import new_error

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]

# Holds the turn of workspace argv[2] until a line arrives on stdin (or the process is killed).
HOLDER = textwrap.dedent(
    """
    import asyncio, sys
    from store import open_store

    async def main():
        store = await open_store(sys.argv[1])
        async with store.mining_turn(sys.argv[2]):
            print("holding", flush=True)
            await asyncio.to_thread(sys.stdin.readline)
        await store.close()

    asyncio.run(main())
    """
)


@pytest.fixture
async def other(store_url: str, store: Store) -> AsyncIterator[Store]:
    """A second store object on the same database, as a second server process would have."""
    opened = await open_store(store_url)
    try:
        yield opened
    finally:
        await opened.close()


@asynccontextmanager
async def holder(store_url: str, workspace: str = "ws") -> AsyncIterator[Process]:
    """Another process that holds `workspace`'s turn once this yields; killed on the way out."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    async with await anyio.open_process(
        [sys.executable, "-c", HOLDER, store_url, workspace],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    ) as child:
        assert child.stdout is not None
        try:
            with anyio.fail_after(60):
                async for line in TextReceiveStream(child.stdout):
                    if "holding" in line:
                        break
            yield child
        finally:
            if child.returncode is None:
                child.kill()
            await child.wait()


async def entered_after(release: Callable[[], Awaitable[None]], waiter: Store) -> list[str]:
    """Wait for the turn of ``ws`` on `waiter` while its holder keeps it until `release()`.

    Returns what happened in order, which must be ``["released", "entered"]``.
    """
    order: list[str] = []

    async def wait_for_turn() -> None:
        async with waiter.mining_turn("ws", wait_s=60):
            order.append("entered")

    with anyio.fail_after(60):
        async with anyio.create_task_group() as group:
            group.start_soon(wait_for_turn)
            await anyio.wait_all_tasks_blocked()  # the waiter is waiting, not inside
            order.append("released")
            await release()
    return order


async def test_a_second_store_waits_until_the_first_ends_its_turn(store: Store, other: Store) -> None:
    release = anyio.Event()

    async def hold(*, task_status: TaskStatus[None]) -> None:
        async with store.mining_turn("ws", wait_s=0):
            task_status.started()
            await release.wait()

    async def let_go() -> None:
        release.set()

    async with anyio.create_task_group() as group:
        await group.start(hold)
        assert await entered_after(let_go, other) == ["released", "entered"]


async def test_a_turn_not_free_within_the_wait_is_busy(store: Store, other: Store) -> None:
    async with store.mining_turn("ws"):
        with pytest.raises(StoreBusy, match=r"workspace 'ws' is held by another server instance.*0\.05 s"):
            async with other.mining_turn("ws", wait_s=0.05):
                pytest.fail("two stores held one workspace's turn at once")

        async def same_store_call() -> None:
            with pytest.raises(StoreBusy, match="retry"):
                async with store.mining_turn("ws", wait_s=0):
                    pytest.fail("two calls on one store held one workspace's turn at once")

        async with anyio.create_task_group() as group:
            group.start_soon(same_store_call)


async def test_the_turn_is_released_when_the_body_raises(store: Store, other: Store) -> None:
    with pytest.raises(ValueError, match="mid-pass"):
        async with store.mining_turn("ws"):
            raise ValueError("mid-pass")
    async with other.mining_turn("ws", wait_s=0):
        pass
    async with store.mining_turn("ws", wait_s=0):
        pass


async def test_a_cancelled_wait_leaves_nothing_held(store: Store, other: Store) -> None:
    async with store.mining_turn("ws"):
        with anyio.move_on_after(0.05) as waited:
            async with other.mining_turn("ws", wait_s=60):
                pytest.fail("entered a turn that was held")
        assert waited.cancelled_caught
    async with other.mining_turn("ws", wait_s=0):
        pass


async def test_a_held_turn_blocks_neither_other_workspaces_nor_writes(
    backend: str, store: Store, other: Store
) -> None:
    if backend == "sqlite" and not PER_WORKSPACE:
        pytest.skip("without OFD locks the workspaces of one SQLite file take turns together")
    first = await store.add_error("ws", new_error("v1:a"))
    second = await store.add_error("ws", new_error("v1:b"))
    async with store.mining_turn("ws"):
        async with other.mining_turn("elsewhere", wait_s=0):
            pass
        # Merges keep their own transaction lock, apart from the turn.
        await other.merge_patterns("ws", [PatternMerge(into=first.pattern_id, absorbed=[second.pattern_id])])
    assert await store.pattern_ids("ws") == [first.pattern_id]


async def test_many_workspaces_mining_at_once_still_get_connections_for_their_queries(store: Store) -> None:
    done: list[int] = []

    async def mine(n: int) -> None:
        async with store.mining_turn(f"ws{n}", wait_s=60):
            done.append(await store.count_errors(f"ws{n}"))

    with anyio.fail_after(60):
        async with anyio.create_task_group() as group:
            for n in range(24):
                group.start_soon(mine, n)
    assert done == [0] * 24


async def test_a_negative_wait_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match=r"'wait_s' must be a number of seconds >= 0 \(got -1\)"):
        async with store.mining_turn("ws", wait_s=-1):
            pass


async def test_another_process_holding_the_turn_blocks_this_one_until_it_lets_go(
    backend: str, store_url: str, store: Store
) -> None:
    async with holder(store_url) as child:
        with pytest.raises(StoreBusy):
            async with store.mining_turn("ws", wait_s=0):
                pytest.fail("entered a turn another process holds")
        if backend == "postgres" or PER_WORKSPACE:
            async with store.mining_turn("elsewhere", wait_s=0):
                pass

        async def let_go() -> None:
            assert child.stdin is not None
            await child.stdin.send(b"done\n")  # the child leaves its turn and exits

        assert await entered_after(let_go, store) == ["released", "entered"]
        with anyio.fail_after(60):
            assert await child.wait() == 0


async def test_a_killed_holder_releases_its_turn(store_url: str, store: Store) -> None:
    async with holder(store_url) as child:

        async def kill() -> None:
            child.kill()  # SIGKILL: no cleanup; the OS, or PostgreSQL for the dropped session, lets go

        assert await entered_after(kill, store) == ["released", "entered"]
