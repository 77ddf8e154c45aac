"""Opening a store from a URL: dispatch, redaction, SQLite files and settings, unreachable servers."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from store import Store, StoreUnavailable, base, open_store
from store.open import redact_url

from .helpers import new_error

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "url",
    ["mysql://user:hunter2@db/app", "", "errors.db", "file:///tmp/x.db", "postgresqlx://h/db"],
)
async def test_an_unknown_scheme_raises_value_error_naming_the_valid_forms(url: str) -> None:
    with pytest.raises(ValueError, match="sqlite:///") as refused:
        await open_store(url)
    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize(
    "url", ["sqlite://", "sqlite:///", "sqlite://host/x.db", "sqlite:///?synchronous=full"]
)
async def test_a_malformed_sqlite_url_raises_value_error(url: str) -> None:
    with pytest.raises(ValueError, match=r"sqlite:///relative/path\.db"):
        await open_store(url)


@pytest.mark.parametrize(
    "query", ["mode=ro", "synchronous=off", "synchronous=extra", "synchronous=full&cache=shared"]
)
async def test_an_unknown_sqlite_url_option_is_refused_naming_the_valid_ones(
    tmp_path: Path, query: str
) -> None:
    with pytest.raises(ValueError, match=r"\?synchronous=normal .* or \?synchronous=full") as refused:
        await open_store(f"sqlite:///{tmp_path / 'x.db'}?{query}")
    assert query in str(refused.value)
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://fr:hunter2@db:5432/app", "postgresql://fr:***@db:5432/app"),
        ("postgres://fr:p%40ss:w@db/app?schema=x", "postgres://fr:***@db/app?schema=x"),
        ("postgresql://db/app?user=fr&password=hunter2", "postgresql://db/app?user=fr&password=***"),
        ("postgresql://fr@db/app", "postgresql://fr@db/app"),
        ("sqlite:////var/lib/fr.db", "sqlite:////var/lib/fr.db"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
    ],
)
def test_redact_url_hides_passwords_only(url: str, shown: str) -> None:
    assert redact_url(url) == shown


async def test_every_store_method_is_implemented(store: Store) -> None:
    methods = [
        name for name, value in vars(base.Store).items() if callable(value) and not name.startswith("_")
    ]
    assert {"add_error", "list_patterns", "merge_patterns", "insight_for"} <= set(methods)
    for name in methods:
        assert callable(getattr(store, name)), name
    assert store.url == redact_url(store.url)


async def test_memory_stores_are_separate_and_working() -> None:
    one, two = await open_store("sqlite:///:memory:"), await open_store("sqlite:///:memory:")
    try:
        added = await one.add_error("ws", new_error())
        assert (await one.get_error("ws", added.error_id)).fingerprint == "v1:aaa"
        assert await two.count_errors("ws") == 0
        assert one.url == "sqlite:///:memory:"
    finally:
        await one.close()
        await two.close()


async def test_a_relative_sqlite_path_is_created_with_its_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = await open_store("sqlite:///data/nested/errors.db")
    await store.close()
    assert (tmp_path / "data" / "nested" / "errors.db").is_file()


@pytest.mark.parametrize(
    ("query", "synchronous"), [("", 1), ("?synchronous=normal", 1), ("?synchronous=FULL", 2)]
)
async def test_sqlite_runs_in_wal_mode_with_the_chosen_sync_and_foreign_keys(
    tmp_path: Path, query: str, synchronous: int
) -> None:
    store = await open_store(f"sqlite:///{tmp_path / 'x.db'}{query}")
    try:
        writer = store._writer  # type: ignore[attr-defined]
        settings = {}
        for pragma in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"):
            rows = await writer.execute_fetchall(f"PRAGMA {pragma}")
            settings[pragma] = next(iter(rows))[0]
        assert settings == {
            "journal_mode": "wal",
            "synchronous": synchronous,
            "foreign_keys": 1,
            "busy_timeout": 10000,
        }
    finally:
        await store.close()


async def test_a_file_that_is_not_a_database_raises_store_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are not the pages you are looking for" * 100)

    with pytest.raises(StoreUnavailable, match=r"notes\.db"):
        await open_store(f"sqlite:///{path}")


async def test_an_unreachable_postgres_raises_store_unavailable_without_the_password() -> None:
    with pytest.raises(StoreUnavailable) as refused:
        await open_store("postgresql://fr:hunter2@127.0.0.1:1/app")
    assert "hunter2" not in str(refused.value) and "fr:***@127.0.0.1:1" in str(refused.value)


@pytest.mark.parametrize("schema", ["Upper", "1st", "a-b", "x;drop", "a" * 64])
async def test_a_bad_schema_name_raises_value_error(schema: str) -> None:
    with pytest.raises(ValueError, match="'schema'"):
        await open_store(f"postgresql://127.0.0.1:1/app?schema={schema}")


@pytest.mark.postgres
async def test_a_postgres_store_shows_its_url_without_the_password(postgres_url: str) -> None:
    parts = urlsplit(postgres_url)
    secret = parts.password
    url = postgres_url
    if secret is None:  # a trust-auth server ignores the password, so add one to see it hidden
        secret = "hunter2"
        url = urlunsplit(
            parts._replace(
                netloc=f"{parts.username or 'postgres'}:{secret}@{parts.hostname}:{parts.port or 5432}"
            )
        )

    store = await open_store(url)
    try:
        assert secret not in store.url and ":***@" in store.url
        assert await store.count_errors("ws") == 0
    finally:
        await store.close()
