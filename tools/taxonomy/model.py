"""The action taxonomy: a tree of dotted categories (``python.io.parse``) that steps of a task and
protocol rules are filed under.

A category covers its descendants: a rule scoped to ``python.io`` applies to ``python.io.parse``
and ``python.io.format``; a rule scoped to ``python`` applies to every Python step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    """Dotted path; the parent is the path without its last segment (``python.io`` for ``python.io.parse``)."""
    name: str
    """The step as an instruction (``Parse the input``)."""
    description: str
    keywords: tuple[str, ...] = ()
    """Words or phrases whose presence in a task's text means the task has this step (case-insensitive,
    whole words)."""
    error_categories: tuple[str, ...] = ()
    """Error categories (``runtime.index``) or prefixes of them (``performance``) whose errors usually
    come from this step."""
    phase: str | None = None
    """The category of the decomposition step this one nests under; None for a top-level step."""
    always: bool = False
    """Part of every decomposition of its domain (keywords are then only used to describe it)."""
    order: int = 500
    """Position among siblings in a decomposition (smaller first)."""

    @property
    def parent(self) -> str | None:
        head, dot, _ = self.id.rpartition(".")
        return head if dot else None

    @property
    def domain(self) -> str:
        return self.id.split(".", 1)[0]


def within(category: str, scope: str) -> bool:
    """True when `category` is `scope` or one of its descendants (by whole dotted segments)."""
    return category == scope or category.startswith(scope + ".")


_CATEGORY_ID = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*){0,5}$")


def valid_category_id(text: str) -> bool:
    return bool(_CATEGORY_ID.match(text))


def _keyword_regex(keywords: Iterable[str]) -> re.Pattern[str] | None:
    parts = sorted({k.strip().lower() for k in keywords if k.strip()}, key=len, reverse=True)
    if not parts:
        return None
    alternatives = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in parts)
    # Lookarounds rather than \b so that keywords such as ">>>" or "o(n)" still match whole.
    return re.compile(rf"(?<![\w]){'(?:' + alternatives + ')'}(?![\w])", re.IGNORECASE)


@dataclass(frozen=True)
class Detection:
    category: Category
    matched: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    categories: Mapping[str, Category]
    _regexes: dict[str, re.Pattern[str] | None] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, categories: Iterable[Category]) -> Taxonomy:
        by_id: dict[str, Category] = {}
        for category in categories:
            by_id[category.id] = category
        for category in by_id.values():
            if not valid_category_id(category.id):
                raise ValueError(
                    f"category id must be lowercase dotted words like 'python.io.parse' (got {category.id!r})"
                )
            if category.parent is not None and category.parent not in by_id:
                raise ValueError(f"category {category.id!r} needs its parent {category.parent!r} to exist")
            if category.phase is not None and category.phase not in by_id:
                raise ValueError(f"category {category.id!r} nests under unknown phase {category.phase!r}")
        return cls(dict(sorted(by_id.items())))

    def extend(self, categories: Iterable[Category]) -> Taxonomy:
        """A taxonomy with `categories` added; a category with an existing id replaces it."""
        return Taxonomy.of([*self.categories.values(), *categories])

    def __contains__(self, category_id: object) -> bool:
        return category_id in self.categories

    def get(self, category_id: str) -> Category:
        return self.categories[category_id]

    def ids(self) -> list[str]:
        return list(self.categories)

    def domains(self) -> list[str]:
        return [c.id for c in self.categories.values() if c.parent is None]

    def children(self, category_id: str) -> list[Category]:
        return sorted(
            (c for c in self.categories.values() if c.parent == category_id), key=lambda c: (c.order, c.id)
        )

    def in_domain(self, domain: str) -> list[Category]:
        return sorted(
            (c for c in self.categories.values() if c.domain == domain), key=lambda c: (c.order, c.id)
        )

    def closest(self, text: str, *, limit: int = 3) -> list[str]:
        import difflib

        return difflib.get_close_matches(text, self.ids(), n=limit, cutoff=0.5)

    def detect(self, text: str, *, domain: str) -> list[Detection]:
        """Categories of `domain` whose keywords occur in `text`, in taxonomy order."""
        found = []
        for category in self.in_domain(domain):
            if category.id not in self._regexes:
                self._regexes[category.id] = _keyword_regex(category.keywords)
            regex = self._regexes[category.id]
            if regex is None:
                continue
            matched = tuple(dict.fromkeys(m.group(0).lower() for m in regex.finditer(text)))
            if matched:
                found.append(Detection(category, matched))
        return found

    def for_error(self, error_category: str, *, domain: str = "python") -> list[str]:
        """Action categories that errors of `error_category` usually come from, most specific mapping
        first: every category listing the longest matching prefix of the error category."""
        best: list[str] = []
        best_len = -1
        for category in self.in_domain(domain):
            for prefix in category.error_categories:
                if within(error_category, prefix) and len(prefix) >= best_len:
                    if len(prefix) > best_len:
                        best, best_len = [], len(prefix)
                    best.append(category.id)
        return best or [domain]
