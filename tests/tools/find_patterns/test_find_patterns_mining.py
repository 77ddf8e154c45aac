from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from store import Store
from store.base import SignatureGroup
from tools.find_patterns import PatternQuery, find_patterns, mine_patterns, plan_mining
from tools.find_patterns.cluster import ClusterParams
from tools.log_error import ErrorReport, Evidence, LoggedError, log_error
from tools.log_error.analyze import analyze

pytestmark = pytest.mark.anyio


def tb(path: str, line: int, function: str, source: str, error: str) -> str:
    return f'Traceback (most recent call last):\n  File "{path}", line {line}, in {function}\n    {source}\n{error}\n'


async def log(
    store: Store, workspace: str, message: str, *, evidence: Evidence | None = None, **fields: Any
) -> LoggedError:
    report = ErrorReport(message=message, **fields)
    return await log_error(report, store=store, workspace=workspace, evidence=evidence)


async def live_pattern(store: Store, workspace: str, logged: LoggedError) -> str:
    return (await store.get_pattern(workspace, logged.pattern_id)).pattern_id


async def test_paraphrased_messages_of_one_mistake_merge_into_one_pattern(
    store: Store, workspace: str
) -> None:
    parse_int = await log(
        store,
        workspace,
        "ValueError: invalid literal for int() with base 10: 'n/a'",
        traceback=tb(
            "/app/people.py",
            23,
            "parse_row",
            "age = int(fields[2])",
            "ValueError: invalid literal for int() with base 10: 'n/a'",
        ),
    )
    parse_float = await log(
        store,
        workspace,
        "ValueError: could not convert string to float: ''",
        traceback=tb(
            "/app/expenses.py",
            40,
            "total",
            "total += float(row['amount'])",
            "ValueError: could not convert string to float: ''",
        ),
    )
    division = await log(store, workspace, "ZeroDivisionError: division by zero")
    modulo = await log(store, workspace, "ZeroDivisionError: integer division or modulo by zero")
    assert parse_int.pattern_id != parse_float.pattern_id and division.pattern_id != modulo.pattern_id

    listing = await find_patterns(PatternQuery(), store=store, workspace=workspace)

    assert listing.merged_patterns == 2
    assert await live_pattern(store, workspace, parse_int) == await live_pattern(
        store, workspace, parse_float
    )
    assert await live_pattern(store, workspace, division) == await live_pattern(store, workspace, modulo)
    assert await live_pattern(store, workspace, parse_int) != await live_pattern(store, workspace, division)
    assert listing.total == 2


async def test_different_wrong_answers_to_one_test_stay_apart(store: Store, workspace: str) -> None:
    source = "assert sort_scores([3, 1, 2]) == [1, 2, 3]"
    wrong = {
        "order": "[3, 2, 1]",
        "none": "None",
        "empty": "[]",
        "off_by_one": "[0, 1, 2]",
        "type": "(1, 2, 3)",
    }
    patterns = set()
    for actual in wrong.values():
        logged = await log(
            store,
            workspace,
            "AssertionError",
            error_type="AssertionError",
            source="test",
            evidence=Evidence(assert_source=source, expected="[1, 2, 3]", actual=actual),
        )
        patterns.add(logged.pattern_id)
    await find_patterns(PatternQuery(), store=store, workspace=workspace)
    listing = await find_patterns(PatternQuery(category="logic.assertion"), store=store, workspace=workspace)
    assert len(patterns) == listing.total == len(wrong)
    assert {p.signature.rsplit("[", 1)[-1].rstrip("]") for p in listing.patterns} == set(wrong)


async def test_the_same_wrong_answer_in_different_tasks_merges_and_is_confirmed(
    store: Store, workspace: str
) -> None:
    for name, (source, expected, actual) in {
        "count vowels": ("assert count_vowels('programming') == 3", "3", "4"),
        "count primes": ("assert count_primes(10) == 4", "4", "5"),
        "range list": ("assert range_list(3) == [1, 2, 3]", "[1, 2, 3]", "[0, 1, 2]"),
    }.items():
        task = await store.create_task(workspace, name, domain="python")
        await log(
            store,
            workspace,
            "AssertionError",
            error_type="AssertionError",
            source="test",
            task_id=task.task_id,
            evidence=Evidence(assert_source=source, expected=expected, actual=actual),
        )
    listing = await find_patterns(PatternQuery(), store=store, workspace=workspace)
    [pattern] = listing.patterns
    assert (pattern.frequency, pattern.distinct_tasks, pattern.fingerprints, pattern.status) == (
        3,
        3,
        3,
        "confirmed",
    )
    assert pattern.title == "Wrong answer: off by one"
    assert pattern.signature.endswith("[off_by_one]")


async def test_bare_asserts_of_different_tasks_do_not_merge_when_nothing_says_how_they_failed(
    store: Store, workspace: str
) -> None:
    for path, source in [
        ("/a/tests.py", "assert candidate([1, 2]) == 3"),
        ("/b/tests.py", "assert candidate('abc', 2) == 'cab'"),
    ]:
        await log(
            store,
            workspace,
            "AssertionError",
            source="test",
            traceback=tb(path, 8, "check", source, "AssertionError"),
        )
    listing = await find_patterns(PatternQuery(), store=store, workspace=workspace)
    assert listing.total == 2


