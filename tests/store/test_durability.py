"""Contract: what a store acknowledged is there after a close, a reopen, or a killed process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import anyio
import pytest
from anyio.streams.text import TextReceiveStream

from store import StoreUnavailable, open_store

from .helpers import new_error

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from store import open_store
    from tests.store.helpers import new_error

    async def main():
        store = await open_store(sys.argv[1])
        for n in range(100_000):
            added = await store.add_errors("ws", [new_error(f"v1:{n % 7}")] * (1 + n % 3))
            print(" ".join(a.error_id for a in added), flush=True)

    asyncio.run(main())
    """
)


async def test_data_is_still_there_after_close_and_reopen(store_url: str) -> None:
    first = await open_store(store_url)
    added = await first.add_error("ws", new_error("v1:kept"))
    task = await first.create_task("ws", "kept", domain="python")
    await first.close()

    second = await open_store(store_url)
    try:
        assert (await second.get_error("ws", added.error_id)).fingerprint == "v1:kept"
        assert (await second.get_task("ws", task.task_id)).description == "kept"
        assert await second.migrate() == []
    finally:
        await second.close()


async def test_acknowledged_writes_survive_a_killed_process(store_url: str) -> None:
    opened = await open_store(store_url)  # migrate first, so the child only writes
    await opened.close()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    acknowledged: list[str] = []
    async with await anyio.open_process(
        [sys.executable, "-c", WRITER, store_url], stdout=subprocess.PIPE, cwd=ROOT, env=env
    ) as child:
        assert child.stdout is not None
        try:
            with anyio.fail_after(60):
                pending = ""
                async for chunk in TextReceiveStream(child.stdout):
                    *lines, pending = (pending + chunk).split("\n")  # only whole lines are acknowledgements
                    acknowledged += [error_id for line in lines for error_id in line.split()]
                    if len(acknowledged) >= 150:
                        break
        finally:
            child.kill()  # SIGKILL: no cleanup, possibly in the middle of a transaction
            await child.wait()
    assert len(acknowledged) >= 150, f"writer stopped early with {child.returncode}"

    store = await open_store(store_url)
    try:
        for error_id in acknowledged:
            await store.get_error("ws", error_id)
        total = await store.count_errors("ws")
        groups = await store.signature_groups("ws")
        page = await store.list_patterns("ws", limit=100)
        assert total >= len(acknowledged)
        assert sum(g.count for g in groups) == sum(p.frequency for p in page.patterns) == total
    finally:
        await store.close()


async def test_a_closed_store_refuses_calls(store_url: str) -> None:
    opened = await open_store(store_url)
    await opened.close()
    await opened.close()

    with pytest.raises(StoreUnavailable, match="closed"):
        await opened.count_errors("ws")
    with pytest.raises(StoreUnavailable, match="closed"):
        await opened.add_error("ws", new_error())
