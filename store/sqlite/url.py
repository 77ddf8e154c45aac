"""The SQLite database URL: ``sqlite:///path.db[?synchronous=normal|full]``.

Kept free of driver imports so settings can check a URL at start-up, before anything is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

from ..open import redact_url

MEMORY = ":memory:"
SYNCHRONOUS = ("normal", "full")


@dataclass(frozen=True, slots=True)
class SqliteUrl:
    path: str  # a file path, or ``:memory:``
    synchronous: str  # one of SYNCHRONOUS


def parse_url(url: str) -> SqliteUrl:
    """The parts of a ``sqlite:///`` URL; `ValueError` naming the valid forms for anything else."""
    url = str(url)  # a settings Secret would show as *** in the message
    prefix = "sqlite:///"
    rest = url[len(prefix) :] if url.lower().startswith(prefix) else None
    rest, _, query = (rest or "").partition("?")
    if not rest or "#" in rest or "#" in query:
        raise ValueError(
            f"SQLite URL must be sqlite:///relative/path.db, sqlite:////absolute/path.db or "
            f"sqlite:///:memory:, optionally with ?synchronous=full (got {redact_url(url)!r})"
        )
    options = dict(parse_qsl(query, keep_blank_values=True))
    synchronous = options.pop("synchronous", "normal").lower()
    if options or synchronous not in SYNCHRONOUS:
        raise ValueError(
            "the only SQLite URL option is synchronous=normal (the default: survives a killed process) "
            f"or synchronous=full (also survives a power cut) (got {query!r} in {redact_url(url)!r})"
        )
    return SqliteUrl(rest if rest == MEMORY else str(Path(rest).expanduser()), synchronous)
