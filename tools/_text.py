"""Small text helpers the learning slices share."""

from __future__ import annotations


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters on a line boundary where one is near, marked when cut."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 4)]
    newline = cut.rfind("\n")
    if newline > limit // 2:
        cut = cut[:newline]
    return cut + "\n..."
