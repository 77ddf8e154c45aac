"""Action items of a new task: caller keys to database keys, parents before children."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .base import Conflict, NewActionItem, NotFound
from .values import clean_text


@dataclass(frozen=True, slots=True)
class ItemRow:
    key: int
    parent_key: int | None
    name: str
    category: str
    description: str
    position: int


def plan_items(items: Sequence[NewActionItem], keys: Sequence[int]) -> list[ItemRow]:
    """Rows for `items`, given `keys` in order, listed parents first (so each row's parent exists).

    Raises `Conflict` for a repeated key or a parent cycle, `NotFound` for a `parent_key` that
    names no item of the task.
    """
    key_of: dict[str, int] = {}
    for item, key in zip(items, keys, strict=True):
        if item.key in key_of:
            raise Conflict(f"action item key {item.key!r} is used twice in this task")
        key_of[item.key] = key
    for item in items:
        if item.parent_key is not None and item.parent_key not in key_of:
            raise NotFound(
                f"parent_key {item.parent_key!r} of action item {item.key!r} names no item of this task"
            )

    by_key = {item.key: item for item in items}
    ordered: list[ItemRow] = []
    placed: set[str] = set()
    for item in items:
        chain: list[NewActionItem] = []
        current: NewActionItem | None = item
        while current is not None and current.key not in placed:
            if any(member.key == current.key for member in chain):
                cycle = " -> ".join(repr(c.key) for c in chain)
                raise Conflict(f"action items form a parent cycle: {cycle}")
            chain.append(current)
            current = None if current.parent_key is None else by_key[current.parent_key]
        for member in reversed(chain):
            placed.add(member.key)
            ordered.append(
                ItemRow(
                    key=key_of[member.key],
                    parent_key=None if member.parent_key is None else key_of[member.parent_key],
                    name=clean_text(member.name),
                    category=clean_text(member.category),
                    description=clean_text(member.description),
                    position=member.position,
                )
            )
    return ordered
