"""Contract: every combination of list_errors filters pages exactly like filtering the whole log.

The log is big enough (2,300 errors) for the time filter to take both of its routes, and its
timestamps are out of id order, as imported errors can be.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from store import PatternMerge, Store, StoredError

from .helpers import new_error

pytestmark = pytest.mark.anyio

T0 = datetime(2024, 5, 1, tzinfo=UTC)


async def test_every_filter_combination_pages_like_filtering_the_whole_log(store: Store) -> None:
    tasks = [(await store.create_task("ws", f"task {n}", domain="python")).task_id for n in range(3)]
    errors = []
    for n in range(2300):
        # Early errors jump around in time; the last 200 are newer than all of them.
        created = (
            T0 + timedelta(days=n % 7 - 3, seconds=n) if n < 2100 else T0 + timedelta(days=10, seconds=n)
        )
        errors.append(new_error(f"v1:{n % 5}", task_id=tasks[n % 3] if n % 4 else None, created_at=created))
    added = await store.add_errors("ws", errors)
    await store.add_errors("other", [new_error("v1:0")] * 50)
    merged = added[0].pattern_id
    await store.merge_patterns(
        "ws", [PatternMerge(into=merged, absorbed=[added[1].pattern_id, added[2].pattern_id])]
    )
    single = added[3].pattern_id

    log: list[StoredError] = []
    while page := await store.list_errors("ws", after_id=log[-1].error_id if log else None, limit=500):
        log += page
    assert [e.error_id for e in log] == [a.error_id for a in added]

    for pattern_id, task_id, since in itertools.product(
        [None, merged, single], [None, tasks[1]], [None, T0 - timedelta(days=1), T0 + timedelta(days=5)]
    ):
        expected = [
            e.error_id
            for e in log
            if (pattern_id is None or e.pattern_id == pattern_id)
            and (task_id is None or e.task_id == task_id)
            and (since is None or e.created_at >= since)
        ]
        filters = {"pattern_id": pattern_id, "task_id": task_id, "since": since}
        everything = await store.list_errors("ws", **filters, limit=5000)
        assert [e.error_id for e in everything] == expected, filters
        paged: list[str] = []
        for _ in range(4):
            page = await store.list_errors("ws", **filters, after_id=paged[-1] if paged else None, limit=7)
            paged += [e.error_id for e in page]
        assert paged == expected[:28], filters
