"""The SQLite database URL: ``sqlite:///path.db[?synchronous=normal|full]``.

Apart from the connection code, so settings can check a URL at start-up, before anything is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

from ..open import redact_url

MEMORY = ":memory:"
SYNCHRONOUS = ("normal", "full")
VALID_FORMS = (
    "sqlite:///relative/path.db, sqlite:////absolute/path.db or sqlite:///:memory:, with no option but "
    "?synchronous=normal (the default: survives a killed server) or ?synchronous=full (survives a "
    "power cut too)"
)


@dataclass(frozen=True, slots=True)
class SqliteUrl:
    path: str  # a file path, or ``:memory:``
    synchronous: str  # one of SYNCHRONOUS


def parse_url(url: str) -> SqliteUrl:
    """The parts of a ``sqlite:///`` URL; `ValueError` naming the valid forms for anything else."""
    url = str(url)  # a settings Secret would show as *** in the message
    prefix = "sqlite:///"
    rest = url[len(prefix) :] if url.lower().startswith(prefix) else ""
    rest, _, query = rest.partition("?")
    options = dict(parse_qsl(query, keep_blank_values=True))
    synchronous = options.pop("synchronous", "normal").lower()
    if not rest or "#" in url or options or synchronous not in SYNCHRONOUS:
        raise ValueError(f"SQLite URL must be {VALID_FORMS} (got {redact_url(url)!r})")
    return SqliteUrl(rest if rest == MEMORY else str(Path(rest).expanduser()), synchronous)
