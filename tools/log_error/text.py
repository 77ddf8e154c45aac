"""Make client text safe to store: cut it to size first, then clean what is left.

Cutting comes first so that nothing after it (sanitising, secret scrubbing, parsing) ever runs over
more than a limit's worth of text, however large the input.
"""

from __future__ import annotations

import re

_TRUNCATION_MARK = "... [{n} characters cut] ..."
# Lone surrogates arrive from JSON ("\ud800") and from bytes decoded with surrogateescape.
_SURROGATES = re.compile("[\ud800-\udfff]")
# ANSI colour codes (pytest and rich output) and control characters other than tab and newline.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def sanitize(text: str) -> str:
    """Replace lone surrogates, drop NUL and other control characters and ANSI colours, use \\n line ends."""
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    return _CONTROL.sub("", text)


def cut_head(text: str, limit: int) -> tuple[str, int]:
    """Keep the first `limit` characters; return the text and how many were cut."""
    if len(text) <= limit:
        return text, 0
    return text[:limit], len(text) - limit


def cut_head_and_tail(text: str, limit: int, head_share: float) -> tuple[str, int]:
    """Keep the start and the end of `text` (`limit` characters in all), on line boundaries where possible.

    A traceback's end holds the exception and the innermost frames, its start the outermost
    frames, so the middle is what can go.
    """
    if len(text) <= limit:
        return text, 0
    head_len = int(limit * head_share)
    tail_len = limit - head_len
    head = text[:head_len]
    tail = text[len(text) - tail_len :]
    # Snap to whole lines unless that would throw most of a piece away.
    newline = head.rfind("\n")
    if newline > head_len // 2:
        head = head[: newline + 1]
    newline = tail.find("\n")
    if 0 <= newline < tail_len // 2:
        tail = tail[newline + 1 :]
    cut = len(text) - len(head) - len(tail)
    mark = _TRUNCATION_MARK.format(n=cut)
    return head.rstrip("\n") + "\n" + mark + "\n" + tail, cut
