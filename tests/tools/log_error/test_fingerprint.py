import re

import pytest

from tools.log_error.analyze import Analysis, analyze
from tools.log_error.assertions import value_relation
from tools.log_error.models import Evidence
from tools.log_error.normalize import assert_shape, message_template, normalize_source


def traceback_text(frames: list[tuple[str, int, str, str]], error: str) -> str:
    lines = ["Traceback (most recent call last):"]
    for path, line, function, source in frames:
        lines += [f'  File "{path}", line {line}, in {function}', f"    {source}"]
    return "\n".join([*lines, error]) + "\n"


def index_error(root: str, test_line: int, line: int, literal: str) -> Analysis:
    frames = [
        ("/sandbox/runner.py", 112, "run_one", "outcome = test()"),
        (f"{root}/tests.py", test_line, "test_median", f"assert median([{literal}, 2, 3, 4]) == 2.5"),
        ("/usr/lib/python3.11/statistics.py", 10, "fmean", "return fsum(data) / n"),
        (f"{root}/solution.py", line, "median", f"return s[len(s) // {literal}]"),
    ]
    return analyze(
        message="IndexError: list index out of range",
        source="test",
        traceback=traceback_text(frames, "IndexError: list index out of range"),
    )


def components(analysis: Analysis) -> dict[str, tuple[object, bool]]:
    return {c.name: (c.value, c.contributed) for c in analysis.components}


def test_the_same_mistake_with_other_numbers_paths_and_line_numbers_has_the_same_fingerprint() -> None:
    first = index_error("/tmp/tmpa1", 7, 4, "2")
    second = index_error("/tmp/tmpz9", 12, 19, "3")
    assert first.fingerprint == second.fingerprint
    assert re.fullmatch(r"v1:[0-9a-f]{20}", first.fingerprint)


def test_a_different_exception_type_on_the_same_line_has_another_fingerprint() -> None:
    index = index_error("/tmp/t", 7, 4, "2")
    frames = [("/tmp/t/solution.py", 4, "median", "return s[len(s) // 2]")]
    type_error = analyze(
        message="list indices must be integers or slices, not float",
        error_type="TypeError",
        source="test",
        traceback=traceback_text(frames, "TypeError: list indices must be integers or slices, not float"),
    )
    assert index.fingerprint != type_error.fingerprint


def test_the_fingerprint_explains_what_went_in_and_what_was_left_out() -> None:
    parts = components(index_error("/tmp/t", 7, 4, "2"))
    assert parts["error_type"] == ("IndexError", True)
    assert parts["frames"] == (
        ["test_median: assert median(<list>) == <num>", "median: return s[len(s) // <num>]"],
        True,
    )
    assert parts["template"] == ("list index out of range", True)
    assert parts["line_numbers"][1] is False
    assert parts["source"] == ("test", False)


def test_stdlib_site_packages_frozen_and_runner_frames_are_not_in_app() -> None:
    frames = [
        ("/sandbox/runner.py", 1, "run_one", "outcome = test()"),
        ("<frozen importlib._bootstrap>", 1, "_call_with_frames_removed", "f()"),
        ("/venv/lib/python3.11/site-packages/requests/api.py", 1, "get", "return request('get', url)"),
        ("C:\\Python311\\Lib\\json\\decoder.py", 1, "decode", "obj, end = self.raw_decode(s)"),
        ("/app/fetch.py", 3, "fetch", "return requests.get(url).json()"),
    ]
    analysis = analyze(
        message="JSONDecodeError: Expecting value",
        source="runtime",
        traceback=traceback_text(
            frames, "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)"
        ),
    )
    assert analysis.features["frames"] == ["fetch: return requests.get(url).json()"]


def test_a_traceback_with_no_in_app_frame_says_so() -> None:
    frames = [
        (
            "/usr/lib/python3.11/json/decoder.py",
            355,
            "raw_decode",
            "raise JSONDecodeError('Expecting value', s, err.value)",
        )
    ]
    analysis = analyze(
        message="Expecting value",
        error_type="JSONDecodeError",
        source="runtime",
        traceback=traceback_text(
            frames, "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)"
        ),
    )
    assert components(analysis)["frames"] == (
        ["raw_decode: raise JSONDecodeError(<str>, s, err.value)"],
        False,
    )


def test_a_key_error_with_frames_ignores_its_message_which_is_only_the_key() -> None:
    def key_error(key: str) -> Analysis:
        frames = [("/tmp/t/solution.py", 5, "word_count", "counts[word] += 1")]
        return analyze(
            message=f"KeyError: {key}", source="test", traceback=traceback_text(frames, f"KeyError: {key}")
        )

    assert key_error("'the'").fingerprint == key_error("42").fingerprint
    assert components(key_error("'the'"))["template"][1] is False


