"""Tunable policy of the learning loop, in one frozen value built once by the server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AlphaSpending = Literal["pattern", "workspace", "none"]


@dataclass(frozen=True, slots=True)
class LearningConfig:
    alpha: float = 0.05
    """Level of the adoption test: the chance of adopting a rule that does not reduce errors."""

    alpha_spending: AlphaSpending = "pattern"
    """How alpha is shared among successive experiments. The j-th experiment of a family is tested at
    alpha_j = alpha*6/(pi^2*j^2), so the family's chance of any false adoption stays <= alpha however many follow.
    ``pattern``: the family is all rules targeting one pattern (retrying a pattern until a rule
    passes by luck is the multiplicity that matters); ``workspace``: every experiment of the
    workspace (family-wise over the whole stream; strict, so later rules need far more tasks);
    ``none``: every experiment at alpha."""

    harm_alpha: float = 0.05
    """Level of the harm tests (more targeted errors, or more failed tasks, with the rule shown).
    Not spent: retiring a rule is the safe direction."""

    treatment_share: float = 0.5
    """Share of (non-hold-out) tasks that see a trial rule."""

    holdout_share: float = 0.1
    """Share of tasks that always see the baseline protocol (`holdout_version`) and nothing newer."""

    holdout_version: int = 0
    """The baseline protocol version hold-out tasks see. Version 0 is the empty protocol before any
    learned rule, so the hold-out measures the cumulative effect of everything learned."""

    sample_cap: int = 400
    """Outcomes (treatment plus control tasks) after which a rule that has not proven itself retires.
    A rule that halves a 50% error rate is adopted within 300 tasks with power 0.93 and within 400
    with 0.98 (first experiment of its family; `tools.experiments.simulate` computes others)."""

    max_trials: int = 10
    """Rules on trial at once; further proposals wait as candidates until a trial ends."""

    max_rules_per_pattern: int = 3
    """Live (candidate, trial or adopted) rules allowed to target one pattern."""

    max_rule_chars: int = 500
    max_example_chars: int = 1500

    protocol_max_tokens: int = 1500
    """Default token budget of get_protocol (and of the rules decompose attaches to items)."""

    similarity_threshold: float = 0.2
    """TF-IDF cosine similarity between a task and the tasks where a rule's pattern occurred above
    which the rule is relevant even outside its scope."""

    pitfalls_per_item: int = 3
    pitfalls_per_task: int = 8

    taxonomy_file: str | None = None
    """A JSON file of extra action categories (see `tools.taxonomy.load_taxonomy_file`)."""

    def __post_init__(self) -> None:
        def need(ok: bool, name: str, expected: str) -> None:
            if not ok:
                raise ValueError(f"'{name}' must be {expected} (got {getattr(self, name)!r})")

        need(0.0 < self.alpha < 0.5, "alpha", "between 0 and 0.5")
        need(0.0 < self.harm_alpha < 0.5, "harm_alpha", "between 0 and 0.5")
        need(
            self.alpha_spending in ("pattern", "workspace", "none"),
            "alpha_spending",
            "pattern, workspace or none",
        )
        need(0.05 <= self.treatment_share <= 0.95, "treatment_share", "between 0.05 and 0.95")
        need(0.0 <= self.holdout_share <= 0.5, "holdout_share", "between 0 and 0.5")
        need(self.holdout_version >= 0, "holdout_version", "a version number >= 0")
        need(self.sample_cap >= 10, "sample_cap", "at least 10")
        need(self.max_trials >= 1, "max_trials", "at least 1")
        need(self.max_rules_per_pattern >= 1, "max_rules_per_pattern", "at least 1")
        need(20 <= self.max_rule_chars <= 4000, "max_rule_chars", "between 20 and 4000")
        need(100 <= self.max_example_chars <= 20000, "max_example_chars", "between 100 and 20000")
        need(100 <= self.protocol_max_tokens <= 20000, "protocol_max_tokens", "between 100 and 20000")
        need(0.0 < self.similarity_threshold <= 1.0, "similarity_threshold", "in (0, 1]")
        need(self.pitfalls_per_item >= 0, "pitfalls_per_item", ">= 0")
        need(self.pitfalls_per_task >= 0, "pitfalls_per_task", ">= 0")


DEFAULT_CONFIG = LearningConfig()
