"""The text of the solve_task and reflect_on_pattern prompts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from prompts.reflect_on_pattern import reflect_on_pattern, reflect_on_pattern_messages
from prompts.solve_task import solve_task_messages
from store import open_store
from store.base import Store
from tests.tools.learning.helpers import INDEX_CODE, confirmed_pattern
from tools.errors import InvalidInput
from tools.insights import ProposeInsightRequest, propose_insight


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    opened = await open_store("sqlite:///:memory:")
    try:
        yield opened
    finally:
        await opened.close()


def test_solve_task_walks_the_whole_loop_in_order():
    [(role, text)] = solve_task_messages("Sum the even numbers of a list.")
    assert role == "user" and "Sum the even numbers of a list." in text
    order = [
        text.index(tool)
        for tool in ("`decompose`", "`get_protocol`", "`validate_code`", "`log_error`", "`complete_task`")
    ]
    assert order == sorted(order)
    assert "task_id" in text and "action_id" in text


@pytest.mark.anyio
async def test_reflect_on_pattern_shows_the_real_errors_and_asks_for_propose_insight(store: Store) -> None:
    pattern = await confirmed_pattern(store, "ws")
    await propose_insight(
        ProposeInsightRequest(
            pattern_id=pattern.pattern_id, rule="Loop to len(xs) - 1 when reading xs[i + 1]."
        ),
        store=store,
        workspace="ws",
    )
    [(role, text)] = await reflect_on_pattern(pattern.pattern_id, store=store, workspace="ws")
    assert role == "user"
    assert pattern.title in text and INDEX_CODE.splitlines()[3].strip() in text
    assert f'pattern_id "{pattern.pattern_id}"' in text and "`propose_insight`" in text
    assert "Loop to len(xs) - 1 when reading xs[i + 1]." in text  # existing rules, to write a different one
    assert "`python.edge_cases.boundaries`" in text and "- python.io.parse" in text


@pytest.mark.anyio
async def test_reflect_on_an_unknown_pattern_is_a_clear_error(store: Store) -> None:
    with pytest.raises(InvalidInput, match="Unknown pattern 'p-5'"):
        await reflect_on_pattern("p-5", store=store, workspace="ws")


def test_the_message_builder_needs_no_store():
    from tests.tools.learning.helpers import pattern_record, stored_example

    pattern = pattern_record(
        title="KeyError", signature="KeyError: <str>", category="runtime.key", examples=(stored_example(),)
    )
    [(_, text)] = reflect_on_pattern_messages(
        pattern, categories=["python.core.collections"], default_scope="python.core.collections"
    )
    assert "KeyError: <str>" in text and "- python.core.collections" in text
