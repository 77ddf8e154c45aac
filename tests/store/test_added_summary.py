"""Contract: `add_error` answers with the pattern as its write left it, so callers need no second read."""

from __future__ import annotations

import pytest

from store import AddedError, NewInsight, PatternMerge, Store

from .helpers import new_error

pytestmark = pytest.mark.anyio


async def assert_matches_a_fresh_read(store: Store, added: AddedError) -> None:
    pattern = await store.get_pattern("ws", added.pattern_id)
    assert (added.pattern_title, added.pattern_frequency, added.pattern_status) == (
        pattern.title,
        pattern.frequency,
        pattern.status,
    )
    assert added.insight == await store.insight_for("ws", added.pattern_id)


async def test_a_new_error_answers_with_its_new_emerging_pattern_and_no_insight(store: Store) -> None:
    added = await store.add_error("ws", new_error("v1:a", title="IndexError in parse"))

    assert (added.pattern_title, added.pattern_frequency, added.pattern_status, added.insight) == (
        "IndexError in parse",
        1,
        "emerging",
        None,
    )
    await assert_matches_a_fresh_read(store, added)


async def test_a_recurring_error_answers_with_the_counters_and_status_it_just_changed(store: Store) -> None:
    tasks = [(await store.create_task("ws", f"task {n}", domain="python")).task_id for n in range(2)]
    await store.add_error("ws", new_error("v1:a", task_id=tasks[0], title="first title"))
    added = await store.add_error(
        "ws", new_error("v1:a", task_id=tasks[1], title="ignored for a known group")
    )

    assert (added.pattern_title, added.pattern_frequency, added.pattern_status) == (
        "first title",
        2,
        "confirmed",
    )
    await assert_matches_a_fresh_read(store, added)


async def test_the_answer_carries_the_newest_insight_including_one_written_for_a_merged_pattern(
    store: Store,
) -> None:
    survivor = await store.add_error("ws", new_error("v1:a"))
    absorbed = await store.add_error("ws", new_error("v1:b"))
    await store.add_insight(
        "ws", NewInsight(pattern_id=survivor.pattern_id, rule="older rule", source="client")
    )
    await store.add_insight(
        "ws", NewInsight(pattern_id=absorbed.pattern_id, rule="newer rule", source="builtin")
    )
    await store.merge_patterns("ws", [PatternMerge(into=survivor.pattern_id, absorbed=[absorbed.pattern_id])])

    added = await store.add_error("ws", new_error("v1:b"))

    assert added.pattern_id == survivor.pattern_id
    assert added.insight is not None
    assert (added.insight.rule, added.insight.source, added.insight.pattern_id) == (
        "newer rule",
        "builtin",
        survivor.pattern_id,
    )
    await assert_matches_a_fresh_read(store, added)


async def test_each_error_of_a_batch_answers_with_its_pattern_after_the_whole_batch(store: Store) -> None:
    await store.add_error("ws", new_error("v1:b"))
    batch = [new_error("v1:a"), new_error("v1:b"), new_error("v1:a"), new_error("v1:c")]

    added = await store.add_errors("ws", batch)

    assert [a.pattern_frequency for a in added] == [2, 2, 2, 1]
    assert len({a.pattern_id for a in added}) == 3
    for one in added:
        await assert_matches_a_fresh_read(store, one)
