"""Stage 1 compiles the code: the compiler's errors and warnings, with positions."""

from __future__ import annotations

from tools.validate_code.syntax import check_syntax


def test_a_syntax_error_has_its_line_column_and_message() -> None:
    check = check_syntax("def f(x):\n    return x +\n")
    [finding] = check.findings
    assert check.tree is None
    assert (finding.code, finding.line, finding.column) == ("SyntaxError", 2, 15)
    assert "invalid syntax" in finding.message
    assert finding.source_line == "return x +"


def test_return_outside_a_function_fails_although_it_parses() -> None:
    [finding] = check_syntax("x = 1\nreturn x\n").findings
    assert finding.code == "SyntaxError"
    assert "'return' outside function" in finding.message
    assert finding.line == 2


def test_indentation_errors_are_named_as_such() -> None:
    [finding] = check_syntax("def f():\nreturn 1\n").findings
    assert finding.code == "IndentationError"


def test_is_with_a_literal_is_an_error_from_the_compiler() -> None:
    [finding] = check_syntax("def f(x):\n    return x is 1\n").findings
    assert (finding.code, finding.severity, finding.line) == ("SyntaxWarning", "error", 2)
    assert '"is" with a literal' in finding.message


def test_an_assert_on_a_tuple_is_an_error() -> None:
    [finding] = check_syntax("def f(x):\n    assert (x, 'x must be set')\n").findings
    assert finding.severity == "error"
    assert "always true" in finding.message


def test_an_invalid_escape_sequence_is_only_a_warning() -> None:
    check = check_syntax("import re\nPATTERN = re.compile('\\d+')\n")
    [finding] = check.findings
    assert (finding.code, finding.severity) == ("DeprecationWarning", "warning")
    assert check.tree is not None


def test_deep_nesting_is_a_finding_not_a_crash() -> None:
    [finding] = check_syntax("x = " + "(" * 300 + ")" * 300 + "\n").findings
    assert finding.code == "SyntaxError"
    [finding] = check_syntax("x = " + "[" * 100_000 + "]" * 100_000 + "\n").findings
    assert finding.code == "SyntaxError"


def test_clean_code_has_no_findings_and_a_tree() -> None:
    check = check_syntax("def f(x):\n    return x + 1\n")
    assert check.findings == []
    assert check.tree is not None
