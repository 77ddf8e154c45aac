"""Generic family: aliasing slips (modifying the caller's list or dict, mutable default arguments)."""

from __future__ import annotations

import random

from .inputs import WORDS
from .spec import Case, Family, Kind, TaskSpec

KINDS = {
    "mutates_input": Kind(
        rule="Never modify a list or dict passed in by the caller: build the result in a copy (`list(items)`, "
        "`dict(counts)`) or a new object, and return it.",
        keywords=("passed in by the caller",),
        fix=("list(items)",),
    ),
    "shared_default": Kind(
        rule="Never use a mutable default argument such as `into=[]` or `counts={}`: default to `None` and create "
        "the fresh list or dict inside the function.",
        keywords=("mutable default argument",),
        fix=("default to `None`",),
    ),
}

WITH_ITEM = TaskSpec(
    name="with_item",
    entry_point="with_item",
    prompt="Write `with_item(items: list[int], item: int) -> list[int]` that returns a new sorted list holding the "
    "values of `items` and `item`. The caller's list must stay as it was.",
    code="""
        def with_item(items, item):
            <<copy>>
            result.append(item)
            result.sort()
            return result
    """,
    slots={"copy": {None: "result = list(items)", "mutates_input": "result = items"}},
    params=lambda rng: {},
    cases=lambda rng, p: [
        Case(([rng.randint(0, 50) for _ in range(5)], rng.randint(0, 50)), style="unchanged")
        for _ in range(3)
    ],
)

COLLECT_EVENS = TaskSpec(
    name="collect_evens",
    entry_point="collect_evens",
    prompt="Write `collect_evens(numbers: list[int], into: list[int] | None = None) -> list[int]` that appends "
    "the even numbers of `numbers` to `into` and returns it; without `into` it returns a new list of the even "
    "numbers. Calls without `into` must not affect each other.",
    code="""
        def collect_evens(numbers, <<default>>):
            <<fresh>>
            for number in numbers:
                if number % 2 == 0:
                    into.append(number)
            return into
    """,
    slots={
        "default": {None: "into=None", "shared_default": "into=[]"},
        "fresh": {None: "if into is None:\n    into = []", "shared_default": ""},
    },
    params=lambda rng: {},
    cases=lambda rng, p: [
        Case(([rng.randint(0, 60) * 2, rng.randint(0, 60) * 2 + 1, rng.randint(0, 60) * 2],), style="twice")
        for _ in range(3)
    ],
)

REMOVE_ALL = TaskSpec(
    name="remove_all",
    entry_point="remove_all",
    prompt="Write `remove_all(values: list[int], target: int) -> list[int]` that returns the values other than "
    "`target`, in their original order. The caller's list must stay as it was.",
    code="""
        def remove_all(values, target):
            <<body>>
    """,
    slots={
        "body": {
            None: "return [value for value in values if value != target]",
            "mutates_input": "while target in values:\n    values.remove(target)\nreturn values",
        }
    },
    params=lambda rng: {},
    cases=lambda rng, p: [
        Case(
            (lambda t: ([rng.randint(0, 9), t, rng.randint(0, 9), t], t))(rng.randint(10, 20)),
            style="unchanged",
        )
        for _ in range(3)
    ],
)


def _tally_cases(rng: random.Random, p: dict) -> list[Case]:
    words = [rng.choice(WORDS[:5]) for _ in range(6)]
    start = {rng.choice(WORDS[:5]): rng.randint(1, 5)}
    return [
        Case((words,), style="twice"),
        Case((words, start), style="unchanged"),
        Case((words[:3],), style="twice"),
    ]


TALLY = TaskSpec(
    name="tally",
    entry_point="tally",
    prompt="Write `tally(words: list[str], counts: dict[str, int] | None = None) -> dict[str, int]` that returns "
    "a new dict of word counts: the optional starting `counts` plus one for every word in `words`. The caller's "
    "`counts` must stay as it was, and calls without `counts` must not affect each other.",
    code="""
        def tally(words, <<default>>):
            <<start>>
            for word in words:
                result[word] = result.get(word, 0) + 1
            return result
    """,
    slots={
        "default": {None: "counts=None", "shared_default": "counts={}"},
        "start": {
            None: "result = dict(counts or {})",
            "mutates_input": "result = counts if counts is not None else {}",
            "shared_default": "result = counts",
        },
    },
    params=lambda rng: {},
    cases=_tally_cases,
)

FAMILY = Family(
    name="mutation",
    title="Aliasing (modified arguments, mutable defaults)",
    convention=False,
    kinds=KINDS,
    tasks=(WITH_ITEM, COLLECT_EVENS, REMOVE_ALL, TALLY),
)
