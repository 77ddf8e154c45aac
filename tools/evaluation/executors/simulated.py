"""A stochastic agent whose mistakes follow configured rates: it calibrates the experiment machinery.

It writes genuinely wrong code (a family's mistake template), so validate_code finds real failures
and the server learns real patterns from them. Its only link to the protocol is a configured effect:
while a rule that names one of its mistake kinds is in its context, that kind's rate is multiplied by
``effect`` (1 = the rule does nothing, below 1 helps, above 1 harms), or by ``misleading_effect``
when the rule names the mistake but not the right fix (a corrupted rule).

What it is for: false adoptions under a null effect, and power under a real one. What it is not:
evidence that a real model learns from the protocol.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Literal

from ..model import Attempt, AttemptContext, ExecutorError, InsightDraft, TaskInstance, ValidatedExample
from ..pricing import Price, estimate_tokens
from ..protocols import rule_blocks
from ..tasks import FAMILY_BY_NAME, task_spec
from ..tasks.spec import Kind, render, slot_snippets

DISCLAIMER = (
    "The simulated executor draws its mistakes from configured per-pattern rates and changes them by a "
    "configured effect when a rule targeting the mistake is in its context. It calibrates the experiment "
    "machinery (false adoptions under a null effect, power under a real one); it is not evidence that a "
    "real model learns from the protocol."
)

EFFECTS = {"null": 1.0, "helpful": 0.25, "harmful": 2.0}
MAX_RULE_CHARS = 480
"""Longest rule the reflector writes (the server keeps rules short: 500 characters by default)."""
Targeting = Literal["correct", "misleading"]


@dataclass(frozen=True, slots=True)
class SimConfig:
    base_rate: float = 0.3
    """Chance of each applicable mistake kind on a first attempt, before difficulty and effects."""
    rates: Mapping[str, float] = field(default_factory=dict)
    """Per-kind overrides, keyed ``family/kind`` or just ``family`` (all its kinds)."""
    effect: float = 1.0
    """Rate multiplier while a correct rule targeting the kind is in context (1 = null effect)."""
    misleading_effect: float = 1.0
    """Rate multiplier while a rule names the kind but gives the wrong fix."""
    fix_rate: float = 0.8
    """Chance that a retry with feedback fixes each mistake of the previous attempt."""
    hardness_sd: float = 0.5
    """Spread (log scale) of per-instance difficulty, shared by every arm of the instance."""
    seed: int = 0
    price: Price = field(default_factory=lambda: Price(3.0, 15.0))
    """Price used to turn the estimated tokens into an estimated cost."""

    def __post_init__(self) -> None:
        for name in ("base_rate", "fix_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"'{name}' must be between 0 and 1 (got {value!r})")
        for name in ("effect", "misleading_effect", "hardness_sd"):
            if getattr(self, name) < 0:
                raise ValueError(f"'{name}' must be >= 0 (got {getattr(self, name)!r})")

    def rate(self, family: str, kind: str) -> float:
        return self.rates.get(f"{family}/{kind}", self.rates.get(family, self.base_rate))


def fix_present(block: str, fix: str) -> bool:
    """`fix` occurs in `block` and is not the tail of a longer name (``legacy_sorted(`` is not ``sorted(``)."""
    start = block.find(fix)
    while start != -1:
        before = block[start - 1] if start > 0 else " "
        if not (fix[0].isalnum() or fix[0] == "_") or not (before.isalnum() or before == "_"):
            return True
        start = block.find(fix, start + 1)
    return False


def targeting(markdown: str, kind: Kind) -> Targeting | None:
    """How the protocol addresses `kind`: a rule naming it with the right fix, without it, or not at all."""
    found: Targeting | None = None
    for block in rule_blocks(markdown):
        lowered = block.lower()
        if all(k.lower() in lowered for k in kind.keywords):
            if any(fix_present(block, f) for f in kind.fix):
                return "correct"
            found = "misleading"
    return found


class SimulatedAgent:
    """The mistake model, separate from the executor so outcome data can be simulated without a server."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config

    def hardness(self, instance_id: str) -> float:
        sd = self.config.hardness_sd
        z = random.Random(f"{self.config.seed}|{instance_id}|hardness").gauss(0.0, 1.0)
        return math.exp(sd * z - sd * sd / 2.0)

    def rates(self, instance: TaskInstance, markdown: str) -> dict[str, float]:
        family, spec = task_spec(instance.task_id)
        hardness = self.hardness(instance.instance_id)
        out = {}
        for kind in spec.kinds:
            multiplier = 1.0
            how = targeting(markdown, family.kinds[kind]) if markdown else None
            if how == "correct":
                multiplier = self.config.effect
            elif how == "misleading":
                multiplier = self.config.misleading_effect
            out[kind] = min(0.98, self.config.rate(family.name, kind) * hardness * multiplier)
        return out

    def mistakes(
        self, instance: TaskInstance, markdown: str, *, arm: str, phase: str, attempt: int
    ) -> frozenset[str]:
        """The mistake kinds of attempt `attempt` (a pure function of the seed, instance, arm and phase)."""
        rng = random.Random(f"{self.config.seed}|{instance.instance_id}|{arm}|{phase}")
        made = frozenset(kind for kind, rate in self.rates(instance, markdown).items() if rng.random() < rate)
        for _ in range(attempt - 1):
            made = frozenset(kind for kind in sorted(made) if rng.random() >= self.config.fix_rate)
        return made


class SimulatedExecutor:
    name = "simulated"
    description = DISCLAIMER

    def __init__(self, config: SimConfig) -> None:
        self.agent = SimulatedAgent(config)
        self.price = config.price

    async def solve(
        self,
        task_prompt: str,
        protocol_markdown: str,
        feedback: str | None,
        *,
        context: AttemptContext | None = None,
    ) -> Attempt:
        if context is None or not context.instance.task_id.startswith("builtin/"):
            raise ExecutorError("the simulated executor only runs the built-in suite (use --suite builtin)")
        instance = context.instance
        made = self.agent.mistakes(
            instance, protocol_markdown, arm=context.arm, phase=context.phase, attempt=context.attempt
        )
        _, spec = task_spec(instance.task_id)
        code = render(spec, instance.params, made)
        tokens_in = 200 + estimate_tokens(task_prompt + protocol_markdown + (feedback or ""))
        tokens_out = 40 + estimate_tokens(code)
        return Attempt(code, tokens_in, tokens_out, self.price.cost(tokens_in, tokens_out), estimated=True)


class SimulatedReflector:
    """Writes a family's rule for the mistake it recognises in the pattern's real wrong code.

    It recognises the mistake by re-rendering the instance's template with each set of mistake kinds
    and finding the one that reproduces the failing code exactly; code it did not write is ignored.
    """

    def __init__(self, instances: Sequence[TaskInstance]) -> None:
        self.instances = {i.instance_id: i for i in instances}

    def kinds_in(self, example: ValidatedExample) -> tuple[TaskInstance, frozenset[str]] | None:
        instance = self.instances.get(example.instance_id)
        if instance is None or not instance.task_id.startswith("builtin/"):
            return None
        _, spec = task_spec(instance.task_id)
        for size in range(1, len(spec.kinds) + 1):
            for combo in combinations(spec.kinds, size):
                if render(spec, instance.params, frozenset(combo)) == example.wrong:
                    return instance, frozenset(combo)
        return None

    async def write_insight(
        self, pattern: Mapping[str, Any], examples: Sequence[ValidatedExample]
    ) -> InsightDraft | None:
        """The rule of the mistake every example shares; when a pattern lumps several, the one or two most frequent."""
        found = [hit for hit in (self.kinds_in(e) for e in examples) if hit is not None]
        if not found:
            return None
        sets = [frozenset((instance.family, kind) for kind in kinds) for instance, kinds in found]
        ordered = sorted(frozenset.intersection(*sets))
        if not ordered:  # a pattern that lumps different mistakes: address the most frequent ones, briefly
            counts = Counter(mistake for mistakes in sets for mistake in mistakes)
            ranked = sorted(counts, key=lambda m: (-counts[m], m))
            fits = sum(len(FAMILY_BY_NAME[f].kinds[k].rule) + 1 for f, k in ranked[:2]) <= MAX_RULE_CHARS
            ordered = ranked[:2] if fits else ranked[:1]
        family_name, kind = ordered[0]
        instance = next(i for i, kinds in found if i.family == family_name and kind in kinds)
        wrong, right = slot_snippets(task_spec(instance.task_id)[1], instance.params, kind)
        return InsightDraft(
            rule=" ".join(FAMILY_BY_NAME[f].kinds[k].rule for f, k in ordered),
            example_wrong=wrong or "# (the wrong version leaves this step out)",
            example_right=right,
        )