async def test_a_new_group_joins_the_existing_pattern_it_resembles(store: Store, workspace: str) -> None:
    first = await log(
        store,
        workspace,
        "IndexError: list index out of range",
        traceback=tb(
            "/t/solution.py",
            4,
            "differences",
            "out.append(nums[i + 1] - nums[i])",
            "IndexError: list index out of range",
        ),
    )
    second = await log(
        store,
        workspace,
        "IndexError: list index out of range",
        traceback=tb(
            "/t/solution.py", 3, "is_sorted", "if xs[i] > xs[i + 1]:", "IndexError: list index out of range"
        ),
    )
    await find_patterns(PatternQuery(), store=store, workspace=workspace)
    survivor = await live_pattern(store, workspace, first)
    assert await live_pattern(store, workspace, second) == survivor == first.pattern_id

    third = await log(
        store,
        workspace,
        "IndexError: list index out of range",
        traceback=tb(
            "/u/cart.py", 48, "last", "return items[len(items)]", "IndexError: list index out of range"
        ),
    )
    pop = await log(
        store,
        workspace,
        "IndexError: pop from empty list",
        traceback=tb("/u/stack.py", 7, "is_balanced", "top = stack.pop()", "IndexError: pop from empty list"),
    )
    listing = await find_patterns(PatternQuery(), store=store, workspace=workspace)
    assert listing.mined_groups == 2
    assert await live_pattern(store, workspace, third) == survivor
    assert await live_pattern(store, workspace, pop) != survivor
    assert (await store.get_pattern(workspace, survivor)).frequency == 3


async def test_mining_runs_only_when_there_is_something_new(store: Store, workspace: str) -> None:
    await log(store, workspace, "KeyError: 'a'")
    assert (await find_patterns(PatternQuery(), store=store, workspace=workspace)).mined_groups == 1
    again = await find_patterns(PatternQuery(), store=store, workspace=workspace)
    assert (again.mined_groups, again.merged_patterns) == (0, 0)
    assert (await store.signature_groups(workspace, only_unmined=True)) == []


async def test_a_pattern_that_stays_alone_gets_a_signature_of_what_it_is(
    store: Store, workspace: str
) -> None:
    await log(
        store,
        workspace,
        "IndexError: list index out of range",
        traceback=tb(
            "/t/solution.py", 3, "median", "return s[len(s) // 2]", "IndexError: list index out of range"
        ),
    )
    [pattern] = (await find_patterns(PatternQuery(), store=store, workspace=workspace)).patterns
    assert pattern.title == "IndexError in median: s[len(s) // <num>]"
    assert pattern.signature == "IndexError: list index out of range"


async def test_a_full_pass_merges_patterns_that_an_incremental_pass_kept_apart(
    store: Store, workspace: str
) -> None:
    strict = ClusterParams(distance_threshold=0.01)
    await log(store, workspace, "ZeroDivisionError: division by zero")
    await log(store, workspace, "ZeroDivisionError: float division by zero")
    report = await mine_patterns(store, workspace, params=strict)
    assert (report.groups_mined, report.patterns_merged) == (2, 0)
    full = await mine_patterns(store, workspace, full=True)
    assert full.patterns_merged == 1
    assert (await store.list_patterns(workspace)).total == 1


# Pure planning ------------------------------------------------------------------------------------


def group(message: str, index: int, count: int = 1) -> SignatureGroup:
    analysis = analyze(message=message, source="runtime")
    seen = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=index)
    return SignatureGroup(
        fingerprint=analysis.fingerprint,
        pattern_id=f"p-{index}",
        category=analysis.category,
        title=analysis.title,
        features=dict(analysis.features),
        count=count,
        distinct_tasks=1,
        first_seen=seen,
        last_seen=seen,
        mined=False,
    )


def test_errors_of_different_categories_never_merge_however_loose_the_threshold() -> None:
    groups = [
        group("KeyError: 'x'", 1),
        group("IndexError: list index out of range", 2),
        group("ZeroDivisionError: division by zero", 3),
    ]
    plan = plan_mining(groups, params=ClusterParams(distance_threshold=2.0, named_distance_threshold=2.0))
    assert [m.absorbed for m in plan.merges] == [[], [], []]


def test_the_largest_pattern_survives_a_merge_and_ties_go_to_the_oldest() -> None:
    groups = [
        group("ZeroDivisionError: division by zero", 1, count=1),
        group("ZeroDivisionError: float division by zero", 2, count=5),
        group("ZeroDivisionError: integer division or modulo by zero", 3, count=5),
    ]
    [merge] = plan_mining(groups).merges
    assert merge.into == "p-2"
    assert sorted(merge.absorbed) == ["p-1", "p-3"]
    assert merge.signature == "ZeroDivisionError: float division by zero"
    assert merge.cohesion is not None and 0.0 < merge.cohesion <= 1.0


def test_large_blocks_use_leader_assignment_with_the_same_outcome_on_clear_cases() -> None:
    messages = [
        "ZeroDivisionError: division by zero",
        "ZeroDivisionError: float division by zero",
        "ZeroDivisionError: integer division or modulo by zero",
    ]
    groups = [group(m, i + 1) for i, m in enumerate(messages)]
    agglomerative = plan_mining(groups)
    leader = plan_mining(groups, params=ClusterParams(max_agglomerative=1))
    assert [sorted([m.into, *m.absorbed]) for m in leader.merges] == [
        sorted([m.into, *m.absorbed]) for m in agglomerative.merges
    ]
