"""Generic family: text handling slips (case-sensitive comparison, whitespace left after splitting)."""

from __future__ import annotations

import random

from .inputs import WORDS, title_case
from .spec import Case, Family, Kind, TaskSpec

KINDS = {
    "case_sensitive": Kind(
        rule="Compare words, tags and names case-insensitively: normalise both sides with `.casefold()` before "
        "comparing, counting or deduplicating.",
        keywords=("case-insensitively",),
        fix=(".casefold()",),
    ),
    "unstripped": Kind(
        rule="After splitting user text on a separator, strip the surrounding whitespace of every piece with "
        "`.strip()` before using it.",
        keywords=("surrounding whitespace of every piece",),
        fix=(".strip()",),
    ),
}

NORM = {None: ".casefold()", "case_sensitive": ""}
STRIP = {None: ".strip()", "unstripped": ""}


def _sentence(rng: random.Random, word: str) -> str:
    tokens = []
    for _ in range(8):
        pick = rng.random()
        tokens.append(title_case(rng, word) if pick < 0.3 else word if pick < 0.45 else rng.choice(WORDS))
    tokens[rng.randrange(8)] = title_case(rng, word) + rng.choice([",", "!", "."])
    return " ".join(tokens)


COUNT_WORD = TaskSpec(
    name="count_word",
    entry_point="count_word",
    prompt="Write `count_word(text: str, word: str) -> int` that counts how often `word` occurs in `text` as a "
    "whole word, ignoring case. Words are separated by whitespace; the punctuation characters .,!?;: at the "
    "ends of a word are not part of it.",
    code="""
        def count_word(text, word):
            target = word<<norm>>
            count = 0
            for token in text.split():
                if token.strip(".,!?;:")<<norm>> == target:
                    count += 1
            return count
    """,
    slots={"norm": NORM},
    params=lambda rng: {},
    cases=lambda rng, p: [Case((_sentence(rng, w), w)) for w in rng.sample(WORDS, 3)],
)


def _tags(rng: random.Random) -> str:
    picked = rng.sample(WORDS, 4)
    pieces = [
        picked[0],
        f" {title_case(rng, picked[1])}",
        f"{picked[2]} ",
        f" {picked[0].upper()} ",
        picked[3],
        "",
    ]
    rng.shuffle(pieces)
    return ",".join(pieces)


UNIQUE_TAGS = TaskSpec(
    name="unique_tags",
    entry_point="unique_tags",
    prompt="Write `unique_tags(text: str) -> list[str]` that splits `text` on commas into tags and returns the "
    "distinct non-empty tags in lower case, sorted. Tags may be surrounded by spaces and differ only in case.",
    code="""
        def unique_tags(text):
            tags = set()
            for raw in text.split(","):
                tag = raw<<strip>><<norm>>
                if tag:
                    tags.add(tag)
            return sorted(tags)
    """,
    slots={"strip": STRIP, "norm": NORM},
    params=lambda rng: {},
    cases=lambda rng, p: [Case((_tags(rng),)) for _ in range(3)],
)


def _header(rng: random.Random) -> str:
    name = "-".join(title_case(rng, w) for w in rng.sample(WORDS, 2))
    return f"{name} :  {rng.choice(WORDS)}/{rng.choice(WORDS)}  "


PARSE_HEADER = TaskSpec(
    name="parse_header",
    entry_point="parse_header",
    prompt="Write `parse_header(line: str) -> tuple[str, str]` that splits a header line 'Name: value' at the "
    "first colon and returns (name in lower case, value), both without surrounding whitespace.",
    code="""
        def parse_header(line):
            name, _, value = line.partition(":")
            return (name<<strip>><<norm>>, value<<strip>>)
    """,
    slots={"strip": STRIP, "norm": NORM},
    params=lambda rng: {},
    cases=lambda rng, p: [Case((_header(rng),)) for _ in range(3)],
)


def _mention_cases(rng: random.Random, p: dict) -> list[Case]:
    cases = []
    for hit in (True, False, True):
        keywords = rng.sample(WORDS, 3)
        others = [w for w in WORDS if w not in keywords]
        words = rng.sample(others, 6)
        if hit:
            words[rng.randrange(6)] = title_case(rng, keywords[1]) + "!"
        csv = f"{keywords[0]}, {title_case(rng, keywords[1])} ,{keywords[2]}"
        cases.append(Case((" ".join(words), csv)))
    return cases


MENTIONS_ANY = TaskSpec(
    name="mentions_any",
    entry_point="mentions_any",
    prompt="Write `mentions_any(text: str, keywords_csv: str) -> bool` that tells whether any keyword of the "
    "comma-separated list `keywords_csv` occurs in `text` as a whole word, ignoring case. Words of `text` are "
    "separated by whitespace and may end with .,!?;: which is not part of the word; keywords may be surrounded "
    "by spaces.",
    code="""
        def mentions_any(text, keywords_csv):
            words = {token.strip(".,!?;:")<<norm>> for token in text.split()}
            wanted = {keyword<<strip>><<norm>> for keyword in keywords_csv.split(",")}
            return bool(words & wanted)
    """,
    slots={"strip": STRIP, "norm": NORM},
    params=lambda rng: {},
    cases=_mention_cases,
)

FAMILY = Family(
    name="text",
    title="Text handling (case, surrounding whitespace)",
    convention=False,
    kinds=KINDS,
    tasks=(COUNT_WORD, UNIQUE_TAGS, PARSE_HEADER, MENTIONS_ANY),
)
