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


async def test_an_insight_for_an_unknown_pattern_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        await store.add_insight("ws", NewInsight("p-404", "rule", "client"))
