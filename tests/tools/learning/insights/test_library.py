"""The built-in insight library recognises well-known signatures."""

from __future__ import annotations

import pytest

from tools.insights import LIBRARY, match_builtin
from tools.taxonomy import default_taxonomy

from ..helpers import pattern_record, stored_example


@pytest.mark.parametrize(
    ("category", "error_type", "message", "expected"),
    [
        (
            "static.mutable-default",
            "ruff",
            "solution.py:1:20: B006 Do not use mutable data structures for argument defaults",
            "mutable-default",
        ),
        ("static.undefined-name", "ruff", "solution.py:3:12: F821 Undefined name `math`", "undefined-name"),
        ("runtime.name", "NameError", "NameError: name 'math' is not defined", "undefined-name"),
        (
            "runtime.attribute.none",
            "AttributeError",
            "'NoneType' object has no attribute 'group'",
            "none-attribute",
        ),
        ("runtime.type.none", "TypeError", "'NoneType' object is not subscriptable", "none-attribute"),
        ("runtime.index", "IndexError", "IndexError: list index out of range", "off-by-one"),
        ("runtime.key", "KeyError", "KeyError: 'apple'", "key-error"),
        (
            "runtime.zero-division",
            "ZeroDivisionError",
            "ZeroDivisionError: division by zero",
            "zero-division",
        ),
        (
            "static.none-comparison",
            "ruff",
            "solution.py:4:8: E711 Comparison to `None` should be `cond is None`",
            "none-comparison",
        ),
        ("static.bare-except", "ruff", "solution.py:9:5: E722 Do not use bare `except`", "bare-except"),
        (
            "performance.quadratic",
            None,
            "runtime grows quadratically with n (string concatenation in a loop)",
            "string-concat-loop",
        ),
        ("performance.timeout", "TimeoutError", "test timed out after 5.0 s", "timeout"),
        ("runtime.recursion", "RecursionError", "maximum recursion depth exceeded", "recursion-depth"),
        ("runtime.value", "ValueError", "invalid literal for int() with base 10: ' 3'", "value-parse"),
        ("runtime.name.unbound", "UnboundLocalError", "cannot access local variable 'best'", "unbound-local"),
        ("runtime.type", "TypeError", 'can only concatenate str (not "int") to str', "type-mix"),
        (
            "static.implicit-return",
            "ruff",
            "RET503 Missing explicit `return` at the end of function",
            "missing-return",
        ),
    ],
)
def test_well_known_signatures_get_their_builtin_insight(category, error_type, message, expected):
    pattern = pattern_record(
        title=f"{error_type}: {message[:40]}",
        signature=message,
        category=category,
        examples=(stored_example(category=category, error_type=error_type, message=message),),
    )
    match = match_builtin(pattern)
    assert match is not None and match.key == expected


@pytest.mark.parametrize(
    ("category", "error_type", "message"),
    [
        ("logic.assertion", "AssertionError", "assert candidate([1, 2]) == 3"),
        ("runtime.value", "ValueError", "math domain error"),
        ("runtime.type", "TypeError", "unhashable type: 'list'"),
    ],
)
def test_unknown_signatures_get_nothing(category, error_type, message):
    pattern = pattern_record(
        title=message,
        signature=message,
        category=category,
        examples=(stored_example(category=category, error_type=error_type, message=message),),
    )
    assert match_builtin(pattern) is None


def test_an_assertion_that_is_off_by_one_gets_the_boundary_insight():
    example = stored_example(
        category="logic.assertion",
        error_type="AssertionError",
        message="assert candidate([1, 2, 3]) == 3",
        details={"value_relation": "off_by_one"},
    )
    pattern = pattern_record(
        title="assert", signature="assert <call> == <num>", category="logic.assertion", examples=(example,)
    )
    match = match_builtin(pattern)
    assert match is not None and match.key == "off-by-one"


def test_every_entry_is_complete_and_scoped_to_a_known_category():
    taxonomy = default_taxonomy()
    keys = [entry.key for entry in LIBRARY]
    assert len(keys) == len(set(keys)) >= 12
    for entry in LIBRARY:
        assert entry.scope in taxonomy, entry.key
        assert (
            entry.rule
            and entry.example_wrong
            and entry.example_right
            and entry.example_wrong != entry.example_right
        )
        assert len(entry.rule) <= 500
