"""What pattern mining compares, per fingerprint group: a block, two texts and structural tokens.

- The block (`block_key`) is decided by the strongest structural features: groups of different
  categories, or assertion failures with different value relations (off by one, None returned,
  wrong order...), are never compared at all, however similar their words.
- The message text (the parameterised template) says what went wrong in the runtime's words.
- The code text (frame functions and lines, assert shape, offending line) says where and how.
- Structural tokens (exception type, rule code, assert operator, operand types, the message family,
  AST node types around the failing line) are weighted by how much they say about the mistake.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from tools.log_error.normalize import source_words

# Weight of each structural feature that can differ inside a block (the category, and for
# assertions the value relation, are the block itself and would only add the same amount to every
# pair). The message family names the mistake in the runtime's terms; types and the assert
# operator refine it; AST context and source only hint.
STRUCTURAL_WEIGHTS: dict[str, float] = {
    "message_family": 3.0,
    "rule_code": 2.0,
    "error_type": 2.0,
    "actual_type": 1.5,
    "expected_type": 1.0,
    "assert_op": 1.0,
    "cause_type": 1.0,
    "source": 0.3,
}
AST_WEIGHT = 0.5
"""Weight of each AST node type around the failing line (there are several per group)."""

# CPython words one mistake in several ways ("invalid literal for int()" and "could not convert
# string to float" are the same unchecked parse). Each family is one token, so paraphrases share it.
MESSAGE_FAMILIES: list[tuple[str, re.Pattern[str]]] = [
    (
        "number-parse",
        re.compile(
            r"invalid literal for (?:int|float|complex)\(\)|could not convert string to (?:float|int)|could not convert .+ to (?:int|float|a number)"
        ),
    ),
    ("unpack-count", re.compile(r"(?:not enough|too many) values to unpack")),
    ("not-iterable", re.compile(r"is not iterable|cannot unpack non-iterable")),
    (
        "immutable",
        re.compile(r"does not support item assignment|object is immutable|does not support item deletion"),
    ),
    ("not-subscriptable", re.compile(r"is not subscriptable")),
    ("not-callable", re.compile(r"is not callable")),
    ("no-attribute", re.compile(r"has no attribute")),
    (
        "operand-types",
        re.compile(
            r"can only concatenate|unsupported operand type|can't multiply sequence|must be str, not|can't concat"
        ),
    ),
    (
        "arity",
        re.compile(
            r"positional argument|required (?:keyword-only |positional )?argument|unexpected keyword argument|takes no arguments"
        ),
    ),
    ("index-range", re.compile(r"index out of range|index out of bounds")),
    ("empty-pop", re.compile(r"pop from (?:an )?empty|popitem\(\): dictionary is empty|pop from empty")),
    ("empty-sequence", re.compile(r"arg is an empty sequence|empty sequence|empty iterable")),
    ("zero-division", re.compile(r"division by zero|modulo by zero|divide by zero")),
    ("recursion-depth", re.compile(r"maximum recursion depth")),
    ("time-limit", re.compile(r"(?i)timed? ?out|time limit|deadline")),
    ("missing-file", re.compile(r"No such file or directory")),
    ("undefined-name", re.compile(r"(?i)name .+ is not defined|undefined name")),
    ("unbound-local", re.compile(r"referenced before assignment|cannot access local variable")),
    ("changed-during-iteration", re.compile(r"changed size during iteration|mutated during iteration")),
]

# Value relations that do not name a mistake: unknown (a bare `assert f(x) == y` prints no
# operands) or unclassified.
_UNNAMED_RELATIONS = ("", "other")

_WORD = re.compile(r"<\w+>|[A-Za-z][A-Za-z0-9]*|[^\sA-Za-z0-9]+")


def block_key(features: Mapping[str, Any]) -> str:
    """Groups in different blocks are never merged: different categories (and, for assertion
    failures, different value relations; for unlisted static rules, different codes)."""
    category = str(features.get("category") or "other")
    parts = [category]
    if category == "static.other":
        parts.append(str(features.get("rule_code") or ""))
    if category == "logic.assertion":
        parts.append(str(features.get("value_relation") or ""))
    return "|".join(parts)


def block_regime(key: str) -> Literal["named", "separate", "text"]:
    """How a block's members are merged.

    - ``named``: the key already names one mistake (a static rule family, or how a wrong answer was
      wrong); the words mostly name the task, so loose agreement is enough.
    - ``separate``: wrong answers whose operands are unknown or unclassified. Nothing says what the
      mistake was, and asserts of different tasks look alike by accident (every HumanEval test is
      ``assert candidate(...) == ...``), so each fingerprint stays a pattern of its own.
    - ``text``: the rest, where the message and code decide.
    """
    category, _, rest = key.partition("|")
    if category.startswith("static.") and category != "static.other":
        return "named"
    if category == "logic.assertion":
        return "separate" if rest in _UNNAMED_RELATIONS else "named"
    return "text"


def message_family(features: Mapping[str, Any]) -> str | None:
    template = features.get("template")
    if not isinstance(template, str):
        return None
    first = template.split("\n", 1)[0]
    for family, pattern in MESSAGE_FAMILIES:
        if pattern.search(first):
            return family
    return None


def message_document(features: Mapping[str, Any]) -> str:
    """Words of the message template (placeholders like <num> are words too)."""
    template = features.get("template")
    if not isinstance(template, str):
        return ""
    words = _WORD.findall(template.split("\n", 1)[0])
    return " ".join(w if w.startswith("<") else w.lower() for w in words)


def code_document(features: Mapping[str, Any]) -> str:
    """Words of the in-app frames (function names marked ``fn:``), the assert shape and offending line."""
    words: list[str] = []
    for frame in features.get("frames") or []:
        function, _, line = str(frame).partition(": ")
        words += ["fn:" + w for w in source_words(function)]
        words += source_words(line)
    for key in ("assert_shape", "source_line"):
        value = features.get(key)
        if isinstance(value, str):
            words += source_words(value)
    return " ".join(words)


def structural_tokens(features: Mapping[str, Any]) -> dict[str, float]:
    tokens: dict[str, float] = {}
    values = dict(features)
    family = message_family(features)
    if family:
        values["message_family"] = family
    for key, weight in STRUCTURAL_WEIGHTS.items():
        value = values.get(key)
        if isinstance(value, str) and value:
            tokens[f"{key}={value}"] = weight
    for node_type in features.get("ast_context") or []:
        tokens[f"ast={node_type}"] = AST_WEIGHT
    return tokens
