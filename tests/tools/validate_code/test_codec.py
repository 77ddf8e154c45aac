"""Values cross between the sandbox's processes as copies, exactly; malformed data is refused."""

from __future__ import annotations

import collections
import datetime
import decimal
import fractions
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.validate_code.runtime.codec import CopyError, Decoder, Encoder, WireError, apply_in_place


def no_handles(obj):
    raise AssertionError(f"unexpected handle for {obj!r}")


def refuse(form):
    raise AssertionError(f"unexpected reference {form!r}")


def roundtrip(value):
    wire = json.loads(json.dumps(Encoder(no_handles).encode(value)))
    return Decoder(refuse, refuse).decode(wire)


hashable = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=-(2**200), max_value=2**200),
              st.floats(allow_nan=False), st.text(), st.binary(), st.complex_numbers(allow_nan=False)),
    lambda inner: st.one_of(st.tuples(inner, inner), st.frozensets(inner, max_size=4)),
    max_leaves=10,
)  # fmt: skip
values = st.recursive(
    hashable,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(hashable, inner, max_size=4),
        st.sets(hashable, max_size=4),
        st.tuples(inner),
    ),
    max_leaves=20,
)


@given(values)
def test_plain_data_survives_the_round_trip_with_its_types(value) -> None:
    copy = roundtrip(value)
    assert copy == value
    assert type(copy) is type(value)


def test_special_numbers_and_lone_surrogates_survive() -> None:
    assert math.isnan(roundtrip(float("nan")))
    assert roundtrip([float("inf"), -0.0, "\ud800", b"\x00"]) == [float("inf"), -0.0, "\ud800", b"\x00"]
    assert str(roundtrip(-0.0)) == "-0.0"


def test_stdlib_value_types_are_copied_as_themselves() -> None:
    point = collections.namedtuple("Point", "x y")
    values = [
        collections.Counter("aab"),
        collections.OrderedDict(a=1),
        collections.deque([1, 2], maxlen=5),
        fractions.Fraction(1, 3),
        decimal.Decimal("1.10"),
        datetime.date(2024, 2, 29),
        datetime.timedelta(days=1, seconds=5),
        range(1, 10, 2),
        bytearray(b"ab"),
        point(1, 2),
        Ellipsis,
    ]
    for value in values:
        copy = roundtrip(value)
        assert copy == value
        assert type(copy).__name__ == type(value).__name__
    assert roundtrip(point(1, 2)).y == 2


def test_objects_that_are_not_data_become_handles() -> None:
    class Thing:
        pass

    handed = []
    form = Encoder(lambda obj: handed.append(obj) or {"H": 1}).encode([Thing(), len])
    assert form == {"L": [{"H": 1}, {"Bi": "len"}]}
    assert isinstance(handed[0], Thing)


@pytest.mark.parametrize(
    "wire",
    [
        [1, 2],
        {"L": 5},
        {"D": [[{"L": []}, 1]]},
        {"i": "zz"},
        {"B": "***"},
        {"NT": [1], "name": "P", "fields": [3]},
        {"Bi": "__import__x"},
        {"Dt": ["system", "x"]},
        {"?": 1},
        {"Ref": 0},
    ],
)
def test_malformed_data_from_the_other_process_is_refused(wire) -> None:
    with pytest.raises(WireError):
        Decoder(refuse, refuse).decode(wire)


def test_values_too_deep_to_copy_are_refused() -> None:
    deep: list = []
    for _ in range(200):
        deep = [deep]
    with pytest.raises(CopyError, match="too deeply nested"):
        Encoder(no_handles).encode(deep)


def test_a_mutated_copy_is_applied_to_the_original_in_place() -> None:
    original = [3, 1, 2]
    alias = original
    apply_in_place(original, [1, 2, 3])
    assert alias == [1, 2, 3]
    table = {"a": 1}
    apply_in_place(table, {"b": 2})
    assert table == {"b": 2}
    with pytest.raises(WireError):
        apply_in_place([1], {1})
