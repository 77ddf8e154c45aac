from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from store import NewInsight, Store
from tools.errors import InvalidInput
from tools.find_patterns import PatternList, PatternQuery, find_patterns
from tools.find_patterns.confidence import confidence
from tools.find_patterns.find import code_excerpt
from tools.log_error import ErrorReport, log_error

pytestmark = pytest.mark.anyio

CODE = "def mean(xs):\n    total = sum(xs)\n    return total / len(xs)\n\n\nprint(mean([]))\n"
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/app/stats.py", line 6, in <module>\n    print(mean([]))\n'
    '  File "/app/stats.py", line 3, in mean\n    return total / len(xs)\n'
    "ZeroDivisionError: division by zero\n"
)


async def log(store: Store, workspace: str, message: str, **fields: Any) -> str:
    logged = await log_error(ErrorReport(message=message, **fields), store=store, workspace=workspace)
    return logged.pattern_id


async def test_patterns_carry_every_contract_field(store: Store, workspace: str) -> None:
    tasks = [await store.create_task(workspace, f"task {i}", domain="python") for i in range(2)]
    for task in tasks:
        await log(
            store,
            workspace,
            "ZeroDivisionError: division by zero",
            traceback=TRACEBACK,
            code=CODE,
            task_id=task.task_id,
        )
    listing = await find_patterns(PatternQuery(), store=store, workspace=workspace)
    assert isinstance(listing, PatternList)
    [pattern] = listing.patterns
    dumped = pattern.model_dump()
    for name in (
        "id",
        "title",
        "signature",
        "frequency",
        "distinct_tasks",
        "confidence",
        "first_seen",
        "last_seen",
        "examples",
        "insight",
        "status",
    ):
        assert name in dumped
    assert (pattern.frequency, pattern.distinct_tasks, pattern.fingerprints, pattern.status) == (
        2,
        2,
        1,
        "confirmed",
    )
    assert pattern.category == "runtime.zero-division"
    assert pattern.title == "ZeroDivisionError in mean: total / len(xs)"
    assert pattern.insight is None
    assert 0 < pattern.confidence < 1
    [example] = pattern.examples
    assert (example.error_type, example.task_id, example.message) == (
        "ZeroDivisionError",
        tasks[0].task_id,
        "ZeroDivisionError: division by zero",
    )
    assert (
        example.code_excerpt
        == "  1 | def mean(xs):\n  2 |     total = sum(xs)\n> 3 |     return total / len(xs)\n  4 |"
    )
    assert (listing.total, listing.next_cursor) == (1, None)


async def test_the_insight_rule_is_listed_with_its_pattern(store: Store, workspace: str) -> None:
    pattern_id = await log(store, workspace, "ZeroDivisionError: division by zero")
    await store.add_insight(
        workspace,
        NewInsight(
            pattern_id=pattern_id, rule="Guard divisions by a length against empty input.", source="builtin"
        ),
    )
    [pattern] = (await find_patterns(PatternQuery(), store=store, workspace=workspace)).patterns
    assert pattern.insight == "Guard divisions by a length against empty input."


async def test_filters_narrow_the_listing(store: Store, workspace: str) -> None:
    await log(store, workspace, "KeyError: 'a'")
    await log(store, workspace, "KeyError: 'b'")
    await log(store, workspace, "IndexError: list index out of range")
    await log(store, workspace, "AttributeError: 'NoneType' object has no attribute 'x'")

    async def ids(**query: Any) -> list[str]:
        listing = await find_patterns(PatternQuery(**query), store=store, workspace=workspace)
        return [p.category for p in listing.patterns]

    assert await ids(category="runtime.key") == ["runtime.key"]
    assert sorted(await ids(category="runtime")) == ["runtime.attribute.none", "runtime.index", "runtime.key"]
    assert await ids(category="runtime.attribute") == ["runtime.attribute.none"]
    assert await ids(min_frequency=2) == ["runtime.key"]
    assert await ids(status="confirmed") == []
    assert len(await ids(status="emerging")) == 3
    assert await ids(since=(datetime.now(UTC) + timedelta(days=1)).isoformat()) == []
    assert len(await ids(since="2000-01-01T00:00:00")) == 3


async def test_pages_follow_next_cursor_until_the_end(store: Store, workspace: str) -> None:
    for message in (
        "KeyError: 'a'",
        "IndexError: list index out of range",
        "NameError: name 'x' is not defined",
        "RecursionError: maximum recursion depth exceeded",
        "MemoryError",
    ):
        await log(store, workspace, message)
    seen: list[str] = []
    cursor = None
    while True:
        listing = await find_patterns(PatternQuery(limit=2, cursor=cursor), store=store, workspace=workspace)
        assert listing.total == 5
        seen += [p.id for p in listing.patterns]
        cursor = listing.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5


async def test_a_bad_cursor_is_refused_with_what_to_do(store: Store, workspace: str) -> None:
    with pytest.raises(InvalidInput, match=r"'cursor' must be a next_cursor value .* without a cursor"):
        await find_patterns(PatternQuery(cursor="not-a-cursor"), store=store, workspace=workspace)


def test_query_arguments_are_validated() -> None:
    with pytest.raises(ValidationError):
        PatternQuery(min_frequency=0)
    with pytest.raises(ValidationError):
        PatternQuery(limit=101)
    # Clients send JSON: validate the way the server does.
    with pytest.raises(ValidationError):
        PatternQuery.model_validate({"status": "merged"})
    with pytest.raises(ValidationError):
        PatternQuery.model_validate({"since": "yesterday"})
    query = PatternQuery.model_validate({"since": "2025-03-01T12:00:00", "category": "  "})
    assert query.since == datetime(2025, 3, 1, 12, tzinfo=UTC)
    assert query.category is None


@given(
    frequency=st.integers(0, 10_000),
    tasks=st.integers(0, 1_000),
    cohesion=st.floats(0, 1),
    more=st.integers(1, 100),
    more_cohesion=st.floats(0, 1),
)
def test_confidence_stays_in_range_and_never_drops_as_evidence_grows(
    frequency: int, tasks: int, cohesion: float, more: int, more_cohesion: float
) -> None:
    base = confidence(frequency=frequency, distinct_tasks=tasks, cohesion=cohesion)
    assert 0.0 <= base <= 1.0
    assert confidence(frequency=frequency + more, distinct_tasks=tasks, cohesion=cohesion) >= base
    assert confidence(frequency=frequency, distinct_tasks=tasks + more, cohesion=cohesion) >= base
    assert (
        confidence(frequency=frequency, distinct_tasks=tasks, cohesion=max(cohesion, more_cohesion)) >= base
    )


def test_recurrence_across_tasks_counts_more_than_repeats_in_one_task() -> None:
    one_task = confidence(frequency=6, distinct_tasks=1, cohesion=1.0)
    three_tasks = confidence(frequency=3, distinct_tasks=3, cohesion=1.0)
    assert three_tasks > one_task


@pytest.mark.parametrize(
    ("line", "excerpt"),
    [
        (1, "> 1 | a = 1\n  2 | b = 2"),
        (None, "  1 | a = 1\n  2 | b = 2\n  3 | c = 3\n  4 | d = 4"),
        (99, "  1 | a = 1\n  2 | b = 2\n  3 | c = 3\n  4 | d = 4"),
    ],
)
def test_code_excerpts_show_a_few_numbered_lines_around_the_failure(line: int | None, excerpt: str) -> None:
    assert code_excerpt("a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n", line) == excerpt
