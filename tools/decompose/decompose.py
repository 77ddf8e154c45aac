"""decompose: create a task and its tree of steps, each with its protocol rules and known pitfalls."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from store import ActionItemRecord
from store.base import Store
from tools.concurrently import concurrently
from tools.errors import InvalidInput
from tools.experiments.config import DEFAULT_CONFIG, LearningConfig
from tools.protocol.get import protocol_rule
from tools.protocol.models import ProtocolRule
from tools.protocol.render import fit
from tools.protocol.select import Scope, rank, select_rules
from tools.taxonomy import taxonomy_for, within

from .models import ActionItem, DecomposeRequest, Decomposition, ItemRule, Pitfall
from .pitfalls import find_pitfalls
from .plan import plan_items, summary


def attach_rules(
    rules: Sequence[ProtocolRule], items: Sequence[ActionItemRecord]
) -> dict[str, list[ProtocolRule]]:
    """Each rule goes to the outermost items its scope covers (not again to their children); a rule
    whose scope covers no item (relevant by similarity) goes to the root item."""
    root = next(item for item in items if item.parent_id is None)
    out: dict[str, list[ProtocolRule]] = {}
    for rule in rules:
        covered = [item for item in items if within(item.category, rule.scope)]
        covered_ids = {item.action_id for item in covered}
        outermost = [item for item in covered if item.parent_id not in covered_ids]
        for item in outermost or [root]:
            out.setdefault(item.action_id, []).append(rule)
    return out


def _item_rule(rule: ProtocolRule) -> ItemRule:
    return ItemRule(
        id=rule.id,
        text=rule.text,
        status=rule.status,
        example_wrong=rule.example_wrong,
        example_right=rule.example_right,
    )


def render_plan(task_id: str, task: str, version: int, items: Sequence[ActionItem], *, holdout: bool) -> str:
    depth: dict[str | None, int] = {None: -1}
    lines = [
        f"# Task {task_id}: {summary(task)}",
        "",
        f"Protocol v{version}{' (baseline)' if holdout else ''}.",
        "",
    ]
    for item in items:
        level = depth[item.parent_id] + 1
        depth[item.id] = level
        pad = "  " * level
        lines.append(f"{pad}- [ ] {item.name} (`{item.category}`, {item.id})")
        for rule in item.rules:
            lines.append(f"{pad}  - Rule {rule.id}: {rule.text}")
        for pitfall in item.pitfalls:
            advice = f" -> {pitfall.insight.rule}" if pitfall.insight else ""
            lines.append(
                f"{pad}  - Pitfall {pitfall.pattern_id}: {pitfall.title} ({pitfall.frequency} errors in "
                f"{pitfall.distinct_tasks} tasks){advice}"
            )
    return "\n".join(lines) + "\n"


async def decompose(
    request: DecomposeRequest, *, store: Store, workspace: str, config: LearningConfig = DEFAULT_CONFIG
) -> Decomposition:
    """Create the task and its steps (chosen from the action taxonomy by the task's text, no LLM).

    Every step carries the protocol rules in scope for it (as this task's experiment arms show
    them) and the known pitfalls of that kind of step.
    """
    taxonomy, version = await concurrently(
        functools.partial(taxonomy_for, store=store, workspace=workspace, taxonomy_file=config.taxonomy_file),
        functools.partial(store.protocol_version, workspace),
    )
    if request.domain not in taxonomy.domains():
        raise InvalidInput(
            f"Unknown domain {request.domain!r}; known: {', '.join(repr(d) for d in taxonomy.domains())}. "
            "Omit domain for Python tasks."
        )
    text = request.task.strip()
    if not text:
        raise InvalidInput("'task' must describe the task (got only whitespace).")
    task = await store.create_task(
        workspace,
        text,
        domain=request.domain,
        items=plan_items(text, taxonomy, domain=request.domain),
        protocol_version=version,
    )
    scope = Scope(categories=[item.category for item in task.items], text=text, task_id=task.task_id)
    selection = await select_rules(store=store, workspace=workspace, config=config, scope=scope)
    ranked = [protocol_rule(c) for c in rank(selection.shown)]
    kept, _, _ = fit(
        ranked, version=selection.version, max_tokens=config.protocol_max_tokens, holdout=selection.holdout
    )
    rules = attach_rules(kept, task.items)
    pitfalls: dict[str, list[Pitfall]] = {}
    if not selection.holdout:  # the hold-out sees nothing learned, pitfalls included
        pitfalls = await find_pitfalls(
            store=store,
            workspace=workspace,
            taxonomy=taxonomy,
            items=task.items,
            text=text,
            task_id=task.task_id,
            shown=kept,
            config=config,
        )
    items = [
        ActionItem(
            id=item.action_id,
            parent_id=item.parent_id,
            name=item.name,
            category=item.category,
            description=item.description,
            rules=[_item_rule(r) for r in rules.get(item.action_id, [])],
            pitfalls=pitfalls.get(item.action_id, []),
        )
        for item in sorted(task.items, key=lambda i: i.position)
    ]
    return Decomposition(
        task_id=task.task_id,
        domain=request.domain,
        protocol_version=selection.version,
        items=items,
        arm=dict(selection.arms),
        holdout=selection.holdout,
        markdown=render_plan(task.task_id, text, selection.version, items, holdout=selection.holdout),
    )
