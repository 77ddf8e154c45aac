"""complete_task: close a task and feed its outcome to the experiments."""

from .complete import complete_task
from .models import CompleteTaskRequest, RuleDecisionOut, RuleObservation, TaskOutcome

__all__ = ["CompleteTaskRequest", "RuleDecisionOut", "RuleObservation", "TaskOutcome", "complete_task"]
