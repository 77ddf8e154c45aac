"""Learning metrics: the error rate over time, per-pattern recurrence, rule effects, cost."""

from .compute import learning_metrics
from .curve import write_learning_curve
from .models import LearningMetrics
from .render import metrics_markdown

__all__ = ["LearningMetrics", "learning_metrics", "metrics_markdown", "write_learning_curve"]
