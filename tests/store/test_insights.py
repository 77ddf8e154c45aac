"""Contract: insights, found for a pattern and for every pattern merged into it."""

from __future__ import annotations

import pytest

from store import NewInsight, NotFound, PatternMerge, Store

from .helpers import new_error

pytestmark = pytest.mark.anyio


async def test_an_insight_is_stored_and_the_newest_one_wins(store: Store) -> None:
    pattern_id = (await store.add_error("ws", new_error())).pattern_id
    assert await store.insight_for("ws", pattern_id) is None

    first = await store.add_insight(
        "ws",
        NewInsight(
            pattern_id,
            "Check the index against len() before reading",
            "builtin",
            example_wrong="xs[len(xs)]",
            example_right="xs[-1]",
            model=None,
        ),
    )
    second = await store.add_insight(
        "ws",
        NewInsight(
            pattern_id, "Use xs[-1] for the last item", "sampling", model="m", tokens=120, cost_usd=0.01
        ),
    )

    assert first.insight_id.startswith("i-") and first.insight_id != second.insight_id
    assert (first.pattern_id, first.rule, first.example_wrong, first.example_right, first.source) == (
        pattern_id,
        "Check the index against len() before reading",
        "xs[len(xs)]",
        "xs[-1]",
        "builtin",
    )
    assert await store.insight_for("ws", pattern_id) == second


async def test_insights_follow_merges_both_ways(store: Store) -> None:
    kept = (await store.add_error("ws", new_error("v1:a"))).pattern_id
    absorbed = (await store.add_error("ws", new_error("v1:b"))).pattern_id
    other = (await store.add_error("ws", new_error("v1:c"))).pattern_id
    old = await store.add_insight("ws", NewInsight(kept, "old rule", "client"))
    newer = await store.add_insight(
        "ws", NewInsight(absorbed, "rule written for the absorbed pattern", "client")
    )
    await store.add_insight("ws", NewInsight(other, "unrelated", "client"))

    await store.merge_patterns("ws", [PatternMerge(into=kept, absorbed=[absorbed])])

    found = await store.insight_for("ws", kept)
    assert found is not None and found.insight_id == newer.insight_id and found.pattern_id == kept
    assert await store.insight_for("ws", absorbed) == found
    newest = await store.add_insight("ws", NewInsight(absorbed, "added after the merge", "client"))
    assert newest.pattern_id == kept
    assert await store.insight_for("ws", kept) == newest
    assert old.insight_id != newest.insight_id


async def test_insights_of_many_patterns_match_one_by_one(store: Store) -> None:
    kept = (await store.add_error("ws", new_error("v1:a"))).pattern_id
    absorbed = (await store.add_error("ws", new_error("v1:b"))).pattern_id
    plain = (await store.add_error("ws", new_error("v1:c"))).pattern_id
    bare = (await store.add_error("ws", new_error("v1:d"))).pattern_id
    elsewhere = (await store.add_error("other", new_error("v1:a"))).pattern_id
    await store.add_insight("ws", NewInsight(absorbed, "written before the merge", "client"))
    await store.add_insight("ws", NewInsight(kept, "older, on the survivor", "client"))
    await store.add_insight("ws", NewInsight(plain, "first", "client"))
    await store.add_insight("ws", NewInsight(plain, "second", "client"))
    await store.add_insight("other", NewInsight(elsewhere, "another workspace's rule", "client"))
    await store.merge_patterns("ws", [PatternMerge(into=kept, absorbed=[absorbed])])
    newest = await store.add_insight("ws", NewInsight(absorbed, "after the merge", "client"))

    found = await store.insights_for("ws", [kept, plain, bare, kept, "p-404"])

    assert found == {kept: await store.insight_for("ws", kept), plain: await store.insight_for("ws", plain)}
    assert found[kept] == newest and found[plain].rule == "second"
    assert await store.insights_for("ws", []) == {}
    assert await store.insights_for("ws", [absorbed]) == {}  # merged away: ask for the survivor


async def test_an_insight_for_an_unknown_pattern_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        await store.add_insight("ws", NewInsight("p-404", "rule", "client"))
