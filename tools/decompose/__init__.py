"""decompose: a task as a tree of steps from the action taxonomy, with rules and pitfalls per step."""

from .decompose import attach_rules, decompose
from .models import ActionItem, DecomposeRequest, Decomposition, ItemRule, Pitfall, PitfallInsight
from .plan import plan_items

__all__ = [
    "ActionItem",
    "DecomposeRequest",
    "Decomposition",
    "ItemRule",
    "Pitfall",
    "PitfallInsight",
    "attach_rules",
    "decompose",
    "plan_items",
]
