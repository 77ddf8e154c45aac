"""Mining shared by several stores and processes: each new group is mined by exactly one pass."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import anyio
import pytest
from anyio.abc import Process
from anyio.streams.buffered import BufferedByteReceiveStream

from store import Store, open_store
from tests.data import labelled_errors
from tools.errors import Busy
from tools.find_patterns import PatternQuery, find_patterns
from tools.log_error import ErrorReport, Evidence, log_error

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[3]
WORKSPACE = "ws"

# Opens the store, says "ready", then on "go" runs find_patterns once and prints "<mined> <total>".
MINER = textwrap.dedent(
    """
    import asyncio, sys
    from store import open_store
    from tools.find_patterns import PatternQuery, find_patterns

    async def main():
        store = await open_store(sys.argv[1])
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        listing = await find_patterns(PatternQuery(limit=100), store=store, workspace=sys.argv[2])
        print(listing.mined_groups, listing.total, flush=True)
        await store.close()

    asyncio.run(main())
    """
)


async def log_labelled_errors(store: Store) -> None:
    """Log every labelled error (about a hundred, of 18 kinds) without mining them."""
    tasks: dict[str, str] = {}
    for entry in labelled_errors.ERRORS:
        if entry.task not in tasks:
            tasks[entry.task] = (await store.create_task(WORKSPACE, entry.task, domain="python")).task_id
        evidence = Evidence(**entry.evidence) if entry.evidence else None
        report = ErrorReport(**entry.report, task_id=tasks[entry.task])
        await log_error(report, store=store, workspace=WORKSPACE, evidence=evidence)


async def one_pass() -> tuple[int, int]:
    """(groups mined, patterns listed) when a single pass mines the same errors."""
    store = await open_store("sqlite:///:memory:")
    try:
        await log_labelled_errors(store)
        listing = await find_patterns(PatternQuery(limit=100), store=store, workspace=WORKSPACE)
    finally:
        await store.close()
    return listing.mined_groups, listing.total


async def test_stores_mining_the_same_new_groups_at_once_mine_each_group_once(shared_url: str) -> None:
    groups, patterns = await one_pass()
    assert groups > patterns > 1  # mining has merging to do
    stores = [await open_store(shared_url) for _ in range(2)]
    try:
        await log_labelled_errors(stores[0])
        answers: list[tuple[int, int]] = []

        async def call(store: Store) -> None:
            listing = await find_patterns(PatternQuery(limit=100), store=store, workspace=WORKSPACE)
            answers.append((listing.mined_groups, listing.total))

        with anyio.fail_after(120):
            async with anyio.create_task_group() as group:
                for n in range(6):
                    group.start_soon(call, stores[n % 2])

        assert sum(mined for mined, _ in answers) == groups, answers
        # Every call listed the library after the one pass that mined it, never before or halfway.
        assert [total for _, total in answers] == [patterns] * 6
        assert await stores[1].signature_groups(WORKSPACE, only_unmined=True) == []
    finally:
        for store in stores:
            await store.close()


async def test_processes_mining_the_same_new_groups_at_once_mine_each_group_once(shared_url: str) -> None:
    groups, patterns = await one_pass()
    store = await open_store(shared_url)
    try:
        await log_labelled_errors(store)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        answers: list[tuple[int, int]] = []
        children = [
            await anyio.open_process(
                [sys.executable, "-c", MINER, shared_url, WORKSPACE],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=ROOT,
                env=env,
            )
            for _ in range(2)
        ]
        try:
            with anyio.fail_after(120):
                lines = [BufferedByteReceiveStream(child.stdout) for child in children if child.stdout]
                for stream in lines:
                    assert await stream.receive_until(b"\n", 100) == b"ready"

                async def in_child(child: Process, stream: BufferedByteReceiveStream) -> None:
                    assert child.stdin is not None
                    await child.stdin.send(b"go\n")
                    mined, total = (await stream.receive_until(b"\n", 100)).split()
                    answers.append((int(mined), int(total)))

                async def here() -> None:
                    listing = await find_patterns(PatternQuery(limit=100), store=store, workspace=WORKSPACE)
                    answers.append((listing.mined_groups, listing.total))

                async with anyio.create_task_group() as group:
                    for child, stream in zip(children, lines, strict=True):
                        group.start_soon(in_child, child, stream)
                    group.start_soon(here)
                for child in children:
                    assert await child.wait() == 0
        finally:
            for child in children:
                if child.returncode is None:
                    child.kill()
                await child.aclose()

        assert sum(mined for mined, _ in answers) == groups, answers
        assert [total for _, total in answers] == [patterns] * 3
    finally:
        await store.close()


async def test_a_pass_that_cannot_get_the_turn_in_time_is_busy(store: Store, workspace: str) -> None:
    await log_error(ErrorReport(message="KeyError: 'port'"), store=store, workspace=workspace)
    async with store.mining_turn(workspace):

        async def another_call() -> None:
            with pytest.raises(Busy, match=r"workspace 'ws' is being mined by another pass .* Retry"):
                await find_patterns(PatternQuery(), store=store, workspace=workspace, mining_wait_s=0)

        async with anyio.create_task_group() as group:
            group.start_soon(another_call)
    listing = await find_patterns(PatternQuery(), store=store, workspace=workspace, mining_wait_s=0)
    assert (listing.mined_groups, listing.total) == (1, 1)


async def test_listing_with_nothing_new_does_not_wait_for_a_pass_in_progress(
    store: Store, workspace: str
) -> None:
    await log_error(ErrorReport(message="KeyError: 'port'"), store=store, workspace=workspace)
    await find_patterns(PatternQuery(), store=store, workspace=workspace)
    async with store.mining_turn(workspace):

        async def another_call() -> None:
            listing = await find_patterns(PatternQuery(), store=store, workspace=workspace, mining_wait_s=0)
            assert (listing.mined_groups, listing.total) == (0, 1)

        async with anyio.create_task_group() as group:
            group.start_soon(another_call)
