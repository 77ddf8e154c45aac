"""The `find_patterns` tool: mine fingerprint groups into patterns of recurring mistakes and list them."""

from .find import find_patterns
from .mine import MiningPlan, MiningReport, mine_patterns, plan_mining
from .models import PatternExample, PatternList, PatternOut, PatternQuery

__all__ = [
    "MiningPlan",
    "MiningReport",
    "PatternExample",
    "PatternList",
    "PatternOut",
    "PatternQuery",
    "find_patterns",
    "mine_patterns",
    "plan_mining",
]
