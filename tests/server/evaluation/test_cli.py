"""`fractal-rmo eval` end to end through an MCP client, against a server that speaks the tools' contract.

The same scenarios run against the real server in test_real_server.py once it registers every tool.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from server.evaluation.cli import run_eval

from .conftest import eval_args
from .contract_double import build_contract_double

SMALL = ("--suite", "builtin:house_errors,money,records,envelopes,clock,ranges", "--arms", "none,learned",
         "--base-rate", "0.5", "--min-pattern-frequency", "1", "--reflect-every", "4", "--bootstrap", "2000",
         "--validate-timeout", "5")  # fmt: skip


def results(out: Path) -> dict:
    return json.loads((out / "results.json").read_text())


@pytest.mark.slow
def test_simulated_null_effect_shows_no_significant_reduction_and_adopts_no_rule(
    tmp_path: Path, capsys
) -> None:
    out = tmp_path / "null"
    args = eval_args("--executor", "simulated", *SMALL, "--effect", "null", "--misleading-effect", "1",
                     "--learning", "12", "--instances", "24", "--out", str(out))  # fmt: skip
    assert run_eval(args, environ={}, server=build_contract_double()) == 0
    data = results(out)
    primary = data["analysis"]["comparisons"][0]
    assert primary["primary"] and primary["pairs"] == 24 and not primary["significant"]
    assert data["analysis"]["adopted_by_evaluation"] == [] and data["adopted_by_server"] == []
    assert data["learning"]["insights_proposed"], "the learning phase proposed no rule at all"
    assert "not evidence that a real model learns" in data["executor"]["description"]
    report = (out / "report.md").read_text()
    assert "No significant reduction" in report and "not evidence" in report
    if importlib.util.find_spec("matplotlib"):
        assert (out / "error_rate.png").read_bytes()[:4] == b"\x89PNG"
    captured = capsys.readouterr()
    assert "## Verdict" in captured.out
    assert "] 60/60 100%" in captured.err  # the progress bar (12 learning + 24 x 2 evaluation tasks)


@pytest.mark.slow
def test_simulated_helpful_effect_shows_the_reduction_with_an_interval_excluding_zero(tmp_path: Path) -> None:
    out = tmp_path / "helpful"
    args = eval_args("--executor", "simulated", *SMALL, "--effect", "0.1", "--learning", "24", "--instances", "30",
                     "--out", str(out), "--no-progress", "--no-chart")  # fmt: skip
    assert run_eval(args, environ={}, server=build_contract_double()) == 0
    primary = results(out)["analysis"]["comparisons"][0]
    assert primary["significant"] and primary["relative_reduction"]["low"] > 0
    assert primary["error_rate_treatment"] < primary["error_rate_control"]
    assert not (out / "error_rate.png").exists()


@pytest.mark.slow
def test_replay_of_the_shared_humaneval_solutions_reports_reproduced_failures_and_patterns(
    tmp_path: Path, humaneval_file: Path
) -> None:
    out = tmp_path / "replay"
    args = eval_args("--executor", "replay", "--replay-file", str(humaneval_file), "--suite", f"humaneval:{humaneval_file}",
                     "--validate-timeout", "3", "--out", str(out), "--no-progress", "--bootstrap", "500")  # fmt: skip
    assert run_eval(args, environ={}, server=build_contract_double()) == 0
    data = results(out)
    replay = data["replay"]
    assert replay["tasks"] == 164 and replay["recorded_failures"] == 23
    assert 15 <= replay["reproduced_failures"] <= 23
    assert data["patterns"], "find_patterns found nothing in 23 recorded failures"
    assert "The validator reproduced" in (out / "report.md").read_text()


def test_replay_needs_a_replay_file(tmp_path: Path, capsys) -> None:
    args = eval_args("--executor", "replay", "--suite", "builtin", "--out", str(tmp_path))
    assert run_eval(args, environ={}, server=build_contract_double()) == 2
    assert "--replay-file" in capsys.readouterr().err


def test_the_simulated_executor_refuses_suites_it_cannot_write_code_for(tmp_path: Path, capsys) -> None:
    dataset = tmp_path / "he.jsonl"
    dataset.write_text(
        json.dumps(
            {
                "task_id": "H/1",
                "prompt": "def f():\n",
                "entry_point": "f",
                "test": "def check(c):\n    pass\n",
            }
        )
        + "\n"
    )
    args = eval_args(
        "--executor", "simulated", "--suite", f"humaneval:{dataset}", "--out", str(tmp_path / "o")
    )
    assert run_eval(args, environ={}, server=build_contract_double()) == 2
    assert "--suite builtin" in capsys.readouterr().err


def test_the_anthropic_executor_without_a_key_says_how_to_provide_one(tmp_path: Path, capsys) -> None:
    args = eval_args("--executor", "anthropic", "--out", str(tmp_path))
    assert run_eval(args, environ={}, server=build_contract_double()) == 2
    assert "ANTHROPIC_API_KEY" in capsys.readouterr().err


def test_bad_flags_are_refused_with_what_is_valid(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        eval_args("--arms", "placebo,none")
    assert "add 'learned'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        eval_args("--effect", "sometimes")
    args = eval_args("--max-attempts", "0", "--out", str(tmp_path))
    assert run_eval(args, environ={}, server=build_contract_double()) == 2
    assert "--max-attempts must be >= 1" in capsys.readouterr().err


def test_the_eval_command_is_reachable_from_the_fractal_rmo_cli() -> None:
    from server.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices  # argparse has no public API for this
    if "eval" not in commands:
        pytest.skip("server/cli.py does not hook in add_eval_parser yet (done by the lead at integration)")
    args = build_parser().parse_args(["eval", "--executor", "simulated", "--instances", "3"])
    assert args.executor == "simulated" and args.instances == 3


def test_a_run_the_server_stops_midway_still_writes_what_it_measured(tmp_path: Path, capsys) -> None:
    out = tmp_path / "aborted"
    args = eval_args("--executor", "simulated", "--suite", "builtin:money", "--learning", "0", "--instances", "3",
                     "--arms", "none", "--max-attempts", "1", "--out", str(out), "--no-progress", "--no-chart",
                     "--tool-retries", "0")  # fmt: skip
    failing = build_contract_double(fail_tools=frozenset({"validate_code"}))
    assert run_eval(args, environ={}, server=failing) == 1
    data = results(out)
    assert len(data["runs"]) == 3
    assert data["aborted"].startswith(
        "the run stopped early because the server refused a tool call: validate_code"
    )
    assert "stopped early" in capsys.readouterr().err
