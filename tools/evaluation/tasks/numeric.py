"""Generic family: averages and ratios (empty input, floor division)."""

from __future__ import annotations

import random

from .inputs import WORDS, find
from .spec import Case, Family, Kind, TaskSpec

KINDS = {
    "empty_input": Kind(
        rule="Handle empty input before dividing by a count or a total: return `0.0` for an empty list or a zero "
        "total instead of raising ZeroDivisionError.",
        keywords=("empty input",),
        fix=("0.0",),
    ),
    "floor_division": Kind(
        rule="Use true division `/` for averages, ratios and percentages; floor division silently drops the "
        "fraction.",
        keywords=("true division",),
        fix=("`/`",),
    ),
}

DIV = {None: "/", "floor_division": "//"}


def _uneven(rng: random.Random, n: int) -> list[int]:
    return find(rng, lambda r: [r.randint(1, 40) for _ in range(n)], lambda v: sum(v) % len(v) != 0)


MEAN = TaskSpec(
    name="mean",
    entry_point="mean",
    prompt="Write `mean(values: list[int]) -> float` that returns the arithmetic mean of `values`, or $empty for "
    "an empty list.",
    code="""
        def mean(values):
            <<guard>>
            return sum(values) <<div>> len(values)
    """,
    slots={"guard": {None: "if not values:\n    return 0.0", "empty_input": ""}, "div": DIV},
    params=lambda rng: {"empty": "0.0"},
    cases=lambda rng, p: [Case((_uneven(rng, 3),)), Case(([],)), Case((_uneven(rng, 5),))],
)

WEIGHTED_MEAN = TaskSpec(
    name="weighted_mean",
    entry_point="weighted_mean",
    prompt="Write `weighted_mean(values: list[int], weights: list[int]) -> float` that returns "
    "sum(value * weight) / sum(weights), or 0.0 when the weights sum to zero (including empty lists).",
    code="""
        def weighted_mean(values, weights):
            total = sum(weights)
            <<guard>>
            return sum(v * w for v, w in zip(values, weights, strict=True)) <<div>> total
    """,
    slots={"guard": {None: "if total == 0:\n    return 0.0", "empty_input": ""}, "div": DIV},
    params=lambda rng: {},
    cases=lambda rng, p: [
        Case(
            find(
                rng,
                lambda r: ([r.randint(1, 9) for _ in range(3)], [r.randint(1, 4) for _ in range(3)]),
                lambda c: sum(v * w for v, w in zip(*c, strict=True)) % sum(c[1]) != 0,
            )
        ),
        Case(([], [])),
        Case(([5, 7], [0, 0])),
    ],
)

PERCENT_OF = TaskSpec(
    name="percent_of",
    entry_point="percent_of",
    prompt="Write `percent_of(part: int, whole: int) -> float` that returns what percentage `part` is of "
    "`whole` (100 * part / whole), or 0.0 when `whole` is zero.",
    code="""
        def percent_of(part, whole):
            <<guard>>
            return 100 * part <<div>> whole
    """,
    slots={"guard": {None: "if whole == 0:\n    return 0.0", "empty_input": ""}, "div": DIV},
    params=lambda rng: {},
    cases=lambda rng, p: [
        Case(find(rng, lambda r: (r.randint(1, 50), r.randint(51, 300)), lambda c: 100 * c[0] % c[1] != 0)),
        Case((rng.randint(1, 9), 0)),
        Case(find(rng, lambda r: (r.randint(1, 20), r.randint(3, 30)), lambda c: 100 * c[0] % c[1] != 0)),
    ],
)

AVERAGE_LENGTH = TaskSpec(
    name="average_length",
    entry_point="average_length",
    prompt="Write `average_length(words: list[str]) -> float` that returns the average number of characters of "
    "the words, or 0.0 for an empty list.",
    code="""
        def average_length(words):
            <<guard>>
            return sum(len(word) for word in words) <<div>> len(words)
    """,
    slots={"guard": {None: "if not words:\n    return 0.0", "empty_input": ""}, "div": DIV},
    params=lambda rng: {},
    cases=lambda rng, p: [
        Case((find(rng, lambda r: r.sample(WORDS, 3), lambda w: sum(map(len, w)) % 3 != 0),)),
        Case(([],)),
        Case((find(rng, lambda r: r.sample(WORDS, 4), lambda w: sum(map(len, w)) % 4 != 0),)),
    ],
)

FAMILY = Family(
    name="numeric",
    title="Averages and ratios (empty input, floor division)",
    convention=False,
    kinds=KINDS,
    tasks=(MEAN, WEIGHTED_MEAN, PERCENT_OF, AVERAGE_LENGTH),
)
