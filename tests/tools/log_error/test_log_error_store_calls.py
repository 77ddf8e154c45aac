"""log_error's cost is its store calls: one write for a plain report, with the pattern in its answer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

import pytest

from store import AddedError, NewError, NewInsight, Store
from tools.log_error import ErrorReport, log_error

pytestmark = pytest.mark.anyio


class Recording:
    """The real store, with a record of which of its methods were called."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        self.calls.append(name)
        return getattr(self.store, name)


class WithoutSummary(Recording):
    """A store whose `add_error` answers only with ids, as a store without the pattern summary does."""

    async def add_error(self, workspace: str, error: NewError) -> AddedError:
        self.calls.append("add_error")
        added = await self.store.add_error(workspace, error)
        return replace(added, pattern_title=None, pattern_frequency=None, pattern_status=None, insight=None)


async def test_a_report_with_a_task_costs_one_store_call_and_still_names_pattern_and_insight(
    store: Store, workspace: str
) -> None:
    task = await store.create_task(workspace, "sum a list", domain="python")
    first = await log_error(
        ErrorReport(message="ZeroDivisionError: division by zero"), store=store, workspace=workspace
    )
    await store.add_insight(
        workspace, NewInsight(pattern_id=first.pattern_id, rule="Guard the empty list.", source="client")
    )
    recording = Recording(store)

    logged = await log_error(
        ErrorReport(message="ZeroDivisionError: division by zero", task_id=task.task_id),
        store=cast(Store, recording),
        workspace=workspace,
    )

    assert recording.calls == ["add_error"]
    assert (logged.pattern_id, logged.pattern_frequency, logged.pattern_status) == (
        first.pattern_id,
        2,
        "emerging",
    )
    assert logged.insight is not None and logged.insight.rule == "Guard the empty list."
    assert (await store.get_error(workspace, logged.error_id)).task_id == task.task_id


async def test_a_store_that_does_not_answer_with_the_pattern_is_read_back_for_the_same_answer(
    store: Store, workspace: str
) -> None:
    report = ErrorReport(message="KeyError: 'alice'")
    direct = await log_error(report, store=store, workspace=workspace)
    await store.add_insight(
        workspace, NewInsight(pattern_id=direct.pattern_id, rule="Use .get().", source="client")
    )
    again = await log_error(report, store=store, workspace=workspace)
    without = WithoutSummary(store)

    read_back = await log_error(report, store=cast(Store, without), workspace=workspace)

    assert without.calls == ["add_error", "get_pattern", "insight_for"]
    assert read_back.model_dump(exclude={"error_id"}) == {
        **again.model_dump(exclude={"error_id"}),
        "pattern_frequency": 3,
    }
