"""Rules as markdown within a token budget.

Tokens are estimated as ceil(characters / 4), the usual rule of thumb for English and code with
BPE tokenizers (`tools.evaluation.pricing.estimate_tokens`). Rules are taken
in rank order; one that does not fit with its examples is tried without them, and one that does
not fit at all is left out (and named in `omitted`) while smaller ones after it may still fit.
The budget is checked on the final markdown, so `estimate_tokens(markdown) <= max_tokens` always.
"""

from __future__ import annotations

from collections.abc import Sequence

from tools._text import clip
from tools.evaluation.pricing import estimate_tokens

from .models import ProtocolRule

EXAMPLE_CHARS = 600


def _evidence_note(rule: ProtocolRule) -> str:
    e = rule.effectiveness
    if (
        rule.status == "adopted"
        and e is not None
        and e.treatment.rate is not None
        and e.control.rate is not None
    ):
        return (
            f"proven: pattern in {e.treatment.events}/{e.treatment.tasks} tasks with the rule "
            f"vs {e.control.events}/{e.control.tasks} without"
        )
    if rule.status == "trial":
        return "on trial"
    return rule.status


def _fence(code: str) -> str:
    return "```python\n" + clip(code.strip("\n"), EXAMPLE_CHARS) + "\n```"


def render_rule(rule: ProtocolRule, *, with_examples: bool) -> str:
    head = f"- **{rule.id}** `{rule.scope}` ({_evidence_note(rule)}): {rule.text}"
    if not with_examples or not (rule.example_wrong or rule.example_right):
        return head
    parts = [head]
    if rule.example_wrong:
        parts.append("  Wrong:\n" + _indent(_fence(rule.example_wrong)))
    if rule.example_right:
        parts.append("  Right:\n" + _indent(_fence(rule.example_right)))
    return "\n".join(parts)


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else line for line in text.splitlines())


def header(version: int, count: int, *, holdout: bool) -> str:
    label = "baseline protocol" if holdout else "protocol"
    if count == 0:
        return f"# Fractal-RMO {label} v{version}\n\nNo learned rules apply to this yet.\n"
    return f"# Fractal-RMO {label} v{version}: {count} rule{'s' if count != 1 else ''} to follow\n\n"


def fit(
    rules: Sequence[ProtocolRule], *, version: int, max_tokens: int, holdout: bool
) -> tuple[list[ProtocolRule], str, list[str]]:
    """(rules kept, markdown, ids omitted) with the markdown's estimated tokens within `max_tokens`."""
    kept: list[ProtocolRule] = []
    blocks: list[str] = []
    omitted: list[str] = []

    def compose(candidate_blocks: list[str]) -> str:
        return (
            header(version, len(candidate_blocks), holdout=holdout)
            + "\n".join(candidate_blocks)
            + ("\n" if candidate_blocks else "")
        )

    for rule in rules:
        for with_examples in (True, False):
            block = render_rule(rule, with_examples=with_examples)
            if estimate_tokens(compose([*blocks, block])) <= max_tokens:
                blocks.append(block)
                kept.append(
                    rule
                    if with_examples
                    else rule.model_copy(update={"example_wrong": None, "example_right": None})
                )
                break
        else:
            omitted.append(rule.id)
    markdown = compose(blocks)
    if estimate_tokens(markdown) > max_tokens:  # only the empty header can get here, with a tiny budget
        markdown = markdown[: max_tokens * 4]
    return kept, markdown, omitted
