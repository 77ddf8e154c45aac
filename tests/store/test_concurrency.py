"""Contract: writers in several processes (here: two stores on one database) lose no update."""

from __future__ import annotations

from collections import defaultdict

import anyio
import pytest

from store import PatternMerge, Store, open_store

from .helpers import new_error

pytestmark = pytest.mark.anyio


async def test_concurrent_add_error_calls_keep_every_counter_exact(store_url: str, store: Store) -> None:
    other = await open_store(store_url)
    try:
        tasks = [(await store.create_task("ws", f"task {n}", domain="python")).task_id for n in range(20)]
        # Fingerprint k gets 10 errors from 1 + k % 4 distinct tasks (the tenth error has no task).
        plan = []
        for i in range(200):
            k, m = i % 20, i // 20
            plan.append((f"v1:{k}", None if m == 9 else tasks[(k + m % (1 + k % 4)) % 20]))
        expected_tasks: dict[str, set[str]] = defaultdict(set)
        for fingerprint, task in plan:
            if task is not None:
                expected_tasks[fingerprint].add(task)

        with anyio.fail_after(60):
            async with anyio.create_task_group() as group:
                for n, (fingerprint, task) in enumerate(plan):
                    group.start_soon(
                        (store, other)[n % 2].add_error, "ws", new_error(fingerprint, task_id=task)
                    )

        assert await store.count_errors("ws") == 200
        groups = await store.signature_groups("ws")
        assert sorted((g.fingerprint, g.count, g.distinct_tasks) for g in groups) == sorted(
            (fp, 10, len(expected_tasks[fp])) for fp in expected_tasks
        )
        page = await store.list_patterns("ws", limit=100)
        assert page.total == 20 and len({g.pattern_id for g in groups}) == 20
        confirmed = 0
        for pattern in page.patterns:
            fingerprint = pattern.examples[0].fingerprint
            assert (pattern.frequency, pattern.fingerprints) == (10, 1)
            assert pattern.distinct_tasks == len(expected_tasks[fingerprint])
            assert pattern.status == ("confirmed" if pattern.distinct_tasks >= 2 else "emerging")
            confirmed += pattern.status == "confirmed"
        assert confirmed == 15
        assert await store.library_version("ws") == 20 + confirmed
    finally:
        await other.close()


async def test_concurrent_batches_and_merges_leave_every_pattern_consistent(
    store_url: str, store: Store
) -> None:
    other = await open_store(store_url)
    try:
        tasks = [(await store.create_task("ws", f"task {n}", domain="python")).task_id for n in range(6)]
        seeds = [(await store.add_error("ws", new_error(f"v1:{k}"))).pattern_id for k in range(10)]
        batches = []
        for b in range(8):
            batch = [new_error(f"v1:{(b + j) % 14}", task_id=tasks[(b * j) % 6]) for j in range(40)]
            batches.append(batch[::-1] if b % 2 else batch)  # opposite orders provoke lock-order races
        merges = [
            [PatternMerge(into=seeds[4], absorbed=seeds[0:4])],
            [PatternMerge(into=seeds[7], absorbed=seeds[5:7])],
            [PatternMerge(into=seeds[7], absorbed=[seeds[4], seeds[8]])],
        ]

        with anyio.fail_after(60):
            async with anyio.create_task_group() as group:
                for n, batch in enumerate(batches):
                    group.start_soon((store, other)[n % 2].add_errors, "ws", batch)
                for n, merge in enumerate(merges):
                    group.start_soon((other, store)[n % 2].merge_patterns, "ws", merge)

        assert await store.count_errors("ws") == 10 + 8 * 40
        groups = await store.signature_groups("ws")
        members: dict[str, list] = defaultdict(list)
        for group_ in groups:
            members[group_.pattern_id].append(group_)
        assert sorted(await store.pattern_ids("ws")) == sorted(members)
        assert (await store.get_pattern("ws", seeds[0])).pattern_id == seeds[7]
        for pattern_id, member_groups in members.items():
            pattern = await store.get_pattern("ws", pattern_id)
            errors = await store.list_errors("ws", pattern_id=pattern_id, limit=1000)
            assert pattern.frequency == sum(g.count for g in member_groups) == len(errors)
            assert pattern.fingerprints == len(member_groups)
            assert pattern.distinct_tasks == len({e.task_id for e in errors if e.task_id is not None})
            assert pattern.status == ("confirmed" if pattern.distinct_tasks >= 2 else "emerging")
            for group_ in member_groups:
                group_errors = [e for e in errors if e.fingerprint == group_.fingerprint]
                assert group_.count == len(group_errors)
                assert group_.distinct_tasks == len(
                    {e.task_id for e in group_errors if e.task_id is not None}
                )
    finally:
        await other.close()


async def test_cancelled_calls_leave_no_half_done_write_behind(store: Store) -> None:
    finished = 0
    enough = anyio.Event()

    async def add(n: int) -> None:
        nonlocal finished
        await store.add_errors("ws", [new_error(f"v1:{n % 3}")] * 3)
        finished += 1
        if finished == 5:
            enough.set()

    with anyio.fail_after(60):
        async with anyio.create_task_group() as group:
            for n in range(60):
                group.start_soon(add, n)
            await enough.wait()
            group.cancel_scope.cancel()  # the rest are queued or in the middle of a transaction

        await store.add_error("ws", new_error("v1:after"))
    total = await store.count_errors("ws")
    assert total % 3 == 1 and total >= 16
    groups = await store.signature_groups("ws")
    patterns = (await store.list_patterns("ws")).patterns
    assert sum(g.count for g in groups) == sum(p.frequency for p in patterns) == total
