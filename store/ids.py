"""Public ids are a kind prefix and the row's integer key: ``p-12`` is pattern 12."""

from __future__ import annotations

from .base import NotFound

PREFIXES = {
    "error": "e",
    "pattern": "p",
    "task": "t",
    "action": "a",
    "execution": "x",
    "insight": "i",
    "rule": "r",
    "experiment": "ex",
}


def format_id(kind: str, key: int) -> str:
    return f"{PREFIXES[kind]}-{key}"


def parse_id(kind: str, public_id: str) -> int:
    """The integer key of `public_id`; raise `NotFound` when it is not an id of that kind."""
    prefix = PREFIXES[kind] + "-"
    if not isinstance(public_id, str) or not public_id.startswith(prefix):
        raise NotFound(f"{kind} id must look like {prefix}N (got {public_id!r})")
    digits = public_id[len(prefix) :]
    if not digits.isdigit() or len(digits) > 18:
        raise NotFound(f"{kind} id must look like {prefix}N (got {public_id!r})")
    return int(digits)
