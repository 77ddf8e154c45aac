"""The structural signature of an error: what fingerprinting produces and pattern mining consumes.

It is stored as JSON with every fingerprint group, so keys are only ever added, never renamed.
"""

from __future__ import annotations

from typing import TypedDict


class Features(TypedDict, total=False):
    error_type: str
    """Exception class name (``AssertionError``), or the static tool's name for findings (``ruff``)."""
    template: str
    """The message with numbers, quoted strings, paths, ids and addresses replaced by placeholders."""
    frames: list[str]
    """In-app frames, innermost last, as ``function: normalised source line`` (never line numbers)."""
    rule_code: str
    """Linter rule code for static findings (``B006``, ``F821``)."""
    assert_shape: str
    """Normalised source of the failing assert (``assert <call>(<list>) == <num>``)."""
    assert_op: str
    """Comparison operator of the failing assert (``==``, ``in``, ``is``...)."""
    expected_type: str
    """Type name of the expected operand of a failed comparison."""
    actual_type: str
    """Type name of the actual operand of a failed comparison."""
    value_relation: str
    """How actual differs from expected when both are known: ``off_by_one``, ``none``, ``empty``,
    ``sign``, ``order``, ``length``, ``case``, ``whitespace``, ``type``, ``precision`` (floats that differ
    only in rounding), ``negated`` (True for False), ``other``."""
    ast_context: list[str]
    """Node types enclosing the failing line in the solution, outermost first (``For``, ``Subscript``...)."""
    category: str
    """The error category (``logic.assertion``, ``runtime.index``...)."""
    source: str
    """Where the error was seen (``runtime``, ``test``, ``static``, ``review``...)."""
    source_line: str
    """Normalised offending line of a static finding or syntax error (``def add(item, items=[]):``)."""
    cause_type: str
    """Exception type the error was raised while handling (``During handling...``) or ``from``."""
