"""Extending the built-in taxonomy: from a JSON file named in the settings, and per workspace.

The JSON file holds ``{"categories": [{"id": ..., "name": ..., "description": ..., "keywords": [...],
"error_categories": [...], "phase": ..., "always": false, "order": 500}, ...]}``. A category with
the id of a built-in one replaces it; a new top-level id (``rust``) starts a new domain.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from store.learning import LearningStore, TaxonomyCategoryRecord
from tools.errors import InvalidInput

from .model import Category, Taxonomy, valid_category_id
from .python import PYTHON


class CategoryIn(BaseModel):
    """An action category to add to the taxonomy of a workspace."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(
        description='Dotted lowercase path whose parent already exists, e.g. "python.io.http" under "python.io".',
        max_length=120,
    )
    name: str = Field(
        description='The step as a short instruction, e.g. "Call the HTTP API".', min_length=1, max_length=120
    )
    description: str = Field(
        description="What doing this step well means, in one or two sentences.", min_length=1, max_length=600
    )
    keywords: list[str] = Field(
        default_factory=list,
        description="Words or phrases that reveal a task has this step (matched as whole words, case-insensitive).",
        max_length=60,
    )
    error_categories: list[str] = Field(
        default_factory=list,
        description='Error categories (or prefixes, e.g. "runtime.http") whose errors usually come from this step.',
        max_length=30,
    )
    phase: str | None = Field(
        None,
        description="Category of the decomposition step this one nests under; omit for a top-level step.",
    )
    always: bool = Field(False, description="True to include the step in every decomposition of its domain.")
    order: int = Field(500, description="Position among sibling steps (smaller first).", ge=0, le=10_000)

    def to_category(self) -> Category:
        return Category(
            id=self.id,
            name=self.name,
            description=self.description,
            keywords=tuple(self.keywords),
            error_categories=tuple(self.error_categories),
            phase=self.phase,
            always=self.always,
            order=self.order,
        )


class CategoryOut(BaseModel):
    id: str = Field(description="Dotted category id; rules scoped to it also apply to its sub-categories.")
    parent: str | None = Field(description="The enclosing category, or null for a domain root.")
    name: str = Field(description="The step as an instruction.")
    description: str = Field(description="What doing this step well means.")
    keywords: list[str] = Field(description="Words in a task's text that reveal this step.")
    error_categories: list[str] = Field(
        description="Error categories whose errors usually come from this step."
    )


class TaxonomyView(BaseModel):
    categories: list[CategoryOut] = Field(description="Every action category, parents before children.")
    markdown: str = Field(description="The same tree as an indented markdown list.")


def _file_categories(path: str) -> list[Category]:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"taxonomy file {path!r} cannot be read as JSON: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("categories"), list):
        raise ValueError(f'taxonomy file {path!r} must hold {{"categories": [...]}}')
    out = []
    for index, item in enumerate(raw["categories"]):
        try:
            out.append(CategoryIn.model_validate(item).to_category())
        except ValidationError as exc:
            raise ValueError(f"taxonomy file {path!r}, category #{index}: {exc}") from exc
    return out


def load_taxonomy_file(path: str, base: Taxonomy | None = None) -> Taxonomy:
    """The built-in taxonomy (or `base`) extended with the categories of a JSON file.

    Raises ValueError naming the file and the bad entry, for the server to report at start-up.
    """
    return (base or Taxonomy.of(PYTHON)).extend(_file_categories(path))


def _from_record(record: TaxonomyCategoryRecord) -> Category:
    return Category(
        id=record.category,
        name=record.name,
        description=record.description,
        keywords=tuple(record.keywords),
        error_categories=tuple(record.error_categories),
        phase=record.phase,
        always=record.always,
        order=record.order,
    )


@lru_cache(maxsize=4)
def base_taxonomy(taxonomy_file: str | None = None) -> Taxonomy:
    """The built-in taxonomy extended by the settings' file, read once per process (the file is
    configuration: a change takes effect at the next start, like every other setting)."""
    return load_taxonomy_file(taxonomy_file) if taxonomy_file else Taxonomy.of(PYTHON)


async def taxonomy_for(*, store: LearningStore, workspace: str, taxonomy_file: str | None = None) -> Taxonomy:
    """The taxonomy a workspace works with: built-in, then the settings' file, then its own categories."""
    base = base_taxonomy(taxonomy_file)
    own = await store.taxonomy_categories(workspace)
    if not own:
        return base
    try:
        return base.extend(_from_record(r) for r in own)
    except ValueError:
        # A workspace category whose parent was removed from the file: keep the rest usable.
        usable = [r for r in own if r.category.rpartition(".")[0] in base or "." not in r.category]
        return base.extend(_from_record(r) for r in usable)


async def add_category(
    request: CategoryIn, *, store: LearningStore, workspace: str, taxonomy_file: str | None = None
) -> CategoryOut:
    """Add (or replace) a workspace action category after checking it fits the tree."""
    taxonomy = await taxonomy_for(store=store, workspace=workspace, taxonomy_file=taxonomy_file)
    if not valid_category_id(request.id):
        raise InvalidInput(f"'id' must be lowercase dotted words like 'python.io.http' (got {request.id!r}).")
    try:
        extended = taxonomy.extend([request.to_category()])
    except ValueError as exc:
        raise InvalidInput(f"{exc}. Read taxonomy://actions for the existing categories.") from exc
    await store.put_taxonomy_category(
        workspace,
        TaxonomyCategoryRecord(
            category=request.id,
            name=request.name,
            description=request.description,
            keywords=tuple(request.keywords),
            error_categories=tuple(request.error_categories),
            phase=request.phase,
            always=request.always,
            order=request.order,
        ),
    )
    return _out(extended.get(request.id))


def _out(category: Category) -> CategoryOut:
    return CategoryOut(
        id=category.id,
        parent=category.parent,
        name=category.name,
        description=category.description,
        keywords=list(category.keywords),
        error_categories=list(category.error_categories),
    )


def describe_taxonomy(taxonomy: Taxonomy) -> TaxonomyView:
    """The taxonomy as data and as markdown (for the ``taxonomy://actions`` resource)."""
    lines = ["# Action taxonomy", ""]
    ordered: list[Category] = []

    def walk(category: Category, depth: int) -> None:
        ordered.append(category)
        lines.append(f"{'  ' * depth}- `{category.id}` {category.name}: {category.description}")
        for child in taxonomy.children(category.id):
            walk(child, depth + 1)

    for domain in taxonomy.domains():
        walk(taxonomy.get(domain), 0)
    return TaxonomyView(categories=[_out(c) for c in ordered], markdown="\n".join(lines) + "\n")
