"""Known pitfalls of a task's steps: confirmed patterns whose errors came from those kinds of steps.

A pattern belongs to the step its errors were logged against (their action category), or else to
the step its error category usually comes from (taxonomy mapping). It is shown on the task's item
of that category, or the nearest enclosing item. Patterns most similar to this task come first.
The pitfall carries its insight only when a rule for it is shown to this task: a task in the
control arm of that rule's trial must not see the rule by another road.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from store import ActionItemRecord, PatternRecord
from store.base import Store
from tools.experiments.config import LearningConfig
from tools.protocol.models import ProtocolRule
from tools.protocol.similarity import max_similarity
from tools.taxonomy import Taxonomy

from .models import Pitfall, PitfallInsight

MAX_PATTERNS = 50


def _home(
    category: str, by_category: Mapping[str, ActionItemRecord], root: ActionItemRecord
) -> ActionItemRecord:
    parts = category.split(".")
    while parts:
        item = by_category.get(".".join(parts))
        if item is not None:
            return item
        parts.pop()
    return root


def _categories(pattern: PatternRecord, taxonomy: Taxonomy) -> set[str]:
    logged = {
        e.action_category for e in pattern.examples if e.action_category and e.action_category in taxonomy
    }
    return logged or set(taxonomy.for_error(pattern.category))


def _pitfall(pattern: PatternRecord, rule: ProtocolRule | None) -> Pitfall:
    insight = None
    if rule is not None:
        insight = PitfallInsight(
            rule_id=rule.id,
            rule=rule.text,
            example_wrong=rule.example_wrong,
            example_right=rule.example_right,
        )
    return Pitfall(
        pattern_id=pattern.pattern_id,
        title=pattern.title,
        signature=pattern.signature,
        frequency=pattern.frequency,
        distinct_tasks=pattern.distinct_tasks,
        insight=insight,
    )


async def find_pitfalls(
    *,
    store: Store,
    workspace: str,
    taxonomy: Taxonomy,
    items: Sequence[ActionItemRecord],
    text: str,
    task_id: str,
    shown: Sequence[ProtocolRule],
    config: LearningConfig,
) -> dict[str, list[Pitfall]]:
    """Pitfalls per action id, at most `pitfalls_per_item` each and `pitfalls_per_task` in all."""
    if config.pitfalls_per_task == 0 or not items:
        return {}
    patterns = list((await store.list_patterns(workspace, status="confirmed", limit=MAX_PATTERNS)).patterns)
    if not patterns:
        return {}
    root = next(i for i in items if i.parent_id is None)
    by_category: dict[str, ActionItemRecord] = {}
    for item in items:
        by_category.setdefault(item.category, item)
    texts = await store.pattern_task_texts(
        workspace, [p.pattern_id for p in patterns], exclude_task_id=task_id
    )
    similar = max_similarity(text, texts)
    rule_for = {r.evidence.pattern_id: r for r in shown if r.evidence.pattern_id}

    placed: list[tuple[float, str, PatternRecord]] = []
    for pattern in patterns:
        score = similar.get(pattern.pattern_id, 0.0) + 0.05 * math.log1p(pattern.frequency)
        homes = {_home(c, by_category, root).action_id for c in _categories(pattern, taxonomy)}
        placed.extend((score, action_id, pattern) for action_id in homes)
    placed.sort(key=lambda entry: (-entry[0], entry[2].pattern_id, entry[1]))

    out: dict[str, list[Pitfall]] = {}
    total = 0
    seen: set[str] = set()
    for _, action_id, pattern in placed:
        if total >= config.pitfalls_per_task:
            break
        bucket = out.setdefault(action_id, [])
        if len(bucket) >= config.pitfalls_per_item or pattern.pattern_id in seen:
            continue
        bucket.append(_pitfall(pattern, rule_for.get(pattern.pattern_id)))
        seen.add(pattern.pattern_id)
        total += 1
    return out