def test_a_message_without_traceback_is_fingerprinted_by_type_and_template() -> None:
    first = analyze(message="KeyError: 'user_17'", source="runtime")
    second = analyze(message="'user_99'", error_type="KeyError", source="runtime")
    assert first.fingerprint == second.fingerprint
    assert first.error_type == "KeyError"
    assert components(first)["frames"] == ([], False)


def failed_assert(source: str, expected: str, actual: str) -> Analysis:
    return analyze(
        message=f"assert {actual} == {expected}",
        error_type="AssertionError",
        source="test",
        evidence=Evidence(assert_source=source, expected=expected, actual=actual, test_name="test_x"),
    )


def test_wrong_answers_with_other_numbers_but_the_same_shape_and_relation_share_a_fingerprint() -> None:
    first = failed_assert("assert add(2, 3) == 5", "5", "6")
    second = failed_assert("assert add(10, 20) == 30", "30", "31")
    assert first.fingerprint == second.fingerprint
    assert first.features["value_relation"] == "off_by_one"
    assert first.title == "Wrong answer: assert <call>(<num>, <num>) == <num> off by one"


def test_different_failing_asserts_have_different_fingerprints() -> None:
    off_by_one = failed_assert("assert add(2, 3) == 5", "5", "6")
    none = failed_assert("assert add(2, 3) == 5", "5", "None")
    other_function = failed_assert("assert mul(2, 3) == 5", "5", "6")
    other_shape = failed_assert("assert add([2], 3) == 5", "5", "6")
    assert len({a.fingerprint for a in (off_by_one, none, other_function, other_shape)}) == 4
    assert components(off_by_one)["template"][1] is False


def test_operands_are_read_from_a_pytest_style_message_when_no_evidence_is_given() -> None:
    frames = [("/t/tests.py", 5, "test_median", "assert median([1, 2, 3, 4]) == 3")]
    analysis = analyze(
        message="AssertionError: assert 2 == 3",
        source="test",
        traceback=traceback_text(frames, "AssertionError: assert 2 == 3"),
    )
    assert analysis.features["assert_shape"] == "assert <call>(<list>) == <num>"
    assert analysis.features["value_relation"] == "off_by_one"
    assert (analysis.features["expected_type"], analysis.features["actual_type"]) == ("int", "int")
    assert analysis.title == "Wrong answer: assert <call>(<list>) == <num> off by one"


def test_static_findings_are_fingerprinted_by_rule_and_offending_line_not_by_position() -> None:
    code = "import os\n\n\ndef add_item(item, items=[]):\n    items.append(item)\n    return items\n"
    first = analyze(
        message="Do not use mutable data structures for argument defaults",
        source="static",
        code=code,
        evidence=Evidence(rule_code="B006", line=4),
    )
    moved = analyze(
        message="solution.py:6:30: B006 Do not use mutable data structures for argument defaults",
        source="static",
        code="\n\n" + code,
    )
    assert first.fingerprint == moved.fingerprint
    assert first.category == "static.mutable-default"
    assert first.title == "B006 mutable default argument in add_item"
    assert first.features["source_line"] == "def add_item(item, items=[]):"
    assert first.features["ast_context"] == ["FunctionDef", "List"]


def test_ast_context_and_title_come_from_the_failing_line_of_the_code() -> None:
    code = "def median(xs):\n    s = sorted(xs)\n    return s[len(s) // 2]\n"
    frames = [("/t/solution.py", 3, "median", "return s[len(s) // 2]")]
    analysis = analyze(
        message="IndexError: list index out of range",
        source="test",
        code=code,
        traceback=traceback_text(frames, "IndexError: list index out of range"),
    )
    assert analysis.line == 3
    assert analysis.features["ast_context"] == ["FunctionDef", "Return", "Subscript", "BinOp", "Call"]
    assert analysis.title == "IndexError in median: s[len(s) // <num>]"


def test_a_chained_exception_records_its_cause() -> None:
    text = (
        "Traceback (most recent call last):\n  File \"/a/x.py\", line 3, in load\n    return cfg['port']\nKeyError: 'port'\n\n"
        "During handling of the above exception, another exception occurred:\n\n"
        "Traceback (most recent call last):\n  File \"/a/x.py\", line 5, in load\n    raise ValueError('no port')\nValueError: no port\n"
    )
    analysis = analyze(message="ValueError: no port", source="runtime", traceback=text)
    assert analysis.error_type == "ValueError"
    assert analysis.features["cause_type"] == "KeyError"
    assert components(analysis)["cause_type"] == ("KeyError", True)


