"""Rewritten asserts behave like Python's and capture the operands of a failure, like pytest."""

from __future__ import annotations

import ast

import pytest

from tools.validate_code.runtime.asserts import NOVALUE, AssertionHelpers, AssertRewriter


def run(source: str, **names):
    rewriter = AssertRewriter(source)
    tree = rewriter.visit(ast.parse(source))
    namespace = {**names, **AssertionHelpers(rewriter.asserts).globals()}
    exec(compile(tree, "tests.py", "exec"), namespace)
    return rewriter.asserts, namespace


def failure(source: str, **names) -> tuple[AssertionError, dict]:
    with pytest.raises(AssertionError) as caught:
        run(source, **names)
    aid, left, right = caught.value._rt_assert
    return caught.value, {"meta": run_meta(source)[aid], "left": left, "right": right}


def run_meta(source: str) -> dict:
    rewriter = AssertRewriter(source)
    rewriter.visit(ast.parse(source))
    return rewriter.asserts


def test_a_failed_comparison_keeps_both_operands_and_the_source() -> None:
    exc, got = failure("def add(a, b):\n    return a - b\nassert add(2, 3) == 5\n")
    assert (got["left"], got["right"]) == (-1, 5)
    assert got["meta"]["source"] == "assert add(2, 3) == 5"
    assert got["meta"]["op"] == "=="
    assert str(exc) == "assert add(2, 3) == 5"


def test_operands_are_evaluated_once_and_in_order() -> None:
    calls = []

    def f(x):
        calls.append(x)
        return x

    run("assert f(1) < f(2)\n", f=f)
    assert calls == [1, 2]


def test_the_message_is_evaluated_only_on_failure() -> None:
    def boom():
        raise RuntimeError("message evaluated")

    run("assert 1 == 1, boom()\n", boom=boom)
    exc, _ = failure("assert 1 == 2, 'custom ' + 'text'\n")
    assert str(exc) == "custom text"


def test_a_literal_on_the_left_is_taken_as_the_expected_value() -> None:
    assert run_meta("assert 5 == add(2, 3)\n")[1]["swap"] is True
    assert run_meta("assert add(2, 3) == 5\n")[1]["swap"] is False
    assert run_meta("assert expected == result\n")[1]["swap"] is True


def test_truth_and_negation_keep_the_value_that_failed() -> None:
    _, got = failure("assert [] \n")
    assert (got["meta"]["op"], got["left"], got["right"]) == ("truth", [], NOVALUE)
    _, got = failure("assert not [1]\n")
    assert (got["meta"]["op"], got["left"]) == ("not", [1])


def test_chained_comparisons_keep_their_short_circuit() -> None:
    calls = []

    def f(x):
        calls.append(x)
        return x

    _, got = failure("assert f(3) < f(1) < f(2)\n", f=f)
    assert calls == [3, 1]
    assert got["meta"]["op"] == "chain"


def test_asserts_inside_functions_and_classes_are_rewritten() -> None:
    source = "class T:\n    def test(self):\n        assert 1 + 1 == 3\nT().test()\n"
    _, got = failure(source)
    assert (got["left"], got["right"]) == (2, 3)


def test_failures_point_at_the_assert_line() -> None:
    with pytest.raises(AssertionError) as caught:
        run("x = 1\n\nassert x == 2\n")
    assert caught.traceback[-2].lineno + 1 == 3


@pytest.mark.parametrize(
    "source",
    [
        "x = 1\nassert x == 1\n",
        "def t():\n    assert résumé('é') == 'ü', \"naïve\"\n",
        "assert (\n    f(1,\n      2)\n    == [1,\n        2]\n), 'multi-line'\n",
        "a = 1\r\nassert a \\\r\n  == 1\r\n",
        "s = 'x\\x0cy'\nassert s != 'z'  # form feed inside a string\nassert True\n",
        "if True:\n\tassert 1 < 2 < 3\n",
    ],
)
def test_the_recorded_source_is_the_asserts_own_text(source: str) -> None:
    expected = [
        ast.get_source_segment(source, node)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Assert)
    ]
    assert [meta["source"] for meta in run_meta(source).values()] == expected
