"""The one place where sqlite3 exceptions become `store.base` errors.

Python's sqlite3 raises a handful of DB-API classes and carries SQLite's result code on each,
so the class picks a default and the primary result code refines it: a busy or unopenable
database is `StoreUnavailable` (an operator or a retry can fix it), a violated constraint is
`Conflict`, anything else is a plain `StoreError`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from ..base import Conflict, StoreError, StoreUnavailable

BY_CLASS: dict[type[Exception], type[StoreError]] = {
    sqlite3.Warning: StoreError,
    sqlite3.Error: StoreError,
    sqlite3.InterfaceError: StoreError,
    sqlite3.DatabaseError: StoreError,
    sqlite3.DataError: StoreError,
    sqlite3.OperationalError: StoreUnavailable,
    sqlite3.IntegrityError: Conflict,
    sqlite3.InternalError: StoreError,
    sqlite3.ProgrammingError: StoreError,
    sqlite3.NotSupportedError: StoreError,
}

# Primary result codes (https://sqlite.org/rescode.html); extended codes map by their low byte.
BY_CODE: dict[int, type[StoreError]] = {
    sqlite3.SQLITE_ERROR: StoreError,
    sqlite3.SQLITE_INTERNAL: StoreError,
    sqlite3.SQLITE_PERM: StoreUnavailable,
    sqlite3.SQLITE_ABORT: StoreError,
    sqlite3.SQLITE_BUSY: StoreUnavailable,
    sqlite3.SQLITE_LOCKED: StoreUnavailable,
    sqlite3.SQLITE_NOMEM: StoreUnavailable,
    sqlite3.SQLITE_READONLY: StoreUnavailable,
    sqlite3.SQLITE_INTERRUPT: StoreError,
    sqlite3.SQLITE_IOERR: StoreUnavailable,
    sqlite3.SQLITE_CORRUPT: StoreUnavailable,
    sqlite3.SQLITE_NOTFOUND: StoreError,
    sqlite3.SQLITE_FULL: StoreUnavailable,
    sqlite3.SQLITE_CANTOPEN: StoreUnavailable,
    sqlite3.SQLITE_PROTOCOL: StoreUnavailable,
    sqlite3.SQLITE_EMPTY: StoreError,
    sqlite3.SQLITE_SCHEMA: StoreError,
    sqlite3.SQLITE_TOOBIG: StoreError,
    sqlite3.SQLITE_CONSTRAINT: Conflict,
    sqlite3.SQLITE_MISMATCH: StoreError,
    sqlite3.SQLITE_MISUSE: StoreError,
    sqlite3.SQLITE_NOLFS: StoreUnavailable,
    sqlite3.SQLITE_AUTH: StoreUnavailable,
    sqlite3.SQLITE_FORMAT: StoreError,
    sqlite3.SQLITE_RANGE: StoreError,
    sqlite3.SQLITE_NOTADB: StoreUnavailable,
    sqlite3.SQLITE_NOTICE: StoreError,
    sqlite3.SQLITE_WARNING: StoreError,
}


def store_error_for(exc: sqlite3.Error | sqlite3.Warning) -> type[StoreError]:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and (code & 0xFF) in BY_CODE:
        return BY_CODE[code & 0xFF]
    for cls in type(exc).__mro__:
        if cls in BY_CLASS:
            return BY_CLASS[cls]
    return StoreError


@contextmanager
def map_sqlite_errors(where: str) -> Iterator[None]:
    """Re-raise driver errors (and OS errors opening the file) as `StoreError`s naming `where`."""
    try:
        yield
    except (sqlite3.Error, sqlite3.Warning) as exc:
        name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
        raise store_error_for(exc)(f"SQLite database {where}: {exc} ({name})") from exc
    except OverflowError as exc:  # an int parameter beyond SQLite's 64-bit INTEGER
        raise StoreError(f"SQLite database {where}: {exc}") from exc
    except OSError as exc:
        raise StoreUnavailable(f"SQLite database {where}: {exc}") from exc
