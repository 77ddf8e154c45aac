import linecache
import sys
import textwrap
import traceback

import pytest

from tools.log_error.traceback_parse import parse_traceback, split_exception_line


def formatted(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))


def raised(source: str) -> BaseException:
    """Run `source` (which must raise) as a module named solution.py and return the exception."""
    source = textwrap.dedent(source)
    filename = "/tmp/tmpk2/solution.py"
    # The traceback module reads source lines through linecache; give it the snippet.
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace: dict[str, object] = {}
    try:
        exec(compile(source, filename, "exec"), namespace)
    except BaseException as exc:  # the point is to catch whatever the snippet raises
        return exc
    raise AssertionError("the snippet did not raise")


def test_a_real_traceback_gives_frames_type_and_message() -> None:
    exc = raised(
        """
        def median(xs):
            s = sorted(xs)
            return s[len(s) // 2]

        median([])
        """
    )
    parsed = parse_traceback(formatted(exc))
    assert parsed.error_type == "IndexError"
    assert parsed.message == "list index out of range"
    assert [(f.function, f.source) for f in parsed.frames[-2:]] == [
        ("<module>", "median([])"),
        ("median", "return s[len(s) // 2]"),
    ]
    assert parsed.frames[-1].lineno == 4


@pytest.mark.skipif(sys.version_info < (3, 11), reason="caret lines arrived in 3.11")
def test_caret_lines_are_skipped_and_the_marked_expression_is_kept() -> None:
    exc = raised(
        """
        def ratio(a, b):
            return round(a / b, 2) + 1

        ratio(1, 0)
        """
    )
    text = formatted(exc)
    assert "^" in text
    frame = parse_traceback(text).frames[-1]
    assert frame.source == "return round(a / b, 2) + 1"
    assert frame.segment == "a / b"


def test_a_chained_exception_is_the_last_one_with_the_one_before_as_its_cause() -> None:
    exc = raised(
        """
        def load(config):
            try:
                return config["port"]
            except KeyError:
                raise ValueError("port is not configured")

        load({})
        """
    )
    text = formatted(exc)
    assert "During handling of the above exception" in text
    parsed = parse_traceback(text)
    assert (parsed.error_type, parsed.message, parsed.cause_type) == (
        "ValueError",
        "port is not configured",
        "KeyError",
    )
    assert parsed.chain == ["KeyError", "ValueError"]
    assert parsed.frames[-1].source == 'raise ValueError("port is not configured")'


def test_raise_from_is_parsed_like_any_other_chain() -> None:
    exc = raised(
        """
        class ConfigError(Exception):
            pass

        try:
            int("x")
        except ValueError as err:
            raise ConfigError("bad number") from err
        """
    )
    text = formatted(exc)
    assert "direct cause" in text
    parsed = parse_traceback(text)
    assert parsed.error_type == "ConfigError"
    assert parsed.cause_type == "ValueError"


def test_a_recursion_keeps_its_repeat_count_on_the_frame() -> None:
    exc = raised(
        """
        def down(n):
            return down(n - 1)

        down(5)
        """
    )
    parsed = parse_traceback(formatted(exc))
    assert parsed.error_type == "RecursionError"
    assert parsed.frames[-1].function == "down"
    assert any(frame.repeated > 900 for frame in parsed.frames)


def test_a_syntax_error_location_block_is_a_frame_without_a_function() -> None:
    exc = raised("def f(:\n    pass\n")
    parsed = parse_traceback(formatted(exc))
    assert parsed.error_type == "SyntaxError"
    assert parsed.message == "invalid syntax"
    assert parsed.frames[-1].source == "def f(:"
    assert parsed.frames[-1].lineno == 1


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception groups arrived in 3.11")
def test_an_exception_group_gives_its_type_and_its_leaf_exceptions() -> None:
    exc = raised(
        """
        def run():
            raise ExceptionGroup("two tasks failed", [ValueError("bad value"), KeyError("k")])

        run()
        """
    )
    parsed = parse_traceback(formatted(exc))
    assert parsed.error_type == "ExceptionGroup"
    assert parsed.message == "two tasks failed (2 sub-exceptions)"
    assert parsed.group_leaves == [("ValueError", "bad value"), ("KeyError", "'k'")]
    assert parsed.frames[-1].function == "run"


def test_a_multiline_message_is_kept_whole() -> None:
    text = (
        "Traceback (most recent call last):\n"
        '  File "/t/tests.py", line 3, in test_shout\n'
        "    self.assertEqual(shout('abc'), 'ABC')\n"
        "AssertionError: 'abc' != 'ABC'\n- abc\n+ ABC\n"
    )
    parsed = parse_traceback(text)
    assert parsed.message == "'abc' != 'ABC'\n- abc\n+ ABC"


def test_pytest_long_format_gives_frames_and_the_error_lines() -> None:
    text = textwrap.dedent(
        """
            def test_median():
        >       assert median([1, 2, 3, 4]) == 2.5
        E       assert 3 == 2.5
        E        +  where 3 = median([1, 2, 3, 4])

        tests/test_stats.py:5: AssertionError
        """
    )
    parsed = parse_traceback(text)
    assert parsed.error_type == "AssertionError"
    assert parsed.message == "assert 3 == 2.5\n+  where 3 = median([1, 2, 3, 4])"
    assert [(f.filename, f.lineno, f.function, f.source) for f in parsed.frames] == [
        ("tests/test_stats.py", 5, "test_median", "assert median([1, 2, 3, 4]) == 2.5")
    ]


def test_text_that_is_not_a_traceback_gives_an_empty_result() -> None:
    assert parse_traceback("something went wrong, sorry").empty
    assert parse_traceback("").empty


def test_a_bare_exception_line_is_enough() -> None:
    parsed = parse_traceback("some log output\nKeyError: 'user_id'\n")
    assert (parsed.error_type, parsed.message) == ("KeyError", "'user_id'")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("KeyError: 'x'", ("KeyError", "'x'")),
        (
            "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
            ("json.decoder.JSONDecodeError", "Expecting value: line 1 column 1 (char 0)"),
        ),
        ("StopIteration", ("StopIteration", "")),
        ("Note: this is prose", None),
        ("error: something", None),
    ],
)
def test_exception_lines_are_told_apart_from_prose(line: str, expected: tuple[str, str] | None) -> None:
    assert split_exception_line(line) == expected
