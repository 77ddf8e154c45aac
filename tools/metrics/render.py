"""learning_metrics as markdown: every rate with its interval, never a bare ratio."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import DifferenceOut, LearningMetrics, RateOut


def fmt_rate(r: RateOut) -> str:
    if r.rate is None:
        return "no tasks"
    return f"{r.events}/{r.n} = {r.rate:.0%} (95% CI {r.low:.0%}-{r.high:.0%})"


def fmt_diff(d: DifferenceOut | None) -> str:
    if d is None:
        return "n/a"
    return f"{d.mean:+.0%} (95% CrI {d.low:+.0%} to {d.high:+.0%}; P(lower) = {d.prob_lower:.2f})"


def metrics_markdown(m: LearningMetrics) -> str:
    lines = [
        f"# Learning report: workspace {m.workspace}",
        "",
        f"{m.tasks} closed tasks, {m.errors} errors. Rates are tasks with at least one error, with exact 95% intervals.",
        "",
        f"## Learning curve (windows of {m.window_size} tasks)",
        "",
        "| window | tasks | with errors | errors/task | succeeded | tokens/task | cost/task |",
        "|---|---|---|---|---|---|---|",
    ]
    for w in m.windows:
        lines.append(
            f"| {w.index} ({w.first_task_id}..{w.last_task_id}) | {w.tasks} | {fmt_rate(w.error_rate)} | "
            f"{w.errors_per_task:.2f} | {fmt_rate(w.succeeded)} | {w.tokens_per_task:.0f} | ${w.cost_per_task:.4f} |"
        )
    lines += ["", f"Last window vs first: {fmt_diff(m.trend)}", "", "## Cumulative effect (hold-out)", ""]
    lines.append(f"- Current protocol: {fmt_rate(m.holdout.protocol)}")
    lines.append(f"- Hold-out (baseline protocol): {fmt_rate(m.holdout.holdout)}")
    lines.append(f"- Difference: {fmt_diff(m.holdout.difference)}")
    lines += ["", "## Patterns before and after their rule was adopted", ""]
    if not m.patterns:
        lines.append("No rule has been adopted yet.")
    for p in m.patterns:
        lines.append(
            f"- {p.pattern_id} {p.title} ({p.rule_id}, adopted {p.adopted_at:%Y-%m-%d}): before {fmt_rate(p.before)}; "
            f"after {fmt_rate(p.after)}; change {fmt_diff(p.change)}"
        )
    lines += ["", "## Rules", ""]
    if not m.rules:
        lines.append("No rules yet.")
    for r in m.rules:
        effect = r.effectiveness.summary if r.effectiveness else "not measured"
        lines.append(f"- {r.rule_id} [{r.status}, `{r.scope}`] {r.text}  \n  {effect}")
    c = m.cost
    duration = "n/a" if c.duration_median_s is None else f"{c.duration_median_s:.1f} s"
    lines += [
        "",
        "## Cost per task",
        "",
        f"- Tokens: mean {c.tokens_mean:.0f}, median {c.tokens_median:.0f}, max {c.tokens_max}",
        f"- Cost: mean ${c.cost_mean:.4f}, median ${c.cost_median:.4f}, total ${c.cost_total:.2f}",
        f"- Median duration: {duration}",
    ]
    return "\n".join(lines) + "\n"
