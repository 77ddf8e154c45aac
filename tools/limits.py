"""Size limits on what the server accepts from a client and keeps.

Inputs over a limit are cut, never refused: a client that pastes a 50 MB log still gets its error
recorded, with a note saying what was cut. Limits count characters (after decoding), not bytes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    message_chars: int = 8 * 1024
    """An error message longer than this keeps its beginning (where Python puts the useful part)."""

    traceback_chars: int = 64 * 1024
    """A longer traceback keeps its head and its tail: the first frames and the exception at the end."""

    traceback_head_share: float = 0.25
    """Share of `traceback_chars` given to the head; the tail gets the rest."""

    code_chars: int = 200 * 1024
    """Source code kept with an error. Matches the largest solution validate_code accepts."""

    detail_chars: int = 4 * 1024
    """Each string inside evidence or details (operand reprs, assert source, test names)."""

    detail_items: int = 64
    """Keys kept from a details mapping and items kept from a list inside it."""

    ast_code_chars: int = 100 * 1024
    """Code larger than this is stored but not parsed for the AST context of the failing line."""

    fingerprint_frames: int = 5
    """Innermost in-app frames that go into a fingerprint; deeper callers do not split groups."""

    template_chars: int = 500
    """Length of the parameterised message template kept in the fingerprint and features."""

    title_chars: int = 120
    """Length of a pattern title."""


DEFAULT_LIMITS = Limits()
