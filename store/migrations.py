"""Numbered, named, append-only schema migrations, as .sql files inside each backend's package.

A migration is ``NNN_name.sql`` in ``<backend>/migrations/``; every such file is picked up, so a
new migration is a new file and nothing else. Each backend applies the pending ones in order and
records ``NNN_name`` in its ``schema_migrations`` table in the same transaction. Never edit a
migration that may have been applied: add the next number instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files

from .base import MigrationError

_FILE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    number: int
    name: str
    """``001_initial``: what `migrate()` reports and ``schema_migrations`` records."""
    sql: str


def discover(package: str) -> list[Migration]:
    """Every migration shipped in ``<package>/migrations``, in order."""
    found: dict[int, Migration] = {}
    for entry in files(package).joinpath("migrations").iterdir():
        match = _FILE.match(entry.name)
        if match is None:
            continue
        number = int(match.group(1))
        if number in found:
            raise MigrationError(
                f"two migrations are numbered {number:03d}: {found[number].name!r} and {entry.name!r}"
            )
        found[number] = Migration(number, entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8"))
    return [found[number] for number in sorted(found)]


def pending(known: list[Migration], applied: Mapping[int, str], *, where: str) -> list[Migration]:
    """The known migrations not yet applied; `MigrationError` if the database has one we don't know.

    `where` names the database (password redacted) in the message.
    """
    names = {m.number: m.name for m in known}
    strangers = sorted(repr(name) for number, name in applied.items() if names.get(number) != name)
    if strangers:
        raise MigrationError(
            f"the database at {where} has migration(s) this version of fractal-rmo does not know: "
            f"{', '.join(strangers)}. Hint: it was created or upgraded by a newer fractal-rmo; "
            "upgrade fractal-rmo, or use a different database URL."
        )
    return [m for m in known if m.number not in applied]
