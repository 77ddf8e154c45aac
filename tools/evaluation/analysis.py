"""From task runs to the figures of the report: per-arm rates, paired comparisons, per-rule gates."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .runs import TaskRun
from .stats import (
    Interval,
    PairedTable,
    clopper_pearson,
    cluster_bootstrap_rr,
    gate,
    holm,
    paired_posterior,
    paired_table,
)

PRIMARY = ("none", "learned")
SECONDARY = (("placebo", "learned"), ("none", "placebo"), ("none", "corrupted"), ("corrupted", "learned"))


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    alpha: float = 0.05
    resamples: int = 10_000
    seed: int = 0
    margin: float = 0.2
    """The relative reduction a success claim needs (the design's 20%)."""


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def arm_summary(runs: Sequence[TaskRun]) -> dict[str, Any]:
    n = len(runs)
    errors = sum(r.error for r in runs)
    passes = sum(r.passed for r in runs)
    return {
        "instances": n,
        "errors": errors,
        "error_rate": clopper_pearson(errors, n).as_dict(),
        "passes": passes,
        "pass_rate": clopper_pearson(passes, n).as_dict(),
        "attempts_per_task": _mean([len(r.attempts) for r in runs]),
        "tokens_per_task": _mean([r.tokens for r in runs]),
        "cost_usd_per_task": _mean([r.cost_usd for r in runs]),
        "seconds_per_task": _mean([r.seconds for r in runs]),
        "protocol_chars": _mean([r.protocol_chars for r in runs]),
        "protocol_rules": _mean([r.protocol_rules for r in runs]),
        "cost_is_estimate": any(a.estimated for r in runs for a in r.attempts),
        "executor_errors": sum(r.executor_error is not None for r in runs),
    }


def _pairs(
    runs: Sequence[TaskRun], control: str, treatment: str, outcome: Any = None
) -> tuple[list[tuple[bool, bool]], dict[str, list[tuple[bool, bool]]]]:
    """(control error, treatment error) per instance run under both arms, overall and by family."""
    outcome = outcome or (lambda run: run.error)
    by_instance: dict[str, dict[str, TaskRun]] = defaultdict(dict)
    for run in runs:
        by_instance[run.instance_id][run.arm] = run
    pairs, clusters = [], defaultdict(list)
    for arms in by_instance.values():
        if control in arms and treatment in arms:
            pair = (bool(outcome(arms[control])), bool(outcome(arms[treatment])))
            pairs.append(pair)
            clusters[arms[control].family].append(pair)
    return pairs, dict(clusters)


def _table_dict(table: PairedTable) -> dict[str, int]:
    return {
        "pairs": table.n,
        "both_err": table.both,
        "b_control_only": table.b,
        "c_treatment_only": table.c,
        "neither": table.neither,
    }


def compare(
    runs: Sequence[TaskRun], control: str, treatment: str, settings: AnalysisSettings
) -> dict[str, Any] | None:
    pairs, clusters = _pairs(runs, control, treatment)
    if not pairs:
        return None
    table = paired_table(pairs)
    decision = gate(table, settings.alpha)
    rr = cluster_bootstrap_rr(clusters, resamples=settings.resamples, seed=settings.seed)
    cluster_unit = "families" if any(len(v) > 1 for v in clusters.values()) else "instances"
    return {
        "control": control,
        "treatment": treatment,
        **_table_dict(table),
        "error_rate_control": table.errors_a / table.n,
        "error_rate_treatment": table.errors_b / table.n,
        "difference": table.difference(),
        "relative_reduction": rr.as_dict(),
        "cluster_unit": cluster_unit,
        "p_value": decision.p_value,
        "p_value_test": "one-sided exact McNemar (treatment makes fewer errors)",
        "e_value": decision.e_value,
        "significant": decision.passed,
        "posterior": paired_posterior(table, seed=settings.seed, margin=settings.margin),
    }


def comparisons(runs: Sequence[TaskRun], settings: AnalysisSettings) -> list[dict[str, Any]]:
    """The primary comparison (learned vs none) first, then the secondary ones with Holm-adjusted p-values."""
    out = []
    primary = compare(runs, *PRIMARY, settings)
    if primary is not None:
        out.append({**primary, "primary": True, "p_value_holm": primary["p_value"]})
    secondary = [c for c in (compare(runs, a, b, settings) for a, b in SECONDARY) if c is not None]
    adjusted = holm([c["p_value"] for c in secondary])
    for c, p in zip(secondary, adjusted, strict=True):
        out.append({**c, "primary": False, "p_value_holm": p, "significant": p <= settings.alpha})
    return out


def rule_gates(
    runs: Sequence[TaskRun], rule_patterns: Mapping[str, str], settings: AnalysisSettings
) -> list[dict[str, Any]]:
    """Per learned rule: did its targeted pattern recur less often with the learned protocol than without?

    All rules are tested together at the end of the run, so Holm's adjustment over them keeps the chance
    of adopting any rule that does nothing at most alpha (a fixed family of tests, unlike the server's
    open-ended stream, which needs alpha spending).
    """
    rows = []
    for rule_id, pattern_id in rule_patterns.items():
        pairs, _ = _pairs(runs, "none", "learned", outcome=lambda run, p=pattern_id: p in run.patterns)
        table = paired_table(pairs)
        decision = gate(table, settings.alpha)
        shown = sum(rule_id in r.rule_ids for r in runs if r.arm == "learned")
        rows.append({
            "rule_id": rule_id,
            "pattern_id": pattern_id,
            **_table_dict(table),
            "shown_in_learned_tasks": shown,
            "p_value": decision.p_value,
            "e_value": decision.e_value,
        })  # fmt: skip
    for row, adjusted in zip(rows, holm([r["p_value"] for r in rows]), strict=True):
        row["p_value_holm"] = adjusted
        row["adopted"] = adjusted <= settings.alpha
    return rows


def verdict(
    primary: Mapping[str, Any] | None, versus_placebo: Mapping[str, Any] | None, settings: AnalysisSettings
) -> str:
    if primary is None:
        return "No paired comparison of the learned protocol with no protocol was run."
    rr = primary["relative_reduction"]
    text = (
        f"Learned protocol vs no protocol on {primary['pairs']} paired instances: error rate "
        f"{primary['error_rate_control']:.3f} -> {primary['error_rate_treatment']:.3f}; relative reduction "
        f"{_fmt(rr['value'])} (95% interval {_fmt(rr['low'])} to {_fmt(rr['high'])}, bootstrap over "
        f"{primary['cluster_unit']}); one-sided exact McNemar p = {primary['p_value']:.4g} "
        f"(b = {primary['b_control_only']}, c = {primary['c_treatment_only']}), e-value = {primary['e_value']:.3g}. "
    )
    if not primary["significant"]:
        return text + f"No significant reduction at alpha = {settings.alpha}."
    text += f"The learned protocol reduces errors at alpha = {settings.alpha}."
    if rr["low"] is None or rr["low"] <= 0:
        text += (
            f" Borderline: the 95% interval of the reduction includes 0 (e-value {primary['e_value']:.3g}, "
            f"anytime-valid evidence needs {1 / settings.alpha:g}); confirm with a larger or repeated run."
        )
    beats_placebo = versus_placebo is not None and versus_placebo["significant"]
    big_enough = rr["value"] is not None and rr["value"] >= settings.margin
    text += (
        f" Success criterion (RR >= {settings.margin:.0%}, significant vs none and vs placebo): "
        f"{'met' if big_enough and beats_placebo else 'not met'}"
        f"{'' if versus_placebo is not None else ' (no placebo arm was run)'}."
    )
    return text


def _fmt(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"


def learning_curve(runs: Sequence[TaskRun]) -> list[dict[str, Any]]:
    return [
        {"order": r.order, "phase": r.phase, "arm": r.arm, "error": r.error, "family": r.family}
        for r in sorted(runs, key=lambda r: r.order)
    ]


def analyse(
    runs: Sequence[TaskRun],
    *,
    rule_patterns: Mapping[str, str] | None = None,
    settings: AnalysisSettings | None = None,
) -> dict[str, Any]:
    """Everything numeric the report shows, as plain JSON-ready data."""
    settings = settings or AnalysisSettings()
    evaluation = [r for r in runs if r.phase == "evaluation"]
    learning = [r for r in runs if r.phase == "learning"]
    arms = sorted(
        {r.arm for r in evaluation},
        key=lambda a: (
            ("none", "learned", "placebo", "corrupted").index(a)
            if a in ("none", "learned", "placebo", "corrupted")
            else 9
        ),
    )
    compared = comparisons(evaluation, settings)
    primary = next((c for c in compared if c["primary"]), None)
    versus_placebo = next(
        (c for c in compared if (c["control"], c["treatment"]) == ("placebo", "learned")), None
    )
    gates = rule_gates(evaluation, rule_patterns or {}, settings)
    return {
        "alpha": settings.alpha,
        "learning": arm_summary(learning) if learning else None,
        "arms": {arm: arm_summary([r for r in evaluation if r.arm == arm]) for arm in arms},
        "comparisons": compared,
        "rule_gates": gates,
        "adopted_by_evaluation": [g["rule_id"] for g in gates if g["adopted"]],
        "verdict": verdict(primary, versus_placebo, settings),
    }


def replay_audit(runs: Sequence[TaskRun], recorded: Mapping[str, bool | None]) -> dict[str, Any]:
    """Recorded verdicts against what validation found, per task (first attempt of each instance)."""
    cells = {"recorded_fail_validated_fail": [], "recorded_fail_validated_pass": [], "recorded_pass_validated_fail": [],
             "recorded_pass_validated_pass": [], "no_recorded_verdict": []}  # fmt: skip
    seen = set()
    for run in runs:
        if run.instance_id in seen or not run.attempts:
            continue
        seen.add(run.instance_id)
        verdict_recorded = recorded.get(run.instance_id)
        validated = run.attempts[0].passed
        if verdict_recorded is None:
            key = "no_recorded_verdict"
        else:
            key = f"recorded_{'pass' if verdict_recorded else 'fail'}_validated_{'pass' if validated else 'fail'}"
        cells[key].append(run.instance_id)
    failures = len(cells["recorded_fail_validated_fail"]) + len(cells["recorded_fail_validated_pass"])
    reproduced = len(cells["recorded_fail_validated_fail"])
    return {
        "tasks": len(seen),
        "recorded_failures": failures,
        "reproduced_failures": reproduced,
        "reproduced_rate": clopper_pearson(reproduced, failures).as_dict() if failures else None,
        "counts": {k: len(v) for k, v in cells.items()},
        "not_reproduced": cells["recorded_fail_validated_pass"],
        "new_failures": cells["recorded_pass_validated_fail"],
        "failure_summaries": {
            r.instance_id: r.attempts[0].failure[:300]
            for r in runs
            if r.attempts
            and not r.attempts[0].passed
            and r.instance_id in cells["recorded_fail_validated_fail"]
        },
    }


__all__ = ["AnalysisSettings", "Interval", "analyse", "arm_summary", "compare", "replay_audit", "rule_gates"]
