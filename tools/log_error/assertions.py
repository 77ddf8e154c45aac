"""What a failed assert says about the wrong answer: its shape, operator, operands and how they differ.

Most failures of strong models are wrong answers, all of type AssertionError; the value relation
(off by one, None returned, wrong order, wrong case...) is what tells one wrong answer from another.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from typing import Any

from .normalize import assert_shape
from .pyparse import parse

_OPERATORS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}
_DIFFER_PREFIX = re.compile(r"^(?:\w+ differ|AssertionError):\s*", re.IGNORECASE)
_EXPECTED_GOT = re.compile(
    r"(?is)\bexpected\b\s*:?\s*(?P<expected>.+?)\s*[,;]?\s*(?:but\s+)?(?:got|actual|received|returned|was)\b\s*:?\s*(?P<actual>.+?)\s*\.?$"
)
_GOT_EXPECTED = re.compile(
    r"(?is)\b(?:got|actual|returned)\b\s*:?\s*(?P<actual>.+?)\s*[,;]?\s*(?:but\s+)?(?:expected|wanted)\b\s*:?\s*(?P<expected>.+?)\s*\.?$"
)
_MISSING = object()
_MESSAGE_LINES = 12


@dataclass(frozen=True, slots=True)
class AssertFacts:
    source: str | None = None
    shape: str | None = None
    op: str | None = None
    expected: str | None = None
    actual: str | None = None
    expected_type: str | None = None
    actual_type: str | None = None
    relation: str | None = None


def assert_facts(
    *,
    source: str | None,
    message: str | None,
    op: str | None = None,
    expected: str | None = None,
    actual: str | None = None,
    expected_type: str | None = None,
    actual_type: str | None = None,
) -> AssertFacts:
    """Combine what the caller knows (evidence) with what the assert source and message show."""
    shape = assert_shape(source) if source else None
    compare = _compare(source) if source else None
    if op is None and compare is not None:
        op = _OPERATORS.get(type(compare.ops[0]))
    actual_on_right = (
        compare is not None and _has_call(compare.comparators[0]) and not _has_call(compare.left)
    )
    if (expected is None or actual is None) and message:
        left, right, message_op = _operands_from_message(message)
        if left is not None and right is not None:
            # Messages print operands in source order; "expected X, got Y" names them.
            if message_op == "expected-got" or actual_on_right:
                expected, actual = expected or left, actual or right
            else:
                expected, actual = expected or right, actual or left
            op = op or (message_op if message_op in _OPERATORS.values() else None)
    expected_value = _literal(expected)
    actual_value = _literal(actual)
    if expected_type is None and expected_value is not _MISSING:
        expected_type = type(expected_value).__name__
    if actual_type is None and actual_value is not _MISSING:
        actual_type = type(actual_value).__name__
    relation = None
    if expected is not None and actual is not None:
        relation = value_relation(expected, actual, op=op or "==")
    return AssertFacts(
        source=source,
        shape=shape,
        op=op,
        expected=expected,
        actual=actual,
        expected_type=expected_type,
        actual_type=actual_type,
        relation=relation,
    )


def _compare(source: str) -> ast.Compare | None:
    text = source.strip()
    if not text.startswith("assert"):
        text = "assert " + text
    try:
        tree = parse(text[:4000])
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    statement = tree.body[0] if len(tree.body) == 1 else None
    if (
        isinstance(statement, ast.Assert)
        and isinstance(statement.test, ast.Compare)
        and len(statement.test.ops) == 1
    ):
        return statement.test
    return None


def _has_call(node: ast.AST) -> bool:
    return any(isinstance(child, ast.Call) for child in ast.walk(node))


def _operands_from_message(message: str) -> tuple[str | None, str | None, str | None]:
    """(left, right, op) from ``assert 3 == 4``, ``3 != 4``, ``Lists differ: [..] != [..]`` or ``expected 4, got 3``.

    pytest prints an assert's own message first and the compared values on a later line, so an
    ``assert`` line among the first few wins over the first line.
    """
    lines = [line.strip() for line in message.strip().split("\n")[:_MESSAGE_LINES]]
    asserts = [line for line in lines if line.startswith("assert ")]
    for line in [*asserts, *lines[:1]]:
        found = _operands_from_line(line[:4000])
        if found[0] is not None:
            return found
    return None, None, None


def _operands_from_line(first: str) -> tuple[str | None, str | None, str | None]:
    first = _DIFFER_PREFIX.sub("", first)
    text = first[len("assert ") :] if first.startswith("assert ") else first
    try:
        tree = parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    if tree is not None and isinstance(tree.body, ast.Compare) and len(tree.body.ops) == 1:
        compare = tree.body
        left = ast.get_source_segment(text, compare.left)
        right = ast.get_source_segment(text, compare.comparators[0])
        op = _OPERATORS.get(type(compare.ops[0]))
        # unittest prints "first != second" for a failed assertEqual: the operands were meant equal.
        if op == "!=" and not first.startswith("assert "):
            op = "=="
        return left, right, op
    for pattern in (_EXPECTED_GOT, _GOT_EXPECTED):
        match = pattern.search(first)
        if match:
            return match.group("expected").strip(), match.group("actual").strip(), "expected-got"
    return None, None, None


def _literal(text: str | None) -> Any:
    if text is None:
        return _MISSING
    try:
        return ast.literal_eval(parse(text.strip()[:4000], mode="eval"))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _MISSING


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def value_relation(expected: str, actual: str, *, op: str = "==") -> str:
    """How `actual` differs from `expected` (both reprs): off_by_one, none, empty, sign, order,
    length, case, whitespace, type, precision, negated or other."""
    expected_value, actual_value = _literal(expected), _literal(actual)
    if actual.strip() == "None" and expected.strip() != "None":
        return "none"
    if op not in ("==", "is"):
        return "other"
    if expected_value is _MISSING or actual_value is _MISSING:
        if actual.strip() in ("[]", "{}", "()", "''", '""', "set()") and expected.strip() != actual.strip():
            return "empty"
        return "other"
    return _relation(expected_value, actual_value)


def _relation(expected: Any, actual: Any) -> str:
    if expected is None:
        return "type"
    if isinstance(expected, bool) or isinstance(actual, bool):
        return "negated" if isinstance(expected, bool) and isinstance(actual, bool) else "type"
    if _is_number(expected) and _is_number(actual):
        return _number_relation(expected, actual)
    if type(expected) is not type(actual):
        if _sized(actual) and len(actual) == 0 and _sized(expected) and len(expected) > 0:
            return "empty"
        return "type"
    if isinstance(expected, str):
        return _text_relation(expected, actual)
    if isinstance(expected, list | tuple):
        return _sequence_relation(list(expected), list(actual))
    if isinstance(expected, set | frozenset | dict):
        if not actual and expected:
            return "empty"
        if len(actual) != len(expected):
            return "length"
    return "other"


def _sized(value: Any) -> bool:
    return isinstance(value, str | bytes | list | tuple | dict | set | frozenset)


def _number_relation(expected: float, actual: float) -> str:
    if math.isnan(expected) or math.isnan(actual) or math.isinf(expected) or math.isinf(actual):
        return "other"
    difference = abs(actual - expected)
    if difference == 1:
        return "off_by_one"
    if actual == -expected and actual != 0:
        return "sign"
    if math.isclose(actual, expected, rel_tol=1e-6, abs_tol=1e-9):
        return "precision"
    return "other"


def _text_relation(expected: str, actual: str) -> str:
    if not actual and expected:
        return "empty"
    if actual.lower() == expected.lower():
        return "case"
    if "".join(actual.split()) == "".join(expected.split()):
        return "whitespace"
    if sorted(actual) == sorted(expected):
        return "order"
    if abs(len(actual) - len(expected)) == 1 and _prefix_or_suffix(list(expected), list(actual)):
        return "off_by_one"
    return "other"


def _sequence_relation(expected: list[Any], actual: list[Any]) -> str:
    if not actual and expected:
        return "empty"
    if len(actual) == len(expected):
        if _same_items(expected, actual):
            return "order"
        pairs = list(zip(expected, actual, strict=True))
        if pairs and all(_is_number(e) and _is_number(a) for e, a in pairs):
            differences = {a - e for e, a in pairs}
            if len(differences) == 1 and abs(next(iter(differences))) == 1:
                return "off_by_one"
        return "other"
    if abs(len(actual) - len(expected)) == 1 and _prefix_or_suffix(expected, actual):
        return "off_by_one"
    return "length"


def _prefix_or_suffix(expected: list[Any], actual: list[Any]) -> bool:
    shorter, longer = (actual, expected) if len(actual) < len(expected) else (expected, actual)
    return longer[: len(shorter)] == shorter or longer[len(longer) - len(shorter) :] == shorter


def _same_items(expected: list[Any], actual: list[Any]) -> bool:
    try:
        return sorted(expected) == sorted(actual)
    except TypeError:
        return sorted(map(repr, expected)) == sorted(map(repr, actual))
