"""Real wrong examples: the few lines of a validated error's code around the line that failed."""

from __future__ import annotations

import re
from collections.abc import Sequence

from store import StoredError

from .._text import clip

_FRAME_LINE = re.compile(r'File "([^"]+)", line (\d+)')
_LIBRARY_PATH = re.compile(r"site-packages|dist-packages|/lib/python\d|<frozen ")


def failing_line(error: StoredError) -> int | None:
    """The 1-based line of the error's code that failed, from the evidence or the innermost in-app frame."""
    line = error.details.get("line")
    if isinstance(line, int) and not isinstance(line, bool) and line > 0:
        return line
    if error.traceback:
        in_app = [
            int(n) for path, n in _FRAME_LINE.findall(error.traceback) if not _LIBRARY_PATH.search(path)
        ]
        if in_app:
            return in_app[-1]
    return None


def wrong_snippet(error: StoredError, *, max_lines: int = 12, max_chars: int = 1200) -> str | None:
    """Up to `max_lines` lines of the error's code centred on the failing line (all of it when short)."""
    if not error.code or not error.code.strip():
        return None
    lines = error.code.rstrip().splitlines()
    if len(lines) > max_lines:
        line = failing_line(error)
        if line is None or line > len(lines):
            lines = lines[:max_lines]
        else:
            start = max(0, line - 1 - (max_lines * 2) // 3)
            lines = lines[start : start + max_lines]
    return clip("\n".join(lines), max_chars)


def best_wrong_example(errors: Sequence[StoredError], **kwargs: int) -> tuple[str, str] | None:
    """(snippet, error id) from the first example error that has code."""
    for error in errors:
        snippet = wrong_snippet(error, **kwargs)
        if snippet:
            return snippet, error.error_id
    return None
