"""A PNG chart of the error rate over tasks: the learning phase, then each evaluation arm."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

COLOURS = {
    "learning": "#7f7f7f",
    "none": "#d62728",
    "learned": "#2ca02c",
    "placebo": "#1f77b4",
    "corrupted": "#9467bd",
}


def cumulative(errors: Sequence[bool]) -> list[float]:
    out, total = [], 0
    for i, error in enumerate(errors, start=1):
        total += error
        out.append(total / i)
    return out


def rolling(errors: Sequence[bool], window: int) -> list[float]:
    out = []
    for i in range(len(errors)):
        chunk = errors[max(0, i - window + 1) : i + 1]
        out.append(sum(chunk) / len(chunk))
    return out


def write_chart(curve: Sequence[Mapping[str, Any]], path: str | Path, *, title: str) -> Path:
    """Plot `curve` (the analysis' learning_curve rows) to `path`; matplotlib is imported here only."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    learning = [row["error"] for row in curve if row["phase"] == "learning"]
    arms: dict[str, list[bool]] = {}
    for row in curve:
        if row["phase"] == "evaluation":
            arms.setdefault(row["arm"], []).append(row["error"])
    fig, ax = plt.subplots(figsize=(9, 4.8), dpi=110)
    offset = 0
    if learning:
        window = max(3, len(learning) // 8)
        ax.plot(range(1, len(learning) + 1), rolling(learning, window), color=COLOURS["learning"],
                label=f"learning phase (rolling mean of {window})")  # fmt: skip
        offset = len(learning)
        ax.axvline(offset + 0.5, color="#bbbbbb", linestyle="--", linewidth=1)
    for arm, errors in arms.items():
        xs = range(offset + 1, offset + len(errors) + 1)
        ax.plot(xs, cumulative(errors), color=COLOURS.get(arm, "#333333"), label=f"{arm} (cumulative)")
    ax.set_xlabel("task (learning tasks, then evaluation instances in order)")
    ax.set_ylabel("error rate (first attempt failed)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    target = Path(path)
    fig.savefig(target, format="png")
    plt.close(fig)
    return target
