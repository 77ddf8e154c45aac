"""Value handling both backends share: UTC timestamps, storable text and JSON, page cursors.

Errors arrive from untrusted clients, so any Python string must be storable on both backends.
PostgreSQL refuses NUL characters in text and jsonb, and neither driver can encode lone
surrogates (which JSON escapes such as ``"\\ud800"`` produce), so both backends store those
characters as U+FFFD; JSON values get the same treatment, and standard JSON only (see
`dump_json`). Everything else round-trips exactly.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from datetime import UTC, datetime
from typing import Any

from .base import NotFound

# Page sizes beyond this are all the same "everything"; capping keeps limit + 1 inside 64 bits.
MAX_LIMIT = 2**62

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A JSON ``\u0000`` escape, but not an escaped backslash followed by "u0000".
_JSON_NUL = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")


def utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def clean_text(text: str) -> str:
    """`text` with the characters no backend can store replaced by U+FFFD."""
    if text.isascii() and "\x00" not in text:
        return text
    return _UNSTORABLE.sub("\ufffd", text)


def clean_optional(text: str | None) -> str | None:
    return None if text is None else clean_text(text)


def dump_json(value: Any) -> str:
    """Standard JSON text for a jsonb/TEXT column, storable on both backends.

    What JSON cannot express is stored in a form it can: NaN and infinities as the strings
    ``"NaN"``, ``"Infinity"``, ``"-Infinity"``, non-string keys and other objects as their str().
    """
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, default=str, separators=(",", ":"))
    except (ValueError, TypeError):
        text = json.dumps(
            _jsonable(value), ensure_ascii=False, allow_nan=False, default=str, separators=(",", ":")
        )
    text = clean_text(text)
    if "\\u0000" in text:
        text = _JSON_NUL.sub(lambda m: m.group(1) + "\\ufffd", text)
    return text


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# list_patterns pages by keyset: (frequency, last_seen, id), all descending.


def encode_cursor(frequency: int, last_seen: datetime, key: int) -> str:
    raw = json.dumps([frequency, utc(last_seen).isoformat(timespec="microseconds"), key])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, datetime, int]:
    """The keyset position of `cursor`; raise `NotFound` for anything `encode_cursor` did not make."""
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        frequency, last_seen, key = json.loads(raw)
        if not (isinstance(frequency, int) and isinstance(key, int) and isinstance(last_seen, str)):
            raise ValueError(cursor)
        return frequency, utc(datetime.fromisoformat(last_seen)), key
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise NotFound(
            f"cursor {cursor!r} is not a next_cursor from this listing; list again without a cursor"
        ) from exc


def category_prefix(category: str) -> tuple[str, str]:
    """(the category itself, the prefix of its sub-categories) for a category filter.

    Categories are dotted paths, so ``runtime`` matches ``runtime`` and ``runtime.index`` but not
    ``runtimes``. Backends compare the prefix as plain text, never as a LIKE pattern: a client's
    filter may be any string, of any length.
    """
    exact = category.rstrip(".")
    return exact, exact + "."
