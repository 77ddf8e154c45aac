"""The tree of steps for a task, chosen from the taxonomy by the task's text (no LLM).

The root item is the task itself. Under it come the domain's always-present steps (understand,
design the interface, implement, edge cases, tests) and the top-level steps the text reveals (error
handling, performance); steps the text reveals that belong to a phase nest under that phase's
item (parsing under implementation, empty input under edge cases).
"""

from __future__ import annotations

import re

from store import NewActionItem
from tools.taxonomy import Detection, Taxonomy

SUMMARY_CHARS = 90


def summary(task: str) -> str:
    """The first sentence or line of the task, shortened."""
    first = re.split(r"(?<=[.!?])\s|\n", task.strip(), maxsplit=1)[0].strip()
    return first if len(first) <= SUMMARY_CHARS else first[: SUMMARY_CHARS - 3].rstrip() + "..."


def _describe(description: str, detection: Detection | None) -> str:
    if detection is None:
        return description
    mentions = ", ".join(f"'{m}'" for m in detection.matched[:5])
    return f"{description} The task mentions {mentions}."


def plan_items(task: str, taxonomy: Taxonomy, *, domain: str) -> list[NewActionItem]:
    root = taxonomy.get(domain)
    detected = {d.category.id: d for d in taxonomy.detect(task, domain=domain)}
    chosen = [
        c
        for c in taxonomy.in_domain(domain)
        if c.id != domain
        and (c.always or c.id in detected)
        and not (taxonomy.children(c.id) and not c.always and not c.keywords)
    ]
    chosen_ids = {c.id for c in chosen}
    items = [
        NewActionItem(
            key=domain,
            name=f"{root.name}: {summary(task)}",
            category=domain,
            description="The whole task. Work through the steps below in order; validate as you go.",
            position=0,
        )
    ]
    for position, category in enumerate(chosen, start=1):
        parent = category.phase if category.phase in chosen_ids and category.phase != category.id else domain
        items.append(
            NewActionItem(
                key=category.id,
                name=category.name,
                category=category.id,
                description=_describe(category.description, detected.get(category.id)),
                parent_key=parent,
                position=position,
            )
        )
    return _parents_first(items)


def _parents_first(items: list[NewActionItem]) -> list[NewActionItem]:
    """Depth-first order (a parent, then its children by position), which is also the order to work in."""
    children: dict[str | None, list[NewActionItem]] = {}
    for item in items:
        children.setdefault(item.parent_key, []).append(item)
    ordered: list[NewActionItem] = []

    def walk(key: str | None) -> None:
        for child in sorted(children.get(key, []), key=lambda i: i.position):
            ordered.append(child)
            walk(child.key)

    walk(None)
    return [
        NewActionItem(i.key, i.name, i.category, i.description, i.parent_key, n)
        for n, i in enumerate(ordered)
    ]
