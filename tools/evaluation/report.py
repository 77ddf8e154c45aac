"""The readable report: Markdown tables rendered from the results JSON (never from anything else)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _p(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2g}" if value < 0.001 else f"{value:.3f}"


def _interval(data: Mapping[str, Any] | None) -> str:
    if not data or data.get("value") is None:
        return "-"
    low, high = data.get("low"), data.get("high")
    if low is None or high is None:
        return f"{_num(data['value'])} [interval undefined]"
    return f"{_num(data['value'])} [{_num(low)}, {_num(high)}]"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join(
        [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *(line(r) for r in rows)]
    )


def arms_table(arms: Mapping[str, Mapping[str, Any]]) -> str:
    rows = []
    for name, a in arms.items():
        cost = _num(a["cost_usd_per_task"], 5) + (" (est.)" if a.get("cost_is_estimate") else "")
        rows.append([
            name, str(a["instances"]), _interval(a["error_rate"]), _interval(a["pass_rate"]),
            _num(a["attempts_per_task"], 2), _num(a["tokens_per_task"], 0), cost,
            _num(a["seconds_per_task"], 2), _num(a["protocol_chars"], 0),
        ])  # fmt: skip
    headers = [
        "arm",
        "n",
        "error rate [95% CI]",
        "pass rate [95% CI]",
        "attempts",
        "tokens/task",
        "USD/task",
        "s/task",
        "protocol chars",
    ]
    return table(headers, rows)


def comparisons_table(comparisons: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for c in comparisons:
        rows.append([
            f"{c['treatment']} vs {c['control']}" + (" (primary)" if c["primary"] else ""),
            str(c["pairs"]), str(c["b_control_only"]), str(c["c_treatment_only"]),
            _interval(c["relative_reduction"]), _p(c["p_value"]), _p(c["p_value_holm"]),
            _num(c["e_value"], 2), "yes" if c["significant"] else "no",
        ])  # fmt: skip
    headers = [
        "comparison",
        "pairs",
        "b (fixes)",
        "c (regressions)",
        "relative reduction [95% CI]",
        "p (1-sided)",
        "p (Holm)",
        "e-value",
        "significant",
    ]
    return table(headers, rows)


def rules_table(gates: Sequence[Mapping[str, Any]], server_rules: Mapping[str, Mapping[str, Any]]) -> str:
    rows = []
    for g in gates:
        server = server_rules.get(g["rule_id"], {})
        rows.append([
            g["rule_id"], g["pattern_id"], str(g["shown_in_learned_tasks"]), str(g["b_control_only"]),
            str(g["c_treatment_only"]), _p(g["p_value"]), _p(g["p_value_holm"]), "yes" if g["adopted"] else "no",
            str(server.get("status", "-")), _short(str(server.get("text", "")), 60),
        ])  # fmt: skip
    headers = [
        "rule",
        "pattern",
        "shown",
        "b",
        "c",
        "p (1-sided)",
        "p (Holm)",
        "adopted (eval)",
        "server status",
        "rule",
    ]
    return table(headers, rows)


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def patterns_table(patterns: Sequence[Mapping[str, Any]], limit: int = 15) -> str:
    rows = [
        [str(p.get("id")), str(p.get("frequency")), str(p.get("distinct_tasks")), str(p.get("status", "")),
         _short(str(p.get("title") or p.get("signature") or ""), 70)]
        for p in patterns[:limit]
    ]  # fmt: skip
    return table(["pattern", "errors", "tasks", "status", "title"], rows)


def render(results: Mapping[str, Any]) -> str:
    analysis = results["analysis"]
    executor = results["executor"]
    suite = results["suite"]
    out = [
        "# Fractal-RMO evaluation",
        "",
        f"Executor: **{executor['name']}**. {executor['description']}",
        f"Suite: {suite['label']} — {suite['learning_instances']} learning and {suite['evaluation_instances']} "
        f"evaluation instances; arms: {', '.join(results['config']['arms'])}; server: {results['server']['connection']}.",
        "",
        "## Per arm (evaluation phase)",
        "",
        arms_table(analysis["arms"]) if analysis["arms"] else "No evaluation runs.",
        "",
        "Error rate: share of task instances whose first attempt failed validation. Pass rate: share that "
        "passed within the retry budget. Intervals are exact (Clopper-Pearson).",
    ]
    if analysis.get("learning"):
        learning = analysis["learning"]
        out += [
            "",
            f"Learning phase: {learning['instances']} tasks, error rate {_interval(learning['error_rate'])}.",
        ]
    if analysis["comparisons"]:
        out += [
            "",
            "## Paired comparisons",
            "",
            comparisons_table(analysis["comparisons"]),
            "",
            "b: instances where only the control arm erred; c: only the treatment arm. Relative reduction "
            "1 - p_treatment/p_control with a percentile bootstrap over task families; p from the one-sided "
            "exact McNemar test; secondary comparisons Holm-adjusted.",
        ]
    out += ["", "## Verdict", "", analysis["verdict"]]
    learning_info = results.get("learning") or {}
    if analysis["rule_gates"]:
        out += [
            "",
            "## Learned rules",
            "",
            rules_table(analysis["rule_gates"], results.get("server_rules_by_id", {})),
        ]
    out += [
        "",
        f"Rules adopted by the evaluation gate: {', '.join(analysis['adopted_by_evaluation']) or 'none'}. "
        f"Rules the server reports as adopted: {', '.join(results.get('adopted_by_server', [])) or 'none'}.",
    ]
    if learning_info.get("insights_proposed") is not None:
        out.append(
            f"Insights proposed during learning: {len(learning_info['insights_proposed'])} "
            f"(reflection cost {_num(learning_info.get('reflection_cost_usd', 0.0), 4)} USD)."
        )
    replay = results.get("replay")
    if replay:
        counts = replay["counts"]
        out += [
            "",
            "## Replay: recorded verdicts against validation",
            "",
            table(
                ["", "validated: fail", "validated: pass"],
                [
                    [
                        "recorded: fail",
                        str(counts["recorded_fail_validated_fail"]),
                        str(counts["recorded_fail_validated_pass"]),
                    ],
                    [
                        "recorded: pass",
                        str(counts["recorded_pass_validated_fail"]),
                        str(counts["recorded_pass_validated_pass"]),
                    ],
                ],
            ),
            "",
            f"The validator reproduced {replay['reproduced_failures']} of {replay['recorded_failures']} recorded "
            f"failures ({_interval(replay['reproduced_rate'])}). Not reproduced: "
            f"{', '.join(replay['not_reproduced']) or 'none'}. New failures (recorded as solved): "
            f"{', '.join(replay['new_failures']) or 'none'}.",
        ]
    patterns = results.get("patterns") or []
    out += ["", f"## Patterns found ({len(patterns)})", ""]
    out.append(patterns_table(patterns) if patterns else "find_patterns returned no patterns.")
    notes = results.get("notes") or []
    if notes:
        out += ["", "## Notes", "", *(f"- {n}" for n in notes)]
    return "\n".join(out) + "\n"
