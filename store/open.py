"""Open a store from a database URL.

``sqlite:///relative/path.db`` · ``sqlite:////absolute/path.db`` · ``sqlite:///:memory:`` ·
``postgresql://user:password@host:5432/dbname[?schema=name]`` (``postgres://`` too).
Each backend's driver is imported only when a URL of its kind is opened.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .base import Store

VALID_FORMS = (
    "sqlite:///relative/path.db, sqlite:////absolute/path.db, sqlite:///:memory: "
    "or postgresql://user:password@host:5432/dbname"
)


async def open_store(url: str, *, migrate: bool = True) -> Store:
    """The store for `url`, with pending migrations applied unless `migrate` is False.

    Raises `ValueError` for a URL of no supported form, `StoreUnavailable` when the database
    cannot be opened, and `MigrationError` when its schema is newer than this code.
    """
    scheme = urlsplit(url).scheme.lower() if "://" in url else ""
    store: Store
    if scheme == "sqlite":
        from .sqlite import SqliteStore

        store = await SqliteStore.open(url)
    elif scheme in ("postgresql", "postgres"):
        from .postgres import PostgresStore

        store = await PostgresStore.open(url)
    else:
        raise ValueError(
            f"unsupported database URL scheme {scheme!r} in {redact_url(url)!r}; use {VALID_FORMS}"
        )
    if migrate:
        try:
            await store.migrate()
        except BaseException:
            await store.close()
            raise
    return store


def redact_url(url: str) -> str:
    """`url` with any password (in the user info or a ``password`` parameter) replaced by ``***``."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "<unparseable database URL>"
    netloc = parts.netloc
    if password is not None:
        userinfo, _, hosts = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}:***@{hosts}"
    query = parts.query
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(key.lower() == "password" for key, _ in pairs):
        query = urlencode([(k, "***" if k.lower() == "password" else v) for k, v in pairs], safe="*")
    if netloc == parts.netloc and query == parts.query:
        return str(url)  # a plain str, even for a settings Secret, whose repr hides everything
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
