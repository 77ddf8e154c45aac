from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tools.evaluation.analysis import AnalysisSettings, analyse, learning_curve, replay_audit
from tools.evaluation.chart import cumulative, rolling, write_chart
from tools.evaluation.executors.replay import ReplayExecutor
from tools.evaluation.loaders import Recording
from tools.evaluation.model import AttemptContext, NoMoreAttempts, TaskInstance
from tools.evaluation.progress import Progress
from tools.evaluation.report import render
from tools.evaluation.runs import AttemptRecord, TaskRun

pytestmark = pytest.mark.anyio

SETTINGS = AnalysisSettings(resamples=1000)


def run(
    order: int, instance: str, arm: str, *, error: bool, family: str = "f", patterns=(), phase="evaluation"
) -> TaskRun:
    r = TaskRun(order=order, phase=phase, instance_id=instance, task_id=instance, family=family, arm=arm)
    r.attempts.append(AttemptRecord(1, not error, 100, 20, 0.001, 0.5, pattern_ids=list(patterns)))
    if error:
        r.attempts.append(AttemptRecord(2, True, 150, 20, 0.0015, 0.5))
    return r


def paired_runs(fixes: int, regressions: int, both: int, neither: int) -> list[TaskRun]:
    outcomes = (
        [(True, False)] * fixes
        + [(False, True)] * regressions
        + [(True, True)] * both
        + [(False, False)] * neither
    )
    runs = []
    for i, (none_err, learned_err) in enumerate(outcomes):
        family = f"fam{i % 6}"
        runs.append(
            run(
                len(runs) + 1,
                f"i{i}",
                "none",
                error=none_err,
                family=family,
                patterns=["p-1"] if none_err else [],
            )
        )
        runs.append(run(len(runs) + 1, f"i{i}", "learned", error=learned_err, family=family,
                        patterns=["p-1"] if learned_err else []))  # fmt: skip
        runs[-1].rule_ids = ["r-1"]
    return runs


def test_a_clear_reduction_is_significant_with_an_interval_excluding_zero() -> None:
    result = analyse(paired_runs(14, 1, 3, 30), rule_patterns={"r-1": "p-1"}, settings=SETTINGS)
    [primary] = [c for c in result["comparisons"] if c["primary"]]
    assert (primary["b_control_only"], primary["c_treatment_only"], primary["pairs"]) == (14, 1, 48)
    assert primary["significant"] and primary["p_value"] < 0.001 and primary["e_value"] > 20
    assert primary["relative_reduction"]["low"] > 0
    assert result["rule_gates"][0]["adopted"] and result["adopted_by_evaluation"] == ["r-1"]
    assert "reduces errors" in result["verdict"]
    assert result["arms"]["none"]["error_rate"]["value"] == pytest.approx(17 / 48)


def test_a_balanced_result_is_not_significant_and_the_verdict_says_so() -> None:
    result = analyse(paired_runs(5, 5, 3, 30), rule_patterns={"r-1": "p-1"}, settings=SETTINGS)
    assert not result["comparisons"][0]["significant"]
    assert result["adopted_by_evaluation"] == []
    assert "No significant reduction" in result["verdict"]


def test_arm_summary_reports_rates_tokens_cost_and_time_per_task() -> None:
    result = analyse(paired_runs(2, 0, 0, 2), settings=SETTINGS)
    none = result["arms"]["none"]
    assert none["instances"] == 4 and none["pass_rate"]["value"] == 1.0
    assert none["tokens_per_task"] == pytest.approx((120 * 4 + 170 * 2) / 4)
    assert none["attempts_per_task"] == pytest.approx(1.5)
    assert none["error_rate"]["method"].startswith("Clopper-Pearson")


def test_secondary_comparisons_are_holm_adjusted() -> None:
    runs = paired_runs(10, 1, 2, 20)
    for r in [r for r in runs if r.arm == "learned"]:
        placebo = run(r.order + 1000, r.instance_id, "placebo", error=not r.error, family=r.family)
        runs.append(placebo)
    result = analyse(runs, settings=SETTINGS)
    secondary = [c for c in result["comparisons"] if not c["primary"]]
    assert {(c["control"], c["treatment"]) for c in secondary} == {
        ("placebo", "learned"),
        ("none", "placebo"),
    }
    assert all(c["p_value_holm"] >= c["p_value"] for c in secondary)


