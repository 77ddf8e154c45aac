"""The one place where asyncpg exceptions become `store.base` errors.

Server errors are mapped by SQLSTATE class (the first two characters), so every one of the
hundreds of asyncpg classes is covered by one row of `BY_SQLSTATE_CLASS`; client-side errors
are mapped by class in `BY_CLIENT_CLASS`. Deadlocks and serialization failures become
`TransientConflict`, which the store retries before letting a `Conflict` escape.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
from asyncpg import exceptions as pg

from ..base import Conflict, StoreError, StoreUnavailable


class TransientConflict(Conflict):
    """A concurrent transaction won a lock race (deadlock, serialization failure): retry the whole write."""


BY_SQLSTATE_CLASS: dict[str, type[StoreError]] = {
    "03": StoreError,  # SQL statement not yet complete
    "08": StoreUnavailable,  # connection exception
    "09": StoreError,  # triggered action exception
    "0A": StoreError,  # feature not supported
    "0B": StoreError,  # invalid transaction initiation
    "0F": StoreError,  # locator exception
    "0L": StoreUnavailable,  # invalid grantor
    "0P": StoreUnavailable,  # invalid role specification
    "0Z": StoreError,  # diagnostics exception
    "10": StoreError,  # XQuery error
    "20": StoreError,  # case not found
    "21": StoreError,  # cardinality violation
    "22": StoreError,  # data exception
    "23": Conflict,  # integrity constraint violation
    "24": StoreError,  # invalid cursor state
    "25": StoreError,  # invalid transaction state (read-only transaction, in failed transaction...)
    "26": StoreError,  # invalid SQL statement name
    "27": StoreError,  # triggered data change violation
    "28": StoreUnavailable,  # invalid authorization specification (bad password, no such role)
    "2B": StoreError,  # dependent privilege descriptors still exist
    "2D": StoreError,  # invalid transaction termination
    "2F": StoreError,  # SQL routine exception
    "34": StoreError,  # invalid cursor name
    "38": StoreError,  # external routine exception
    "39": StoreError,  # external routine invocation exception
    "3B": StoreError,  # savepoint exception
    "3D": StoreUnavailable,  # invalid catalog name (the database does not exist)
    "3F": StoreUnavailable,  # invalid schema name
    "40": TransientConflict,  # transaction rollback (serialization failure, deadlock detected)
    "42": StoreError,  # syntax error or access rule violation (42501, permission denied: see below)
    "44": StoreError,  # WITH CHECK OPTION violation
    "53": StoreUnavailable,  # insufficient resources (disk full, out of memory, too many connections)
    "54": StoreError,  # program limit exceeded
    "55": StoreError,  # object not in prerequisite state
    "57": StoreUnavailable,  # operator intervention (shutdown, statement timeout, cannot connect now)
    "58": StoreUnavailable,  # system error (I/O)
    "72": StoreError,  # snapshot failure
    "F0": StoreUnavailable,  # configuration file error
    "HV": StoreError,  # foreign data wrapper error
    "P0": StoreError,  # PL/pgSQL error
    "XX": StoreUnavailable,  # internal error (data corrupted, index corrupted)
}
BY_SQLSTATE: dict[str, type[StoreError]] = {
    "42501": StoreUnavailable,  # insufficient privilege: the operator must grant it
}

BY_CLIENT_CLASS: dict[type[BaseException], type[StoreError]] = {
    pg.InterfaceError: StoreError,  # misuse of a connection, e.g. one already closed or busy
    pg.ClientConfigurationError: StoreUnavailable,
    pg.UnsupportedClientFeatureError: StoreError,
    pg.UnsupportedServerFeatureError: StoreUnavailable,
    pg.InternalClientError: StoreError,
    pg.OutdatedSchemaCacheError: StoreError,
    pg.ProtocolError: StoreUnavailable,
    pg.TargetServerAttributeNotMatched: StoreUnavailable,
    pg.PostgresError: StoreError,  # a server error without SQLSTATE
}


def store_error_for(exc: BaseException) -> type[StoreError]:
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(exc, asyncpg.PostgresError) and sqlstate:
        return BY_SQLSTATE.get(sqlstate) or BY_SQLSTATE_CLASS.get(sqlstate[:2], StoreError)
    for cls in type(exc).__mro__:
        if cls in BY_CLIENT_CLASS:
            return BY_CLIENT_CLASS[cls]
    if isinstance(exc, OSError):  # refused, unreachable, timed out (TimeoutError is an OSError)
        return StoreUnavailable
    return StoreError


@contextmanager
def map_postgres_errors(where: str) -> Iterator[None]:
    """Re-raise driver and network errors as `StoreError`s naming `where` (a redacted URL)."""
    try:
        yield
    except (asyncpg.PostgresError, pg.InterfaceError, pg.InternalClientError, OSError) as exc:
        sqlstate = getattr(exc, "sqlstate", None)
        detail = f"{type(exc).__name__}: {exc}" + (f" (SQLSTATE {sqlstate})" if sqlstate else "")
        raise store_error_for(exc)(f"PostgreSQL database {where}: {detail}") from exc
