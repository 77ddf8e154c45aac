"""The db setting: a SQLite URL is checked at start-up, options included, before anything is opened."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.cli import cli_logic
from server.settings import Settings, SettingsError
from store.open import redact_url


@pytest.mark.parametrize("query", ["", "?synchronous=normal", "?synchronous=full", "?synchronous=FULL"])
def test_a_sqlite_url_with_a_valid_sync_mode_is_accepted(tmp_path: Path, query: str) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}{query}"
    assert Settings.load({}, {"FRACTAL_RMO_DB": url}).db == url


@pytest.mark.parametrize(
    "url", ["sqlite:///x.db?synchronous=off", "sqlite:///x.db?mode=ro", "sqlite:///", "sqlite://host/x.db"]
)
def test_a_bad_sqlite_url_names_the_variable_the_valid_forms_and_the_value(url: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.load({}, {"FRACTAL_RMO_DB": url})
    message = str(caught.value)
    assert message.startswith("FRACTAL_RMO_DB must be sqlite:///relative/path.db, ")
    assert "?synchronous=normal" in message and "?synchronous=full" in message
    assert f"(got {url!r})" in message


def test_a_bad_sqlite_option_stops_the_server_at_start_up_without_creating_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.db"
    assert cli_logic(["serve", "--db", f"sqlite:///{path}?synchronous=off"], environ={}) == 2
    err = capsys.readouterr().err
    assert err.startswith("fractal-rmo: --db must be sqlite:///relative/path.db")
    assert "Traceback" not in err
    assert not path.exists()


def test_a_redacted_settings_url_reads_as_the_url_not_as_a_hidden_secret(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    db = Settings.load({}, {"FRACTAL_RMO_DB": url}).db
    assert repr(db) == "Secret('***')"
    assert repr(redact_url(db)) == repr(url)
