"""Generic family: inclusive ranges and unsorted input (off-by-one and ordering slips)."""

from __future__ import annotations

import random

from .spec import Case, Family, Kind, TaskSpec

KINDS = {
    "exclusive_end": Kind(
        rule="Integer ranges given as start and end include both ends: iterate with `range(start, end + 1)`, "
        "compare the upper bound with `<=`, and count `end - start + 1` values.",
        keywords=("include both ends",),
        fix=("end + 1",),
    ),
    "assumes_sorted": Kind(
        rule="Never assume that input values or intervals arrive sorted or in order: sort them first with "
        "`sorted(...)` (and order each pair's bounds) before merging, scanning or bisecting.",
        keywords=("arrive sorted",),
        fix=("sorted(",),
    ),
}


def _spec_text(rng: random.Random) -> str:
    parts = []
    for _ in range(3):
        start = rng.randint(1, 40)
        parts.append(f"{start}-{start + rng.randint(1, 4)}")
    parts.insert(0, str(rng.randint(50, 60)))
    rng.shuffle(parts)
    if parts[0][0] != "5":
        parts.insert(0, str(rng.randint(50, 60)))
    return ", ".join(parts)


EXPAND_RANGES = TaskSpec(
    name="expand_ranges",
    entry_point="expand_ranges",
    prompt="Write `expand_ranges(spec: str) -> list[int]` that expands a comma-separated list of single numbers and "
    "ranges 'a-b' (both ends included, e.g. '3-5' means 3, 4, 5) into the ascending list of distinct numbers "
    "they cover. Items may appear in any order.",
    code="""
        def expand_ranges(spec):
            numbers = []
            for raw in spec.split(","):
                part = raw.strip()
                if not part:
                    continue
                if "-" in part:
                    start, end = (int(x) for x in part.split("-", 1))
                    for number in range(start, <<upper>>):
                        if number not in numbers:
                            numbers.append(number)
                elif int(part) not in numbers:
                    numbers.append(int(part))
            return <<ordered>>
    """,
    slots={
        "upper": {None: "end + 1", "exclusive_end": "end"},
        "ordered": {None: "sorted(numbers)", "assumes_sorted": "numbers"},
    },
    params=lambda rng: {},
    cases=lambda rng, p: [Case((_spec_text(rng),)) for _ in range(3)],
)


def _intervals(rng: random.Random) -> list[list[int]]:
    start = rng.randint(0, 10)
    first = [start, start + rng.randint(1, 5)]
    touching = [first[1] + 1, first[1] + rng.randint(2, 6)]
    apart = [touching[1] + rng.randint(3, 8), touching[1] + rng.randint(9, 14)]
    inside = [apart[0] + 1, apart[0] + 2]
    items = [first, touching, apart, inside]
    rng.shuffle(items)
    if items == sorted(items):
        items.reverse()
    return items


MERGE_INTERVALS = TaskSpec(
    name="merge_intervals",
    entry_point="merge_intervals",
    prompt="Write `merge_intervals(intervals: list[list[int]]) -> list[list[int]]` for integer intervals [start, "
    "end] that include both ends. Merge intervals that overlap or touch (cover consecutive integers, like [1, 3] "
    "and [4, 6]) and return the merged intervals in ascending order. The input may be in any order.",
    code="""
        def merge_intervals(intervals):
            merged = []
            for start, end in <<ordered>>:
                if merged and start <= merged[-1][1]<<touching>>:
                    merged[-1][1] = max(merged[-1][1], end)
                else:
                    merged.append([start, end])
            return merged
    """,
    slots={
        "ordered": {None: "sorted(intervals)", "assumes_sorted": "intervals"},
        "touching": {None: " + 1", "exclusive_end": ""},
    },
    params=lambda rng: {},
    cases=lambda rng, p: [Case((_intervals(rng),)) for _ in range(3)],
)


def _count_cases(rng: random.Random, p: dict) -> list[Case]:
    cases = []
    for _ in range(3):
        values = [rng.randint(0, 30) for _ in range(9)]
        low, high = sorted(rng.sample(values, 2))
        while values == sorted(values):
            rng.shuffle(values)
        cases.append(Case((values, low, high)))
    return cases


COUNT_IN_RANGE = TaskSpec(
    name="count_in_range",
    entry_point="count_in_range",
    prompt="Write `count_in_range(values: list[int], low: int, high: int) -> int` that counts the values v with "
    "low <= v <= high (both ends included). `values` is in no particular order.",
    code="""
        def count_in_range(values, low, high):
            <<count>>
    """,
    slots={
        "count": {
            None: "return sum(1 for v in values if low <= v <= high)",
            "exclusive_end": "return sum(1 for v in values if low <= v < high)",
            "assumes_sorted": "import bisect\n\nreturn bisect.bisect_right(values, high) - bisect.bisect_left(values, low)",
        }
    },
    params=lambda rng: {},
    cases=_count_cases,
)


def _overlap_cases(rng: random.Random, p: dict) -> list[Case]:
    a = rng.randint(0, 20)
    b = a + rng.randint(3, 9)
    c = rng.randint(a + 1, b)
    d = c + rng.randint(2, 8)
    return [Case((b, a, c, d)), Case((a, b, d, c)), Case((a, b, b, b + 5)), Case((a, a + 2, b + 1, b + 3))]


OVERLAP_LENGTH = TaskSpec(
    name="overlap_length",
    entry_point="overlap_length",
    prompt="Write `overlap_length(a_start, a_end, b_start, b_end) -> int` that returns how many integers belong to "
    "both integer ranges, each including both of its ends. A range's two bounds may be given in either order "
    "(a_start may be larger than a_end).",
    code="""
        def overlap_length(a_start, a_end, b_start, b_end):
            <<bounds>>
            return max(0, min(a_end, b_end) - max(a_start, b_start)<<plus_one>>)
    """,
    slots={
        "bounds": {
            None: "a_start, a_end = sorted((a_start, a_end))\nb_start, b_end = sorted((b_start, b_end))",
            "assumes_sorted": "",
        },
        "plus_one": {None: " + 1", "exclusive_end": ""},
    },
    params=lambda rng: {},
    cases=_overlap_cases,
)

FAMILY = Family(
    name="ranges",
    title="Inclusive ranges and unsorted input",
    convention=False,
    kinds=KINDS,
    tasks=(EXPAND_RANGES, MERGE_INTERVALS, COUNT_IN_RANGE, OVERLAP_LENGTH),
)
