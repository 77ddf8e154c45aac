"""Text of the ``reflect_on_pattern`` prompt: asks the client's model to write an insight for a
pattern and submit it with ``propose_insight``."""

from __future__ import annotations

from collections.abc import Sequence

from store import PatternRecord
from store.base import Store
from store.learning import RuleRecord
from tools._text import clip
from tools.experiments.config import DEFAULT_CONFIG, LearningConfig
from tools.insights.examples import wrong_snippet
from tools.insights.propose import default_scope, load_pattern
from tools.taxonomy import taxonomy_for

INSTRUCTIONS = """\
Write ONE rule that would have prevented these errors, for an AI coding assistant to read before \
it writes code for a new task.

- Make it specific to this mistake and actionable while coding ("Split on the exact separator and \
strip each field before int()"), not generic advice ("be careful", "test your code").
- One to three sentences, at most {max_chars} characters.
- Give a minimal wrong -> right example: a few lines that make the mistake (prefer the real code \
above) and the same lines fixed.
- Pick the scope: the step of a task where the rule applies, from the categories below. The \
pattern's errors came from `{default_scope}`.

Then call `propose_insight` with pattern_id "{pattern_id}", rule, example_wrong, example_right and \
scope. The rule goes on trial and is adopted only if tasks that see it repeat this mistake \
measurably less often.
"""


def _pattern_section(pattern: PatternRecord) -> str:
    lines = [
        f"Pattern {pattern.pattern_id}: {pattern.title}",
        f"- Signature: {pattern.signature}",
        f"- Error category: {pattern.category}",
        f"- Seen {pattern.frequency} times in {pattern.distinct_tasks} tasks "
        f"({pattern.first_seen:%Y-%m-%d} to {pattern.last_seen:%Y-%m-%d}).",
    ]
    for number, example in enumerate(pattern.examples, start=1):
        lines.append(f"\nExample {number} ({example.error_id}): {clip(example.message, 600)}")
        snippet = wrong_snippet(example)
        if snippet:
            lines.append("```python\n" + snippet + "\n```")
        if example.traceback:
            lines.append(
                "Traceback (last lines):\n```\n" + "\n".join(example.traceback.splitlines()[-8:]) + "\n```"
            )
    return "\n".join(lines)


def reflect_on_pattern_text(
    pattern: PatternRecord,
    *,
    categories: Sequence[str],
    default_scope: str,
    existing_rules: Sequence[RuleRecord] = (),
    max_rule_chars: int = 500,
) -> str:
    parts = [_pattern_section(pattern)]
    if existing_rules:
        parts.append(
            "\nRules already proposed for this pattern (write a different one):\n"
            + "\n".join(f"- {r.rule_id} [{r.status}] {r.text}" for r in existing_rules)
        )
    parts.append(
        "\n"
        + INSTRUCTIONS.format(
            max_chars=max_rule_chars, default_scope=default_scope, pattern_id=pattern.pattern_id
        )
    )
    parts.append("Categories:\n" + "\n".join(f"- {c}" for c in categories))
    return "\n".join(parts)


def reflect_on_pattern_messages(
    pattern: PatternRecord,
    *,
    categories: Sequence[str],
    default_scope: str,
    existing_rules: Sequence[RuleRecord] = (),
    max_rule_chars: int = 500,
) -> list[tuple[str, str]]:
    """(role, text) messages of the ``reflect_on_pattern`` prompt."""
    return [
        (
            "user",
            reflect_on_pattern_text(
                pattern,
                categories=categories,
                default_scope=default_scope,
                existing_rules=existing_rules,
                max_rule_chars=max_rule_chars,
            ),
        )
    ]


async def reflect_on_pattern(
    pattern_id: str, *, store: Store, workspace: str, config: LearningConfig = DEFAULT_CONFIG
) -> list[tuple[str, str]]:
    """The prompt for a stored pattern (raises `tools.errors.InvalidInput` for an unknown id)."""
    pattern = await load_pattern(store, workspace, pattern_id)
    taxonomy = await taxonomy_for(store=store, workspace=workspace, taxonomy_file=config.taxonomy_file)
    return reflect_on_pattern_messages(
        pattern,
        categories=[c for c in taxonomy.ids() if "." in c],
        default_scope=default_scope(pattern, taxonomy),
        existing_rules=await store.list_rules(workspace, pattern_id=pattern.pattern_id),
        max_rule_chars=config.max_rule_chars,
    )
