"""SQLite: the OS lock behind a mining turn, its sidecar file, and the in-memory case."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from store import StoreUnavailable, open_store
from store.base import StoreBusy
from store.sqlite.mining import PER_WORKSPACE, open_lock_file, try_lock

pytestmark = pytest.mark.anyio


@pytest.fixture
def descriptors(tmp_path: Path) -> Iterator[list[int]]:
    """Two descriptors of one lock file, opened separately, as two store objects would hold them."""
    fds = [open_lock_file(str(tmp_path / "x.db-mining.lock")) for _ in range(2)]
    yield fds
    for fd in fds:
        os.close(fd)


def close(descriptors: list[int], fd: int) -> None:
    descriptors.remove(fd)
    os.close(fd)


@pytest.mark.skipif(not PER_WORKSPACE, reason="needs Linux open-file-description locks")
def test_byte_locks_keep_workspaces_apart_even_within_one_process(descriptors: list[int]) -> None:
    first, second = descriptors
    assert try_lock(first, "ws")
    assert not try_lock(second, "ws")
    assert try_lock(second, "other")
    close(descriptors, first)
    assert try_lock(second, "ws")


def test_the_whole_file_lock_makes_all_workspaces_take_turns(descriptors: list[int]) -> None:
    first, second = descriptors
    assert try_lock(first, "ws", per_workspace=False)
    assert not try_lock(second, "other", per_workspace=False)
    close(descriptors, first)
    assert try_lock(second, "other", per_workspace=False)


async def test_the_lock_file_sits_next_to_the_database(tmp_path: Path) -> None:
    store = await open_store(f"sqlite:///{tmp_path / 'errors.db'}")
    try:
        async with store.mining_turn("ws"):
            assert (tmp_path / "errors.db-mining.lock").is_file()
    finally:
        await store.close()


async def test_a_lock_file_that_cannot_be_opened_is_reported_with_its_path(tmp_path: Path) -> None:
    (tmp_path / "errors.db-mining.lock").mkdir()
    store = await open_store(f"sqlite:///{tmp_path / 'errors.db'}")
    try:
        with pytest.raises(StoreUnavailable, match=r"cannot open its mining lock .*errors\.db-mining\.lock"):
            async with store.mining_turn("ws"):
                pytest.fail("took a turn without its lock file")
    finally:
        await store.close()


async def test_an_in_memory_store_takes_turns_between_its_own_calls() -> None:
    store = await open_store("sqlite:///:memory:")
    try:
        async with store.mining_turn("ws"):

            async def second_call() -> None:
                with pytest.raises(StoreBusy):
                    async with store.mining_turn("ws", wait_s=0):
                        pytest.fail("two calls held one workspace's turn at once")
                async with store.mining_turn("other", wait_s=0):
                    pass

            async with anyio.create_task_group() as group:
                group.start_soon(second_call)
    finally:
        await store.close()
