"""Contract: a workspace sees only its own rows, through every read method."""

from __future__ import annotations

import pytest

from store import NewActionItem, NewExecution, NewInsight, NotFound, PatternMerge, Store

from .helpers import new_error

pytestmark = pytest.mark.anyio


async def test_nothing_from_one_workspace_is_visible_in_another(store: Store) -> None:
    task = await store.create_task(
        "a", "task in a", domain="python", items=[NewActionItem("k", "n", "c", "d")]
    )
    one = await store.add_error("a", new_error("v1:shared", task_id=task.task_id))
    two = await store.add_error("a", new_error("v1:other"))
    await store.merge_patterns("a", [PatternMerge(into=one.pattern_id, absorbed=[two.pattern_id])])
    await store.add_insight("a", NewInsight(one.pattern_id, "rule", "client"))
    await store.add_execution("a", NewExecution(task_id=task.task_id, kind="validate"))
    b_error = await store.add_error("b", new_error("v1:shared"))  # same fingerprint, its own group

    assert b_error.new_fingerprint and b_error.pattern_id != one.pattern_id
    assert await store.count_errors("b") == 1
    assert [e.error_id for e in await store.list_errors("b")] == [b_error.error_id]
    assert [g.count for g in await store.signature_groups("b")] == [1]
    assert await store.pattern_ids("b") == [b_error.pattern_id]
    assert [p.pattern_id for p in (await store.list_patterns("b")).patterns] == [b_error.pattern_id]
    assert (await store.list_patterns("b", status="merged")).patterns == []
    assert await store.library_version("b") == 1
    assert await store.insight_for("b", b_error.pattern_id) is None
    assert await store.count_errors("c") == 0 and await store.library_version("c") == 0

    for call in (
        lambda: store.get_error("b", one.error_id),
        lambda: store.get_pattern("b", one.pattern_id),
        lambda: store.get_pattern("b", two.pattern_id),
        lambda: store.get_task("b", task.task_id),
        lambda: store.insight_for("b", one.pattern_id),
        lambda: store.list_errors("b", pattern_id=one.pattern_id),
        lambda: store.list_errors("b", task_id=task.task_id),
        lambda: store.update_pattern("b", one.pattern_id, title="x"),
        lambda: store.merge_patterns("b", [PatternMerge(into=b_error.pattern_id, absorbed=[one.pattern_id])]),
        lambda: store.complete_task("b", task.task_id, status="succeeded", tokens=0, cost_usd=0),
        lambda: store.add_execution("b", NewExecution(task_id=task.task_id, kind="validate")),
        lambda: store.add_insight("b", NewInsight(one.pattern_id, "rule", "client")),
        lambda: store.add_error("b", new_error(task_id=task.task_id)),
        lambda: store.add_error("b", new_error(action_id=task.items[0].action_id)),
    ):
        with pytest.raises(NotFound):
            await call()

    await store.mark_mined("b", ["v1:shared"])
    assert [g.mined for g in await store.signature_groups("a")] == [False, False]
    assert (await store.get_pattern("a", one.pattern_id)).frequency == 2
    assert (await store.get_task("a", task.task_id)).status == "open"
