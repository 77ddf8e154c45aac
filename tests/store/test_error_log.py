"""Contract: storing errors, their group and pattern counters, and reading them back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from store import NewActionItem, NotFound, PatternMerge, Store

from .helpers import new_error

pytestmark = pytest.mark.anyio

T0 = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)


async def test_first_error_of_a_fingerprint_starts_an_emerging_pattern(store: Store) -> None:
    added = await store.add_error("ws", new_error("v1:a", title="IndexError in parse"))

    assert added.new_fingerprint
    assert added.error_id.startswith("e-") and added.pattern_id.startswith("p-")
    pattern = await store.get_pattern("ws", added.pattern_id)
    assert (pattern.title, pattern.status, pattern.frequency, pattern.fingerprints) == (
        "IndexError in parse",
        "emerging",
        1,
        1,
    )
    assert pattern.cohesion == 1.0
    assert pattern.category == "runtime.index"
    assert [e.error_id for e in pattern.examples] == [added.error_id]


async def test_a_known_fingerprint_joins_its_pattern_and_counts(store: Store) -> None:
    first = await store.add_error("ws", new_error("v1:a"))
    second = await store.add_error("ws", new_error("v1:a"))
    other = await store.add_error("ws", new_error("v1:b"))

    assert not second.new_fingerprint and second.pattern_id == first.pattern_id
    assert other.new_fingerprint and other.pattern_id != first.pattern_id
    assert (await store.get_pattern("ws", first.pattern_id)).frequency == 2
    [group_a, group_b] = await store.signature_groups("ws")
    assert (group_a.fingerprint, group_a.count, group_b.count) == ("v1:a", 2, 1)


async def test_a_stored_error_round_trips_every_field(store: Store) -> None:
    task = await store.create_task(
        "ws", "parse a CSV", domain="python", items=[NewActionItem("k", "read", "python.io", "d")]
    )
    action_id = task.items[0].action_id
    details = {"expected": "3", "actual": None, "nested": {"list": [1, 2.5, True], "text": "é 🎉"}}
    added = await store.add_error(
        "ws",
        new_error(
            "v1:full",
            task_id=task.task_id,
            action_id=action_id,
            created_at=T0,
            message="AssertionError: assert f([1]) == 3",
            error_type="AssertionError",
            traceback='Traceback (most recent call last):\n  File "x.py", line 3\nAssertionError',
            code="def f(xs):\n    return len(xs)\n",
            action_category="python.io.parse",
            details=details,
        ),
    )

    stored = await store.get_error("ws", added.error_id)

    assert stored.error_id == added.error_id
    assert stored.message == "AssertionError: assert f([1]) == 3"
    assert stored.error_type == "AssertionError"
    assert stored.traceback is not None and stored.traceback.endswith("AssertionError")
    assert stored.code == "def f(xs):\n    return len(xs)\n"
    assert (stored.task_id, stored.action_id, stored.action_category) == (
        task.task_id,
        action_id,
        "python.io.parse",
    )
    assert (stored.fingerprint, stored.fingerprint_version, stored.category, stored.source) == (
        "v1:full",
        1,
        "runtime.index",
        "runtime",
    )
    assert stored.details == details
    assert stored.created_at == T0 and stored.created_at.tzinfo is not None
    assert stored.pattern_id == added.pattern_id
    assert added.created_at == T0


async def test_timestamps_are_stored_in_utc(store: Store) -> None:
    plus_two = datetime(2024, 5, 1, 14, 0, 0, 1, tzinfo=timezone(timedelta(hours=2)))
    naive = datetime(2024, 5, 1, 12, 0, 0, 2)
    a = await store.add_error("ws", new_error(created_at=plus_two))
    b = await store.add_error("ws", new_error(created_at=naive))
    c = await store.add_error("ws", new_error())

    assert (await store.get_error("ws", a.error_id)).created_at == datetime(
        2024, 5, 1, 12, 0, 0, 1, tzinfo=UTC
    )
    assert (await store.get_error("ws", b.error_id)).created_at == datetime(
        2024, 5, 1, 12, 0, 0, 2, tzinfo=UTC
    )
    now = (await store.get_error("ws", c.error_id)).created_at
    assert now.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - now) < timedelta(minutes=5)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("", ""),
        ("a\x00b", "a\ufffdb"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("emoji 🎉 and é", "emoji 🎉 and é"),
        ("'; DROP TABLE errors; --", "'; DROP TABLE errors; --"),
        ("backslash-u \\u0000 stays text", "backslash-u \\u0000 stays text"),
        ("%_\\ like wildcards", "%_\\ like wildcards"),
    ],
)
async def test_hostile_text_is_stored_the_same_way_on_every_backend(
    store: Store, given: str, stored: str
) -> None:
    added = await store.add_error("ws", new_error(message=given, details={"value": given, given: 1}))

    error = await store.get_error("ws", added.error_id)

    assert error.message == stored
    assert error.details == {"value": stored, stored: 1}


async def test_json_without_a_standard_form_is_stored_as_text(store: Store) -> None:
    added = await store.add_error(
        "ws", new_error(details={"nan": float("nan"), "inf": float("-inf"), 3: "int key"})
    )

    assert (await store.get_error("ws", added.error_id)).details == {
        "nan": "NaN",
        "inf": "-Infinity",
        "3": "int key",
    }


async def test_add_errors_stores_a_batch_with_exact_counters(store: Store) -> None:
    tasks = [(await store.create_task("ws", f"task {n}", domain="python")).task_id for n in range(3)]
    plan = [("v1:a", tasks[0]), ("v1:b", None), ("v1:a", tasks[1]), ("v1:a", tasks[1]), ("v1:b", tasks[2])]

    bulk = await store.add_errors("ws", [new_error(fp, task_id=task) for fp, task in plan])

    keys = [int(a.error_id[2:]) for a in bulk]
    assert keys == sorted(keys) and len(set(keys)) == len(plan)
    assert [a.new_fingerprint for a in bulk] == [True, True, False, False, False]
    assert bulk[0].pattern_id == bulk[2].pattern_id == bulk[3].pattern_id != bulk[1].pattern_id
    a = await store.get_pattern("ws", bulk[0].pattern_id)
    b = await store.get_pattern("ws", bulk[1].pattern_id)
    assert (a.frequency, a.distinct_tasks, a.status) == (3, 2, "confirmed")
    assert (b.frequency, b.distinct_tasks, b.status) == (2, 1, "emerging")
    assert [(g.fingerprint, g.count, g.distinct_tasks) for g in await store.signature_groups("ws")] == [
        ("v1:a", 3, 2),
        ("v1:b", 2, 1),
    ]
    assert await store.add_errors("ws", []) == []


async def test_a_batch_with_a_bad_reference_stores_nothing(store: Store) -> None:
    task = await store.create_task("ws", "t", domain="python")

    with pytest.raises(NotFound, match="t-999"):
        await store.add_errors(
            "ws", [new_error("v1:a", task_id=task.task_id), new_error("v1:b", task_id="t-999")]
        )

    assert await store.count_errors("ws") == 0
    assert await store.signature_groups("ws") == []
    assert await store.pattern_ids("ws") == []
    assert await store.library_version("ws") == 0


@pytest.mark.parametrize("field", ["task_id", "action_id"])
@pytest.mark.parametrize("bad", ["t-999", "a-999", "12", "t-", "x", ""])
async def test_an_error_naming_an_unknown_task_or_action_raises_not_found(
    store: Store, field: str, bad: str
) -> None:
    with pytest.raises(NotFound):
        await store.add_error("ws", new_error(**{field: bad}))


async def test_an_error_needs_its_action_to_belong_to_its_task(store: Store) -> None:
    one = await store.create_task("ws", "one", domain="python", items=[NewActionItem("k", "n", "c", "d")])
    two = await store.create_task("ws", "two", domain="python")

    with pytest.raises(NotFound, match="not an item of task"):
        await store.add_error("ws", new_error(task_id=two.task_id, action_id=one.items[0].action_id))


async def test_an_error_naming_only_its_action_is_counted_for_the_actions_task(store: Store) -> None:
    task = await store.create_task("ws", "one", domain="python", items=[NewActionItem("k", "n", "c", "d")])

    added = await store.add_error("ws", new_error(action_id=task.items[0].action_id))

    assert (await store.get_error("ws", added.error_id)).task_id == task.task_id
    assert (await store.get_pattern("ws", added.pattern_id)).distinct_tasks == 1


async def test_a_pattern_is_confirmed_by_errors_from_two_distinct_tasks(store: Store) -> None:
    one = (await store.create_task("ws", "one", domain="python")).task_id
    two = (await store.create_task("ws", "two", domain="python")).task_id
    added = await store.add_error("ws", new_error(task_id=one))
    version = await store.library_version("ws")

    await store.add_error("ws", new_error(task_id=one))
    await store.add_error("ws", new_error(task_id=None))
    pattern = await store.get_pattern("ws", added.pattern_id)
    assert (pattern.status, pattern.distinct_tasks, pattern.frequency) == ("emerging", 1, 3)
    assert await store.library_version("ws") == version

    await store.add_error("ws", new_error(task_id=two))
    pattern = await store.get_pattern("ws", added.pattern_id)
    assert (pattern.status, pattern.distinct_tasks, pattern.frequency) == ("confirmed", 2, 4)
    assert await store.library_version("ws") > version


async def test_first_and_last_seen_follow_the_errors_times_in_any_order(store: Store) -> None:
    added = await store.add_error("ws", new_error(created_at=T0))
    await store.add_error("ws", new_error(created_at=T0 - timedelta(days=1)))
    await store.add_error("ws", new_error(created_at=T0 + timedelta(days=1)))
    await store.add_error("ws", new_error(created_at=T0))

    pattern = await store.get_pattern("ws", added.pattern_id)
    [group] = await store.signature_groups("ws")
    assert (pattern.first_seen, pattern.last_seen) == (T0 - timedelta(days=1), T0 + timedelta(days=1))
    assert (group.first_seen, group.last_seen) == (pattern.first_seen, pattern.last_seen)


@pytest.mark.parametrize(
    "error_id", ["e-999", "e-", "e-x", "12", "p-1", "", "e--1", "e-1.0", "e-99999999999999999999"]
)
async def test_get_error_raises_not_found_for_unknown_and_malformed_ids(store: Store, error_id: str) -> None:
    await store.add_error("ws", new_error())

    with pytest.raises(NotFound):
        await store.get_error("ws", error_id)


async def test_list_errors_pages_forward_in_id_order(store: Store) -> None:
    added = await store.add_errors("ws", [new_error(f"v1:{n % 3}") for n in range(25)])

    seen, after = [], None
    while page := await store.list_errors("ws", after_id=after, limit=10):
        assert len(page) <= 10
        seen += [e.error_id for e in page]
        after = page[-1].error_id

    assert seen == [a.error_id for a in added]
    assert await store.count_errors("ws") == 25
    assert await store.list_errors("ws", limit=0) == []


async def test_list_errors_filters_by_pattern_task_and_time(store: Store) -> None:
    task = (await store.create_task("ws", "t", domain="python")).task_id
    a1 = await store.add_error("ws", new_error("v1:a", created_at=T0))
    a2 = await store.add_error("ws", new_error("v1:a", task_id=task, created_at=T0 + timedelta(hours=1)))
    b1 = await store.add_error("ws", new_error("v1:b", task_id=task, created_at=T0 + timedelta(hours=2)))

    def ids(errors: list) -> list[str]:
        return [e.error_id for e in errors]

    assert ids(await store.list_errors("ws", pattern_id=a1.pattern_id)) == [a1.error_id, a2.error_id]
    assert ids(await store.list_errors("ws", task_id=task)) == [a2.error_id, b1.error_id]
    assert ids(await store.list_errors("ws", since=T0 + timedelta(hours=1))) == [a2.error_id, b1.error_id]
    assert ids(await store.list_errors("ws", pattern_id=a1.pattern_id, task_id=task)) == [a2.error_id]

    await store.merge_patterns("ws", [PatternMerge(into=b1.pattern_id, absorbed=[a1.pattern_id])])
    assert ids(await store.list_errors("ws", pattern_id=a1.pattern_id)) == [
        a1.error_id,
        a2.error_id,
        b1.error_id,
    ]
    assert {e.pattern_id for e in await store.list_errors("ws")} == {b1.pattern_id}


@pytest.mark.parametrize(
    "filters", [{"pattern_id": "p-999"}, {"pattern_id": "p-x"}, {"task_id": "t-999"}, {"after_id": "e-"}]
)
async def test_list_errors_raises_not_found_for_unknown_filter_ids(store: Store, filters: dict) -> None:
    with pytest.raises(NotFound):
        await store.list_errors("ws", **filters)
