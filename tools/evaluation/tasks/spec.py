"""How a built-in task is declared: a code template with slots, a parameter generator and test cases.

A task's reference solution is its template with every slot filled by the right snippet; a mistake
kind swaps in its wrong snippet. Hidden tests are generated per instance: each case is run on the
reference solution (our own trusted code, in-process) and its observed result becomes the literal
expected value, so tests and reference can never drift apart.
"""

from __future__ import annotations

import random
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

CaseStyle = Literal["value", "unchanged", "twice"]


@dataclass(frozen=True, slots=True)
class Case:
    """One hidden test: call the entry point with `args`.

    ``value``: assert the returned value (or, when the reference raises, the exception's class and
    message). ``unchanged``: also assert the arguments were not mutated. ``twice``: call twice and
    assert the second result (catches state leaking between calls).
    """

    args: tuple[Any, ...]
    style: CaseStyle = "value"


@dataclass(frozen=True, slots=True)
class Kind:
    """A named mistake of a family: the rule that prevents it and how a reader recognises that rule."""

    rule: str
    """The rule a reflecting model would write after seeing this mistake fail."""
    keywords: tuple[str, ...]
    """Phrases (case-insensitive, all required) that mark a rule as being about this mistake."""
    fix: tuple[str, ...]
    """Code fragments of the correct advice; a rule naming the mistake without them is misleading."""


@dataclass(frozen=True, slots=True)
class TaskSpec:
    name: str
    entry_point: str
    prompt: str
    """Task text shown to the executor; ``$param`` placeholders are filled per instance."""
    code: str
    """Solution template: ``$param`` placeholders and ``<<slot>>`` markers (inline or on their own line)."""
    slots: Mapping[str, Mapping[str | None, str]]
    """slot -> {None: right snippet, kind: wrong snippet}. Kinds a task supports are the keys used here."""
    params: Callable[[random.Random], dict[str, Any]]
    cases: Callable[[random.Random, Mapping[str, Any]], Sequence[Case]]

    @property
    def kinds(self) -> tuple[str, ...]:
        found: list[str] = []
        for variants in self.slots.values():
            found.extend(k for k in variants if k is not None and k not in found)
        return tuple(found)


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    title: str
    convention: bool
    """True when the mistakes come from project knowledge a fresh model cannot have."""
    kinds: Mapping[str, Kind]
    tasks: Sequence[TaskSpec]
    intro: str = ""
    """Text put before every task prompt of the family (the project context the model is told)."""
    preamble_modules: tuple[str, ...] = field(default=())
    """housekit modules the family's solutions may import."""


_SLOT = re.compile(r"<<([a-z_]+)>>")
_PARAM = re.compile(r"\$([a-z_]+)")


def fill_params(text: str, params: Mapping[str, Any], *, code: bool = False) -> str:
    """Replace ``$name`` placeholders: by the value's repr in code, by its text in prose."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            return match.group(0)
        value = params[name]
        return repr(value) if code or not isinstance(value, str) else value

    return _PARAM.sub(replace, text)


def render(spec: TaskSpec, params: Mapping[str, Any], mistakes: frozenset[str] = frozenset()) -> str:
    """The solution code with the wrong snippet of every mistake in `mistakes`, the right one elsewhere."""
    unknown = mistakes - set(spec.kinds)
    if unknown:
        raise ValueError(
            f"task {spec.name!r} has no mistake kind {sorted(unknown)!r}; it has {list(spec.kinds)!r}"
        )

    def snippet(slot: str) -> str:
        variants = spec.slots[slot]
        chosen = [k for k in variants if k is not None and k in mistakes]
        return variants[chosen[0]] if chosen else variants[None]

    lines = []
    for line in textwrap.dedent(spec.code).strip("\n").splitlines():
        whole = _SLOT.fullmatch(line.strip())
        if whole:
            indent = line[: len(line) - len(line.lstrip())]
            body = textwrap.dedent(snippet(whole.group(1))).strip("\n")
            lines.extend(indent + part if part else part for part in body.splitlines())
        else:
            lines.append(_SLOT.sub(lambda m: snippet(m.group(1)), line))
    return fill_params("\n".join(lines), params, code=True) + "\n"


def slot_snippets(spec: TaskSpec, params: Mapping[str, Any], kind: str) -> tuple[str, str]:
    """The (wrong, right) snippets a mistake kind changes, filled for one instance."""
    wrong, right = [], []
    for variants in spec.slots.values():
        if kind in variants:
            wrong.append(fill_params(textwrap.dedent(variants[kind]).strip(), params, code=True))
            right.append(fill_params(textwrap.dedent(variants[None]).strip(), params, code=True))
    return "\n".join(wrong), "\n".join(right)
