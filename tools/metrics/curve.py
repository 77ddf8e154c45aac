"""A PNG of the learning curve (matplotlib, imported only here; install it with the ``report`` extra)."""

from __future__ import annotations

from pathlib import Path

from .models import LearningMetrics


def write_learning_curve(metrics: LearningMetrics, path: str | Path) -> Path:
    """Plot error rate per window with its 95% interval (and success rate) to a PNG at `path`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    target = Path(path)
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
    try:
        if metrics.windows:
            x = [w.index + 1 for w in metrics.windows]
            rates = [w.error_rate.rate or 0.0 for w in metrics.windows]
            lows = [w.error_rate.low for w in metrics.windows]
            highs = [w.error_rate.high for w in metrics.windows]
            ax.fill_between(x, lows, highs, alpha=0.2, label="95% CI")
            ax.plot(x, rates, marker="o", label="tasks with errors")
            succeeded = [w.succeeded.rate or 0.0 for w in metrics.windows]
            ax.plot(x, succeeded, marker=".", linestyle="--", label="tasks succeeded")
            ax.set_xticks(x)
            ax.legend(loc="upper right")
        else:
            ax.text(0.5, 0.5, "no closed tasks yet", ha="center", va="center", transform=ax.transAxes)
        ax.set_ylim(0, 1)
        ax.set_xlabel(f"window of {metrics.window_size} tasks")
        ax.set_ylabel("share of tasks")
        ax.set_title(f"Learning curve: {metrics.workspace} ({metrics.tasks} tasks)")
        ax.grid(alpha=0.3)
        fig.tight_layout()
        target.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(target, format="png")
    finally:
        plt.close(fig)
    return target
