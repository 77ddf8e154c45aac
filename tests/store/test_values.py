"""Values both backends share: storable text and JSON, page cursors, category prefixes."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store import NotFound
from store.values import category_prefix, clean_text, decode_cursor, dump_json, encode_cursor
from tests.strategies import json_values

STORABLE = st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))
storable_json = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), STORABLE
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(STORABLE, children, max_size=4)
    ),
    max_leaves=12,
)


def storable(text: str) -> bool:
    """What PostgreSQL accepts in text and jsonb: valid UTF-8 with no NUL and no \\u0000 escape."""
    text.encode("utf-8")
    return "\x00" not in text and re.search(r"(?<!\\)(\\\\)*\\u0000", text) is None


@given(storable_json)
def test_storable_json_round_trips_exactly(value: object) -> None:
    assert json.loads(dump_json(value)) == value


@given(json_values)
def test_any_json_value_becomes_storable_standard_json(value: object) -> None:
    text = dump_json(value)
    assert storable(text)
    json.loads(text, parse_constant=lambda name: pytest.fail(f"non-standard JSON constant {name}"))


@given(st.text())
def test_clean_text_makes_any_string_storable_and_keeps_the_rest(text: str) -> None:
    cleaned = clean_text(text)
    assert storable(cleaned) and len(cleaned) == len(text)
    assert all(a == b or b == "\ufffd" for a, b in zip(text, cleaned, strict=True))


def test_non_finite_numbers_are_stored_as_their_names() -> None:
    assert json.loads(dump_json([math.nan, math.inf, -math.inf, {1: 2}])) == [
        "NaN",
        "Infinity",
        "-Infinity",
        {"1": 2},
    ]


@given(st.integers(min_value=0, max_value=2**62), st.datetimes(timezones=st.just(UTC)), st.integers(1, 2**62))
def test_a_cursor_round_trips(frequency: int, last_seen: datetime, key: int) -> None:
    assert decode_cursor(encode_cursor(frequency, last_seen, key)) == (frequency, last_seen, key)


@given(st.text())
def test_any_other_cursor_raises_not_found(garbage: str) -> None:
    try:
        decoded = decode_cursor(garbage)
    except NotFound:
        return
    assert encode_cursor(*decoded).rstrip("=") == garbage.rstrip("=")  # only genuine cursors decode


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("runtime", ("runtime", "runtime.")),
        ("runtime.", ("runtime", "runtime.")),
        ("a_b%", ("a_b%", "a_b%.")),
    ],
)
def test_category_prefix_covers_a_category_and_its_sub_categories(
    category: str, expected: tuple[str, str]
) -> None:
    assert category_prefix(category) == expected
