"""Stage 2: ruff with bug rules only; definite bugs fail, likely bugs warn, style is never reported."""

from __future__ import annotations

import ast

import pytest

from tools.validate_code.static import run_ruff, severity, unreachable

pytestmark = pytest.mark.anyio


async def codes(code: str) -> dict[str, str]:
    return {f.code: f.severity for f in await run_ruff(code, timeout_s=10)}


async def test_an_undefined_name_is_an_error_with_its_position() -> None:
    [finding] = await run_ruff("def area(r):\n    return math.pi * r * r\n", timeout_s=10)
    assert (finding.code, finding.severity, finding.line, finding.column) == ("F821", "error", 2, 12)
    assert "math" in finding.message
    assert finding.source_line == "return math.pi * r * r"


async def test_likely_bugs_are_warnings() -> None:
    found = await codes(
        "import os\ndef f(items=[]):\n    try:\n        return items == None\n    except:\n        pass\n"
    )
    assert found == {"F401": "warning", "B006": "warning", "E711": "warning", "E722": "warning"}


async def test_format_strings_that_raise_are_errors() -> None:
    assert await codes("def f(a):\n    return '%s %s' % (a,)\n") == {"F507": "error"}


async def test_noqa_comments_do_not_silence_the_checks() -> None:
    assert await codes("def f():\n    return undefined  # noqa: F821\n") == {"F821": "error"}


async def test_style_is_never_reported() -> None:
    code = (
        "def BadName( x,y ):\n  l = [x,y]   ;  return l\nclass lower: pass\n" + "z = " + "1 + " * 60 + "1\n"
    )
    assert await codes(code) == {}


async def test_a_missing_ruff_binary_is_an_error_the_caller_can_handle() -> None:
    with pytest.raises(RuntimeError, match="ruff"):
        await run_ruff("x = 1\n", timeout_s=5, binary="/nonexistent/ruff")


def test_code_after_return_is_reported_as_unreachable() -> None:
    code = "def f(x):\n    return x\n    print('never')\n\nfor i in range(3):\n    break\n    i += 1\n"
    found = unreachable(ast.parse(code), code)
    assert [(f.code, f.line, f.severity) for f in found] == [
        ("RMO101", 3, "warning"),
        ("RMO101", 7, "warning"),
    ]
    assert "`return`" in found[0].message


def test_the_last_statement_of_a_block_is_not_unreachable() -> None:
    code = "def f(x):\n    if x:\n        return 1\n    return 2\n"
    assert unreachable(ast.parse(code), code) == []


@pytest.mark.parametrize(
    ("code", "expected"), [("F821", "error"), ("PLE0101", "error"), ("B006", "warning"), ("E722", "warning")]
)
def test_severity_separates_definite_from_likely_bugs(code: str, expected: str) -> None:
    assert severity(code) == expected