@pytest.mark.parametrize(
    ("message", "template"),
    [
        ("list index out of range", "list index out of range"),
        ("name 'foo_bar' is not defined", "name <str> is not defined"),
        ("invalid literal for int() with base 10: 'abc'", "invalid literal for int() with base <num>: <str>"),
        ("'NoneType' object has no attribute 'group'", "'NoneType' object has no attribute <str>"),
        (
            'can only concatenate str (not "NoneType") to str',
            'can only concatenate str (not "NoneType") to str',
        ),
        (
            "unsupported operand type(s) for +: 'int' and 'str'",
            "unsupported operand type(s) for +: 'int' and 'str'",
        ),
        ("<Node object at 0x7f3a2b1c9d50> is not valid", "<Node object at <addr>> is not valid"),
        ("cannot read /home/ana/data/in.csv: denied", "cannot read <path>: denied"),
        ("retry C:\\Users\\ana\\data\\in.csv later", "retry <path> later"),
        ("request 123e4567-e89b-12d3-a456-426614174000 failed", "request <uuid> failed"),
        ("commit 9fceb02d0ae598e95dc970b74767f19372d61af8 missing", "commit <hash> missing"),
        ("GET https://api.example.com/v1/users/42?x=1 returned 503", "GET <url> returned <num>"),
        ("task t-12 step a-40 failed after 2.5s", "task <id> step <id> failed after <num>s"),
        ("expected utf-8 in data/input.csv", "expected utf-8 in <path>"),
        ("x = -3.5e-2", "x = <num>"),
    ],
)
def test_messages_become_templates_without_instance_data(message: str, template: str) -> None:
    assert message_template(message) == template


@pytest.mark.parametrize(
    ("line", "normalised"),
    [
        ("return s[len(s)//2]", "return s[len(s) // <num>]"),
        ("    total  +=  price*1.07   # tax", "total += price * <num>"),
        ('elif name == "admin":', "elif name == <str>:"),
        ("except KeyError as exc:", "except KeyError as exc:"),
        ("def add(item, items=[]):", "def add(item, items=[]):"),
        ("result = compute(a,", "result = compute(a,"),
        ("print(f'{n} items')", "print(<str>)"),
    ],
)
def test_source_lines_keep_names_and_lose_literals_and_spacing(line: str, normalised: str) -> None:
    assert normalize_source(line) == normalised


@pytest.mark.parametrize(
    ("source", "shape"),
    [
        ("assert median([1, 2, 3]) == 2", "assert <call>(<list>) == <num>"),
        ("assert candidate('abc') == 'cba', 'reversed'", "assert <call>(<str>) == <str>"),
        ("assert len(result) == 3", "assert len(<name>) == <num>"),
        ("assert abs(area(2) - 12.56) < 1e-2", "assert abs(<call>(<num>) - <num>) < <num>"),
        ("assert parse(x) is None", "assert <call>(<name>) is None"),
    ],
)
def test_assert_shapes_hide_names_calls_and_literals(source: str, shape: str) -> None:
    assert assert_shape(source) == shape


@pytest.mark.parametrize(
    ("expected", "actual", "relation"),
    [
        ("3", "4", "off_by_one"),
        ("[1, 2, 3]", "[0, 1, 2]", "off_by_one"),
        ("[1, 4, 9, 16]", "[1, 4, 9]", "off_by_one"),
        ("[1, 2, 3]", "None", "none"),
        ("'abc'", "''", "empty"),
        ("[2, 4]", "[]", "empty"),
        ("5", "-5", "sign"),
        ("[3, 2, 1]", "[1, 2, 3]", "order"),
        ("'olleh'", "'hello'", "order"),
        ("[1, 2, 3, 4]", "[1, 2]", "length"),
        ("'Hello World'", "'hello world'", "case"),
        ("'a b'", "'a  b'", "whitespace"),
        ("42", "'42'", "type"),
        ("(1, 2)", "[1, 2]", "type"),
        ("0.3", "0.30000000000000004", "precision"),
        ("True", "False", "negated"),
        ("10", "25", "other"),
        ("<Point x=1>", "<Point x=2>", "other"),
    ],
)
def test_value_relation_says_how_the_actual_value_differs(expected: str, actual: str, relation: str) -> None:
    assert value_relation(expected, actual) == relation
