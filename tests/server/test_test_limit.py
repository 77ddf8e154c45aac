"""The max_tests setting: parsed at start-up, handed to the sandbox, and enforced as a tool error."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client

from server.app import build_server, sandbox_from
from server.cli import cli_logic
from server.settings import Settings, SettingsError

CODE = "def add(a, b):\n    return a + b\n"


def functions(n: int) -> str:
    return "".join(f"def test_{i}():\n    assert add({i}, 1) == {i + 1}\n\n" for i in range(n))


def test_max_tests_defaults_to_200_and_reaches_the_sandbox() -> None:
    assert Settings.load({}, {}).max_tests == 200
    assert sandbox_from(Settings.load({}, {})).max_tests == 200
    assert sandbox_from(Settings.load({}, {"FRACTAL_RMO_MAX_TESTS": "50"})).max_tests == 50


def test_the_flag_wins_over_the_variable() -> None:
    assert Settings.load({"max_tests": "7"}, {"FRACTAL_RMO_MAX_TESTS": "50"}).max_tests == 7


@pytest.mark.parametrize("raw", ["0", "10001", "-5", "many", "2.5", ""])
def test_a_bad_max_tests_names_the_variable_the_range_and_the_value(raw: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.load({}, {"FRACTAL_RMO_MAX_TESTS": raw})
    assert str(caught.value).startswith(
        f"FRACTAL_RMO_MAX_TESTS must be a whole number from 1 to 10000 (got {raw!r}). Hint: Most tests one "
        "validate_code call runs"
    )


def test_a_bad_max_tests_flag_stops_the_server_at_start_up(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_logic(["serve", "--max-tests", "0"], environ={}) == 2
    assert capsys.readouterr().err.startswith(
        "fractal-rmo: --max-tests must be a whole number from 1 to 10000 (got '0'). Hint: "
    )


@pytest.mark.anyio
async def test_validate_code_over_the_configured_cap_is_a_tool_error_naming_the_limit(tmp_path: Path) -> None:
    settings = Settings(db=f"sqlite:///{tmp_path / 'cap.db'}", log_level="WARNING", max_tests=2)
    async with Client(build_server(settings), raise_exceptions=True) as client:
        at_cap = await client.call_tool("validate_code", {"code": CODE, "tests": functions(2), "level": 3})
        assert not at_cap.is_error, at_cap.content
        assert at_cap.structured_content["passed"] is True

        over = await client.call_tool("validate_code", {"code": CODE, "tests": functions(3), "level": 3})
        assert over.is_error
        # The SDK puts "Error executing tool validate_code: " in front of the domain's message.
        assert over.content[0].text.endswith(
            "'tests' define 3 tests (3 test functions); validate_code runs at most 2 tests per call "
            "(the server's max_tests setting, FRACTAL_RMO_MAX_TESTS). Split the tests over several calls of "
            "at most 2 tests each, sending the same 'code' with a different part of the tests every time."
        )
