"""Generic family: rankings (missing tie-break, wrong sort direction)."""

from __future__ import annotations

import random

from .inputs import NAMES, WORDS
from .spec import Case, Family, Kind, TaskSpec

KINDS = {
    "no_tiebreak": Kind(
        rule="When ranking by a score, break ties by name in ascending order with a key tuple such as "
        "`(-score, name)`; never rely on the input order for ties.",
        keywords=("break ties",),
        fix=("(-score, name)",),
    ),
    "ascending_scores": Kind(
        rule="Rankings list the highest score first: sort scores in descending order (negate the score in the key "
        "or pass `reverse=True`).",
        keywords=("highest score first",),
        fix=("reverse=True",),
    ),
}


def _key(score: str, name: str) -> dict[str | None, str]:
    return {
        None: f"lambda item: (-{score}, {name})",
        "no_tiebreak": f"lambda item: -{score}",
        "ascending_scores": f"lambda item: ({score}, {name})",
    }


def _tied_scores(rng: random.Random, pool: tuple[str, ...]) -> list[tuple[str, int]]:
    """Entries whose tied names come in reverse alphabetical order, so input order is not the answer."""
    names = rng.sample(pool, 5)
    tied = sorted(names[:3], reverse=True)
    score = rng.randint(20, 40)
    entries = [(n, score) for n in tied] + [
        (names[3], score + rng.randint(1, 9)),
        (names[4], rng.randint(1, 19)),
    ]
    return entries


RANK_PLAYERS = TaskSpec(
    name="rank_players",
    entry_point="rank_players",
    prompt="Write `rank_players(scores: dict[str, int]) -> list[str]` that returns the player names ranked by "
    "score, highest first; players with equal scores are ordered by name alphabetically.",
    code="""
        def rank_players(scores):
            ranked = sorted(scores.items(), key=<<key>>)
            return [name for name, _ in ranked]
    """,
    slots={"key": _key("item[1]", "item[0]")},
    params=lambda rng: {},
    cases=lambda rng, p: [Case((dict(_tied_scores(rng, NAMES)),)) for _ in range(2)],
)


def _text_with_ties(rng: random.Random) -> str:
    a, b, c, d = sorted(rng.sample(WORDS, 4), reverse=True)
    words = [a] * 3 + [b] * 2 + [c] * 2 + [d]
    rng.shuffle(words)
    words.sort(key=lambda w: w != b)  # the tied word that sorts last alphabetically comes first in the text
    return " ".join(words)


TOP_WORDS = TaskSpec(
    name="top_words",
    entry_point="top_words",
    prompt="Write `top_words(text: str, k: int) -> list[str]` that returns the `k` most frequent words of `text` "
    "(split on whitespace), most frequent first; words with equal counts are ordered alphabetically.",
    code="""
        def top_words(text, k):
            counts = {}
            for word in text.split():
                counts[word] = counts.get(word, 0) + 1
            ranked = sorted(counts.items(), key=<<key>>)
            return [word for word, _ in ranked[:k]]
    """,
    slots={"key": _key("item[1]", "item[0]")},
    params=lambda rng: {},
    cases=lambda rng, p: [Case((_text_with_ties(rng), 3)) for _ in range(2)],
)


def _files(rng: random.Random) -> list[list]:
    entries = _tied_scores(rng, tuple(f"{w}.txt" for w in WORDS))
    return [[name, size * 100] for name, size in entries]


LARGEST_FILES = TaskSpec(
    name="largest_files",
    entry_point="largest_files",
    prompt="Write `largest_files(files: list[list], k: int) -> list[str]` where each entry of `files` is [name, "
    "size]: return the names of the `k` largest files, largest first; files of equal size are ordered by name "
    "alphabetically.",
    code="""
        def largest_files(files, k):
            ranked = sorted(files, key=<<key>>)
            return [name for name, _ in ranked[:k]]
    """,
    slots={"key": _key("item[1]", "item[0]")},
    params=lambda rng: {},
    cases=lambda rng, p: [Case((_files(rng), 4)) for _ in range(2)],
)

LEADERBOARD = TaskSpec(
    name="leaderboard",
    entry_point="leaderboard",
    prompt="Write `leaderboard(results: list[list]) -> list[str]` where each entry of `results` is [team, "
    "points]: return lines 'team: points' ranked by points, highest first; teams with equal points are ordered "
    "by name alphabetically.",
    code="""
        def leaderboard(results):
            ranked = sorted(results, key=<<key>>)
            return [f"{team}: {points}" for team, points in ranked]
    """,
    slots={"key": _key("item[1]", "item[0]")},
    params=lambda rng: {},
    cases=lambda rng, p: [Case(([list(e) for e in _tied_scores(rng, NAMES)],)) for _ in range(2)],
)

FAMILY = Family(
    name="ordering",
    title="Rankings (tie-breaks, sort direction)",
    convention=False,
    kinds=KINDS,
    tasks=(RANK_PLAYERS, TOP_WORDS, LARGEST_FILES, LEADERBOARD),
)
