"""An `==` the solution's object wins by saying yes to anything fails; honest value objects still pass.

The solution's objects reach the tests as proxies (`Remote`); here a local peer stands in for the
worker process, applying each operation to a real object the way the worker would.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.validate_code.runtime.asserts import AssertionHelpers, _remote_in
from tools.validate_code.runtime.proxy import OPS, Remote


class LocalPeer:
    def __init__(self, obj: object) -> None:
        self.obj = obj

    def request(self, message: dict, args: tuple = ()) -> object:
        if message["op"] == "getattr":  # pytest looks at parameters while collecting
            return getattr(self.obj, message["name"])
        assert message["op"] == "op"
        return OPS[message["name"]](self.obj, *args)


def remote(obj: object) -> Remote:
    return Remote(LocalPeer(obj), 1, type(obj).__qualname__, "object")


class Anything:
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__


class AnyInt:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, int)

    __hash__ = object.__hash__


class FirstSeen:
    """Equal to the first value it is compared with, and to nothing else."""

    def __init__(self) -> None:
        self.first: object = None

    def __eq__(self, other: object) -> bool:
        if self.first is None:
            self.first = other
        return other == self.first

    __hash__ = object.__hash__


class Money:
    def __init__(self, cents: float) -> None:
        self.cents = cents

    def __eq__(self, other: object) -> bool:
        return self.cents == (other.cents if isinstance(other, Money) else other)

    __hash__ = object.__hash__


class Picky:
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, int):
            raise TypeError("only ints")
        return other == 7

    __hash__ = object.__hash__


def compare(left: object, right: object) -> tuple[bool, tuple[str, object] | None]:
    helpers = AssertionHelpers({})
    held = helpers.compare("==", left, right)
    return held, helpers._refuted


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (remote(Anything()), 5),
        (5, remote(Anything())),
        (remote(Anything()), None),
        (remote(Anything()), "expected text"),
        (remote(Anything()), b"bytes"),
        (remote(Anything()), 2.5),
        (remote(Anything()), True),
        (remote(AnyInt()), 3),
        ([remote(Anything()), remote(Anything())], [1, 2]),
        ({"a": remote(Anything())}, {"a": 1}),
        ((1, [remote(Anything())]), (1, ["x"])),
    ],
)
def test_an_object_that_says_yes_to_anything_does_not_pass(left: object, right: object) -> None:
    held, refuted = compare(left, right)
    assert not held
    assert refuted is not None
    type_name, probe = refuted
    assert type_name in ("Anything", "AnyInt")
    expected = left if _remote_in(right) is not None else right
    assert probe != expected  # a made-up value, not the test's


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (remote(Money(5)), 5),
        (5, remote(Money(5))),
        (remote(Money(2.5)), 2.5),
        (remote(Money(math.inf)), math.inf),
        (remote(Money(True)), True),
        (remote(Money("EUR")), "EUR"),
        (remote(Money(None)), None),
        ([remote(Money(1)), 2], [1, 2]),
        ({"a": remote(Money(1))}, {"a": 1}),
        (remote(Picky()), 7),
    ],
)
def test_an_honest_value_object_still_passes(left: object, right: object) -> None:
    assert compare(left, right) == (True, None)


def test_an_honest_inequality_is_still_a_failure_without_a_refutation() -> None:
    assert compare(remote(Money(5)), 6) == (False, None)
    assert compare(remote(Picky()), 8) == (False, None)


def test_plain_values_on_both_sides_are_compared_as_they_are() -> None:
    assert compare([1, 2], [1, 2]) == (True, None)
    assert compare(1, 1.0) == (True, None)


def test_an_object_that_agrees_with_the_first_value_it_meets_is_caught_about_half_the_time() -> None:
    caught = sum(not compare(remote(FirstSeen()), 5)[0] for _ in range(400))
    # The probe goes first in half of the comparisons: 200 expected, 140-260 is beyond 6 sigma.
    assert 140 <= caught <= 260


def test_the_failure_message_carries_the_refutation() -> None:
    helpers = AssertionHelpers({1: {"source": "assert f() == 5"}})
    assert not helpers.compare("==", remote(Anything()), 5)
    with pytest.raises(AssertionError) as caught:
        helpers.fail(1, remote(Anything()), 5, None)
    assert caught.value._rt_refuted[0] == "Anything"
    assert helpers._refuted is None


class Holder:
    """An honest wrapper: equal to exactly what its value equals."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return self.value == other

    __hash__ = object.__hash__


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.binary(max_size=20)
    | st.complex_numbers(allow_nan=False)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(VALUES)
def test_an_honest_object_equal_to_the_expected_value_is_never_refuted(value: object) -> None:
    assert compare(remote(Holder(value)), value) == (True, None)
    assert compare(value, remote(Holder(value))) == (True, None)


@given(st.lists(SCALARS, min_size=1, max_size=6))
def test_honest_objects_inside_a_list_are_never_refuted(values: list) -> None:
    assert compare([remote(Holder(v)) for v in values], values) == (True, None)
