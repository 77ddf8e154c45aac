from typing import Any

import pytest

from tools.log_error.categorize import categorize, rule_code_from_message


@pytest.mark.parametrize(
    ("error_type", "message", "source", "extra", "category"),
    [
        ("SyntaxError", "invalid syntax", "syntax", {}, "syntax"),
        ("IndentationError", "unexpected indent", "runtime", {}, "syntax.indentation"),
        (None, "expected ':'", "syntax", {}, "syntax"),
        ("ruff", "Undefined name `x`", "static", {"rule_code": "F821"}, "static.undefined-name"),
        ("pylint", "Undefined variable 'x'", "static", {"rule_code": "E0602"}, "static.undefined-name"),
        (
            "ruff",
            "Do not use mutable data structures",
            "static",
            {"rule_code": "B006"},
            "static.mutable-default",
        ),
        ("ruff", "`os` imported but unused", "static", {"rule_code": "F401"}, "static.unused-import"),
        ("ruff", "Do not use bare `except`", "static", {"rule_code": "E722"}, "static.bare-except"),
        ("ruff", "Comparison to `None`", "static", {"rule_code": "E711"}, "static.none-comparison"),
        ("mypy", "Too many arguments", "static", {"rule_code": "call-arg"}, "static.wrong-arity"),
        ("ruff", "Something new", "static", {"rule_code": "XYZ123"}, "static.other"),
        ("IndexError", "list index out of range", "runtime", {}, "runtime.index"),
        ("KeyError", "'x'", "runtime", {}, "runtime.key"),
        ("AttributeError", "'str' object has no attribute 'foo'", "runtime", {}, "runtime.attribute"),
        (
            "AttributeError",
            "'NoneType' object has no attribute 'group'",
            "test",
            {},
            "runtime.attribute.none",
        ),
        ("TypeError", "unsupported operand type(s) for +: 'int' and 'str'", "runtime", {}, "runtime.type"),
        ("TypeError", 'can only concatenate str (not "NoneType") to str', "runtime", {}, "runtime.type.none"),
        (
            "TypeError",
            "f() takes 2 positional arguments but 3 were given",
            "runtime",
            {},
            "runtime.type.arity",
        ),
        ("ValueError", "invalid literal for int() with base 10: 'a'", "runtime", {}, "runtime.value"),
        ("json.decoder.JSONDecodeError", "Expecting value", "runtime", {}, "runtime.value"),
        ("NameError", "name 'math' is not defined", "runtime", {}, "runtime.name"),
        ("UnboundLocalError", "cannot access local variable 'x'", "runtime", {}, "runtime.name.unbound"),
        ("ModuleNotFoundError", "No module named 'numpy'", "runtime", {}, "runtime.import"),
        ("ZeroDivisionError", "division by zero", "runtime", {}, "runtime.zero-division"),
        ("RecursionError", "maximum recursion depth exceeded", "runtime", {}, "runtime.recursion"),
        ("FileNotFoundError", "[Errno 2] No such file", "runtime", {}, "runtime.io"),
        ("PermissionError", "[Errno 13] Permission denied", "runtime", {}, "runtime.io"),
        ("AssertionError", "assert 3 == 4", "test", {}, "logic.assertion"),
        ("TimeoutError", "timed out", "test", {}, "performance.timeout"),
        ("TestTimeout", "test_x exceeded the 2.0 s time limit", "test", {}, "performance.timeout"),
        (None, "Test timed out after 10 s", "test", {}, "performance.timeout"),
        ("MemoryError", "", "runtime", {}, "performance.memory"),
        (None, "pairwise_sum scales as n^2 (exponent 2.04)", "performance", {}, "performance.quadratic"),
        (None, "slow", "performance", {"details": {"exponent": 1.9}}, "performance.quadratic"),
        (None, "slow", "performance", {"details": {"exponent": 1.1}}, "performance.slow"),
        (None, "Process killed by signal SIGSEGV", "test", {}, "crash"),
        (None, "exited", "test", {"details": {"signal": 9}}, "crash"),
        ("CustomValidationError", "bad input", "runtime", {}, "runtime.other"),
        (None, "the reviewer did not like it", "review", {}, "other"),
    ],
)
def test_category_follows_type_message_source_and_evidence(
    error_type: str | None, message: str, source: str, extra: dict[str, Any], category: str
) -> None:
    assert categorize(error_type=error_type, message=message, source=source, **extra) == category


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("solution.py:3:5: F821 Undefined name `x`", "F821"),
        ("B006 Do not use mutable data structures for argument defaults", "B006"),
        ('solution.py:4: error: Too many arguments for "f"  [call-arg]', "call-arg"),
        ("solution.py:9:0: W0102: Dangerous default value [] as argument (dangerous-default-value)", "W0102"),
        ("no code here", None),
    ],
)
def test_rule_codes_are_read_from_linter_output(message: str, code: str | None) -> None:
    assert rule_code_from_message(message) == code
