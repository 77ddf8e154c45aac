"""The built-in suite: 12 families of 4 original Python tasks, each with named mistake kinds.

Five families hinge on project knowledge a fresh model cannot have (the ``housekit`` conventions:
error class and message, money helper, record format, result envelopes, clock units); seven are
generic pitfalls whose requirement is stated in the prompt.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import (
    clock,
    csv_fields,
    envelopes,
    house_errors,
    lookups,
    money,
    mutation,
    numeric,
    ordering,
    ranges,
    records,
    text,
)
from .spec import Family, Kind, TaskSpec

FAMILIES: tuple[Family, ...] = (
    house_errors.FAMILY,
    money.FAMILY,
    records.FAMILY,
    envelopes.FAMILY,
    clock.FAMILY,
    ranges.FAMILY,
    text.FAMILY,
    mutation.FAMILY,
    numeric.FAMILY,
    csv_fields.FAMILY,
    lookups.FAMILY,
    ordering.FAMILY,
)

FAMILY_BY_NAME = {f.name: f for f in FAMILIES}


def families(names: Iterable[str] | None = None) -> tuple[Family, ...]:
    """The named families in suite order (all of them for None); unknown names are an error."""
    if names is None:
        return FAMILIES
    wanted = list(dict.fromkeys(names))
    unknown = [n for n in wanted if n not in FAMILY_BY_NAME]
    if unknown:
        raise ValueError(
            f"unknown task famil{'y' if len(unknown) == 1 else 'ies'} {unknown!r}; known: {', '.join(FAMILY_BY_NAME)}"
        )
    return tuple(f for f in FAMILIES if f.name in wanted)


def task_spec(task_id: str) -> tuple[Family, TaskSpec]:
    """The family and spec of a built-in task id such as ``builtin/money.add_tax``."""
    _, _, qualified = task_id.partition("/")
    family_name, _, task_name = qualified.partition(".")
    family = FAMILY_BY_NAME.get(family_name)
    spec = next((t for t in family.tasks if t.name == task_name), None) if family else None
    if family is None or spec is None:
        raise KeyError(f"{task_id!r} is not a built-in task")
    return family, spec


def all_kinds() -> dict[str, Kind]:
    """Every mistake kind, keyed ``family/kind``."""
    return {f"{f.name}/{name}": kind for f in FAMILIES for name, kind in f.kinds.items()}


__all__ = ["FAMILIES", "FAMILY_BY_NAME", "Family", "Kind", "TaskSpec", "all_kinds", "families", "task_spec"]