def test_replay_audit_counts_reproduced_recorded_failures() -> None:
    runs = [run(1, "a", "none", error=True), run(2, "b", "none", error=False), run(3, "c", "none", error=True),
            run(4, "d", "none", error=False)]  # fmt: skip
    audit = replay_audit(runs, {"a": False, "b": False, "c": True, "d": None})
    assert (audit["recorded_failures"], audit["reproduced_failures"]) == (2, 1)
    assert audit["not_reproduced"] == ["b"] and audit["new_failures"] == ["c"]
    assert audit["counts"]["no_recorded_verdict"] == 1


async def test_replay_executor_submits_the_recording_once() -> None:
    instance = TaskInstance("HumanEval/1", "HumanEval/1", "HumanEval/1", "def f():\n", "tests")
    executor = ReplayExecutor({"HumanEval/1": Recording("HumanEval/1", None, "    return 1\n", False)})
    attempt = await executor.solve(instance.prompt, "", None, context=AttemptContext(instance, "none", 1))
    assert attempt.code == "def f():\n    return 1\n" and attempt.estimated
    with pytest.raises(NoMoreAttempts):
        await executor.solve(instance.prompt, "", "failed", context=AttemptContext(instance, "none", 2))


def results_for(runs: list[TaskRun]) -> dict:
    analysis = analyse(runs, rule_patterns={"r-1": "p-1"}, settings=SETTINGS)
    return {
        "config": {"arms": ["none", "learned"]},
        "executor": {"name": "simulated", "description": "Simulated; not evidence that a real model learns."},
        "server": {"connection": "in-process"},
        "suite": {"label": "builtin", "learning_instances": 0, "evaluation_instances": 48},
        "analysis": analysis,
        "learning": {
            "insights_proposed": [{"pattern_id": "p-1", "rule_id": "r-1"}],
            "reflection_cost_usd": 0.0,
        },
        "server_rules_by_id": {"r-1": {"status": "trial", "text": "Do the right thing."}},
        "adopted_by_server": [],
        "patterns": [
            {"id": "p-1", "frequency": 17, "distinct_tasks": 9, "status": "confirmed", "title": "wrong sum"}
        ],
        "replay": replay_audit(runs, {}),
        "notes": ["a note"],
        "learning_curve": learning_curve(runs),
    }


def test_report_shows_every_figure_with_its_interval_and_never_a_bare_ratio() -> None:
    text = render(json.loads(json.dumps(results_for(paired_runs(14, 1, 3, 30)))))
    for expected in ("## Per arm", "error rate [95% CI]", "learned vs none (primary)", "relative reduction [95% CI]",
                     "p (1-sided)", "e-value", "## Verdict", "r-1", "trial", "## Replay", "## Patterns found (1)",
                     "not evidence", "- a note"):  # fmt: skip
        assert expected in text, expected
    primary_row = next(line for line in text.splitlines() if "learned vs none (primary)" in line)
    assert "[" in primary_row and "]" in primary_row  # the reduction carries its interval


def test_chart_is_a_png_of_the_learning_curve(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the chart needs the eval extra (matplotlib)")
    runs = [run(i, f"l{i}", "learned", error=i % 3 == 0, phase="learning") for i in range(1, 10)]
    runs += paired_runs(4, 1, 1, 6)
    path = write_chart(learning_curve(runs), tmp_path / "chart.png", title="test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cumulative([True, False, True, True]) == [1.0, 0.5, 2 / 3, 0.75]
    assert rolling([True, False, False], 2) == [1.0, 0.5, 0.0]


def test_progress_bar_writes_to_its_stream_a_line_per_tenth_when_not_a_terminal() -> None:
    stream = io.StringIO()
    bar = Progress(20, stream=stream)
    for _ in range(20):
        bar.advance("working")
    bar.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 11 and lines[-1].startswith("[" + "#" * 28 + "] 20/20 100%")
    silent = io.StringIO()
    Progress(3, stream=silent, enabled=False).advance()
    assert silent.getvalue() == ""


def test_a_significant_result_whose_interval_includes_zero_is_called_borderline() -> None:
    runs = []
    outcomes = [("fam0", True, False)] * 9 + [("fam1", False, True), ("fam2", False, True)]
    outcomes += [(f"fam{i}", True, True) for i in range(1, 6)] + [
        (f"fam{i}", False, False) for i in range(1, 6)
    ]
    for i, (family, none_err, learned_err) in enumerate(outcomes):
        runs.append(run(len(runs) + 1, f"i{i}", "none", error=none_err, family=family))
        runs.append(run(len(runs) + 1, f"i{i}", "learned", error=learned_err, family=family))
    result = analyse(runs, settings=SETTINGS)
    primary = result["comparisons"][0]
    assert primary["significant"] and primary["relative_reduction"]["low"] <= 0
    assert "Borderline" in result["verdict"]
