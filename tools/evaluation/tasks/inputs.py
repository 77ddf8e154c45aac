"""Small seeded generators of plausible inputs shared by the task families."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

WORDS = (
    "alpha", "bravo", "cargo", "delta", "ember", "fable", "grain", "harbor", "ivory", "jolly", "kettle",
    "lemon", "maple", "noble", "orbit", "pepper", "quartz", "raven", "salt", "tiger", "umber", "velvet",
    "willow", "xenon", "yonder", "zephyr",
)  # fmt: skip
NAMES = (
    "ada", "bob", "cleo", "dana", "eli", "fay", "gus", "hana", "ivan", "jo", "kai", "lea", "max", "nia",
    "otto", "pia", "quin", "rex", "sam", "tess",
)  # fmt: skip


def words(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(WORDS) for _ in range(n)]


def distinct(rng: random.Random, pool: tuple[str, ...], n: int) -> list[str]:
    return rng.sample(pool, n)


def find(
    rng: random.Random, make: Callable[[random.Random], T], accept: Callable[[T], bool], tries: int = 10_000
) -> T:
    """A generated value that satisfies `accept` (tie cases, reversed ranges, ...)."""
    for _ in range(tries):
        value = make(rng)
        if accept(value):
            return value
    raise RuntimeError("no input satisfying the condition was found; widen the generator")


def title_case(rng: random.Random, word: str) -> str:
    """The word with a random mix of upper and lower case letters (at least one upper)."""
    letters = [ch.upper() if rng.random() < 0.5 else ch for ch in word]
    if letters == list(word):
        letters[0] = letters[0].upper()
    return "".join(letters)
