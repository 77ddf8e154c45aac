"""Insights: a rule plus a real wrong -> right example for a pattern, from the built-in library,
the client's model (propose_insight), or the Anthropic API."""

from .anthropic_writer import (
    InsightWriterError,
    WrittenInsight,
    auto_insight_with_anthropic,
    cost_of,
    write_insight_with_anthropic,
)
from .examples import best_wrong_example, wrong_snippet
from .library import LIBRARY, BuiltinInsight, match_builtin
from .models import ProposedInsight, ProposeInsightRequest
from .propose import default_scope, maybe_auto_insight, propose_insight

__all__ = [
    "LIBRARY",
    "BuiltinInsight",
    "InsightWriterError",
    "ProposeInsightRequest",
    "ProposedInsight",
    "WrittenInsight",
    "auto_insight_with_anthropic",
    "best_wrong_example",
    "cost_of",
    "default_scope",
    "match_builtin",
    "maybe_auto_insight",
    "propose_insight",
    "write_insight_with_anthropic",
    "wrong_snippet",
]
