"""The action taxonomy: categories of the steps of a task, which protocol rules and pitfalls attach to."""

from .extend import (
    CategoryIn,
    TaxonomyView,
    add_category,
    base_taxonomy,
    describe_taxonomy,
    load_taxonomy_file,
    taxonomy_for,
)
from .model import Category, Detection, Taxonomy, valid_category_id, within
from .python import PYTHON


def default_taxonomy() -> Taxonomy:
    """The built-in taxonomy (Python)."""
    return Taxonomy.of(PYTHON)


__all__ = [
    "PYTHON",
    "Category",
    "CategoryIn",
    "Detection",
    "Taxonomy",
    "TaxonomyView",
    "add_category",
    "base_taxonomy",
    "default_taxonomy",
    "describe_taxonomy",
    "load_taxonomy_file",
    "taxonomy_for",
    "valid_category_id",
    "within",
]
