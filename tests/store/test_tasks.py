"""Contract: tasks with hierarchical action items, completing them, executions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from store import Conflict, NewActionItem, NewExecution, NotFound, Store

pytestmark = pytest.mark.anyio


async def test_a_task_keeps_its_hierarchical_items(store: Store) -> None:
    items = [
        NewActionItem(
            "parse", "Parse rows", "python.io.parse", "split each line", parent_key="io", position=1
        ),
        NewActionItem("io", "Read the file", "python.io", "open and read", position=0),
        NewActionItem("test", "Check", "python.test", "assert the sums", position=2),
        NewActionItem("edge", "Empty input", "python.test.edge", "no rows", parent_key="test"),
    ]

    created = await store.create_task(
        "ws", "Sum a CSV column", domain="python", items=items, protocol_version=4
    )
    fetched = await store.get_task("ws", created.task_id)

    assert fetched == created
    assert (fetched.description, fetched.domain, fetched.status, fetched.protocol_version) == (
        "Sum a CSV column",
        "python",
        "open",
        4,
    )
    assert (fetched.completed_at, fetched.tokens, fetched.cost_usd, fetched.duration_s) == (
        None,
        0,
        0.0,
        None,
    )
    assert abs(datetime.now(UTC) - fetched.created_at) < timedelta(minutes=5)
    by_name = {item.name: item for item in fetched.items}
    assert [item.name for item in fetched.items] == ["Parse rows", "Read the file", "Check", "Empty input"]
    assert by_name["Parse rows"].parent_id == by_name["Read the file"].action_id
    assert by_name["Empty input"].parent_id == by_name["Check"].action_id
    assert by_name["Read the file"].parent_id is None
    assert {item.task_id for item in fetched.items} == {created.task_id}
    assert (by_name["Parse rows"].category, by_name["Parse rows"].description, by_name["Check"].position) == (
        "python.io.parse",
        "split each line",
        2,
    )


async def test_a_task_without_items_has_none(store: Store) -> None:
    created = await store.create_task("ws", "t", domain="sql")
    assert (await store.get_task("ws", created.task_id)).items == ()


@pytest.mark.parametrize(
    ("items", "error"),
    [
        ([NewActionItem("a", "n", "c", "d"), NewActionItem("a", "n", "c", "d")], Conflict),
        ([NewActionItem("a", "n", "c", "d", parent_key="missing")], NotFound),
        (
            [
                NewActionItem("a", "n", "c", "d", parent_key="b"),
                NewActionItem("b", "n", "c", "d", parent_key="a"),
            ],
            Conflict,
        ),
        ([NewActionItem("a", "n", "c", "d", parent_key="a")], Conflict),
    ],
)
async def test_badly_linked_items_are_refused_and_nothing_is_stored(
    store: Store, items: list[NewActionItem], error: type[Exception]
) -> None:
    before = await store.create_task("ws", "before", domain="python")

    with pytest.raises(error):
        await store.create_task("ws", "bad", domain="python", items=items)

    after = await store.create_task("ws", "after", domain="python")
    for key in range(int(before.task_id[2:]) + 1, int(after.task_id[2:])):  # the refused task left no row
        with pytest.raises(NotFound):
            await store.get_task("ws", f"t-{key}")
    assert after.items == ()


async def test_completing_a_task_records_its_outcome(store: Store) -> None:
    created = await store.create_task("ws", "t", domain="python")

    done = await store.complete_task("ws", created.task_id, status="failed", tokens=1234, cost_usd=0.0125)

    assert (done.status, done.tokens, done.cost_usd) == ("failed", 1234, 0.0125)
    assert done.completed_at is not None and done.completed_at >= done.created_at
    assert done.duration_s is not None
    assert done.duration_s == pytest.approx((done.completed_at - done.created_at).total_seconds(), abs=1e-3)
    assert await store.get_task("ws", created.task_id) == done


async def test_completing_a_task_twice_raises_conflict(store: Store) -> None:
    created = await store.create_task("ws", "t", domain="python")
    done = await store.complete_task("ws", created.task_id, status="succeeded", tokens=1, cost_usd=0.0)

    with pytest.raises(Conflict, match="already closed"):
        await store.complete_task("ws", created.task_id, status="abandoned", tokens=2, cost_usd=1.0)
    with pytest.raises(Conflict):
        await store.complete_task("ws", created.task_id, status="open", tokens=2, cost_usd=1.0)  # type: ignore[arg-type]
    assert await store.get_task("ws", created.task_id) == done


@pytest.mark.parametrize("task_id", ["t-999", "t-x", "t-", "12", "p-1", ""])
async def test_task_methods_raise_not_found_for_unknown_and_malformed_ids(store: Store, task_id: str) -> None:
    await store.create_task("ws", "t", domain="python")

    with pytest.raises(NotFound):
        await store.get_task("ws", task_id)
    with pytest.raises(NotFound):
        await store.complete_task("ws", task_id, status="succeeded", tokens=0, cost_usd=0.0)
    with pytest.raises(NotFound):
        await store.add_execution("ws", NewExecution(task_id=task_id, kind="validate"))


async def test_executions_are_recorded_against_a_task_and_its_own_items(store: Store) -> None:
    one = await store.create_task("ws", "one", domain="python", items=[NewActionItem("k", "n", "c", "d")])
    two = await store.create_task("ws", "two", domain="python", items=[NewActionItem("k", "n", "c", "d")])

    first = await store.add_execution(
        "ws",
        NewExecution(
            task_id=one.task_id,
            kind="validate",
            action_id=one.items[0].action_id,
            passed=False,
            tokens=10,
            cost_usd=0.5,
            duration_ms=12.5,
            details={"level": 3},
        ),
    )
    second = await store.add_execution("ws", NewExecution(task_id=one.task_id, kind="retry", passed=True))

    assert first.startswith("x-") and second.startswith("x-") and first != second
    with pytest.raises(NotFound, match="not an item of task"):
        await store.add_execution(
            "ws", NewExecution(task_id=one.task_id, kind="k", action_id=two.items[0].action_id)
        )
    with pytest.raises(NotFound):
        await store.add_execution("ws", NewExecution(task_id=one.task_id, kind="k", action_id="a-x"))
