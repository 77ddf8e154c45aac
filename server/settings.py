"""Configuration: every setting declared once, read from flags, then ``FRACTAL_RMO_*`` variables.

`Settings.load(flags, environ)` is the only place that looks at the environment; everything below
the server receives plain values. A bad value fails at start-up with the key, the value, what was
expected and a hint (`SettingsError`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal


class SettingsError(ValueError):
    """A configuration value is unusable; the message names it and says how to fix it."""


def default_db_url() -> str:
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('fractal-rmo', appauthor=False)) / 'fractal-rmo.db'}"


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in allowed:
            raise ValueError(f"one of {', '.join(allowed)}")
        return raw

    return parse


def _int_range(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"a whole number from {low} to {high}") from None
        if not low <= value <= high:
            raise ValueError(f"a whole number from {low} to {high}")
        return value

    return parse


def _float_range(low: float, high: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"a number from {low} to {high}") from None
        if not low <= value <= high:
            raise ValueError(f"a number from {low} to {high}")
        return value

    return parse


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("true or false")


def _db_url(raw: str) -> str:
    if not raw.startswith(("sqlite://", "postgresql://", "postgres://")):
        raise ValueError("a URL starting with sqlite:/// or postgresql://")
    if raw.startswith("sqlite://"):
        from store.sqlite.url import VALID_FORMS, parse_url

        try:
            parse_url(raw)
        except ValueError:
            raise ValueError(VALID_FORMS) from None
    return raw


def _http_url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")) or any(ch.isspace() for ch in raw):
        raise ValueError("an absolute http:// or https:// URL")
    return raw


def _workspace(raw: str) -> str:
    if not raw or len(raw) > 64 or not all(ch.isalnum() or ch in "-_." for ch in raw):
        raise ValueError("1-64 letters, digits, '-', '_' or '.'")
    return raw


def _host(raw: str) -> str:
    if raw in {"localhost"}:
        return raw
    try:
        ipaddress.ip_address(raw)
    except ValueError:
        if not raw or any(ch.isspace() for ch in raw):
            raise ValueError("an IP address or host name") from None
    return raw


def _setting(default: Any, help: str, parse: Callable[[str], Any] = str, *, secret: bool = False) -> Any:
    meta = {"help": help, "parse": parse, "secret": secret}
    if callable(default):
        return field(default_factory=default, metadata=meta)
    return field(default=default, metadata=meta)


class Secret(str):
    """A string whose repr hides its value, so it never reaches a log line by accident."""

    def __repr__(self) -> str:
        return "Secret('***')"


@dataclass(frozen=True, slots=True)
class Settings:
    """All configuration. Each field is one setting: flag ``--db``, variable ``FRACTAL_RMO_DB``."""

    db: str = _setting(
        default_db_url,
        "Database URL: sqlite:///path/file.db[?synchronous=full] or postgresql://user@host/db. "
        "Default: a SQLite file in the user's data directory.",
        _db_url,
        secret=True,
    )
    workspace: str = _setting(
        "default", "Workspace served over stdio (HTTP takes it from the bearer token).", _workspace
    )
    transport: Literal["stdio", "http", "sse"] = _setting(
        "stdio",
        "stdio, http (Streamable HTTP at /mcp) or sse (legacy SSE at /sse).",
        _choice("stdio", "http", "sse"),
    )
    host: str = _setting("127.0.0.1", "Address to bind for http and sse.", _host)
    port: int = _setting(8000, "Port for http and sse.", _int_range(1, 65535))
    tokens: str | None = _setting(
        None,
        "Bearer tokens for http and sse: token=workspace pairs separated by commas; append :read for a "
        "read-only token (default :read+write). Any token configured makes authentication mandatory.",
        secret=True,
    )
    tokens_file: str | None = _setting(
        None, "A file of bearer tokens, one token=workspace[:read|:read+write] per line (# comments allowed)."
    )
    allow_anonymous: bool = _setting(
        False,
        "Serve http/sse without tokens; only allowed on a loopback --host. Silences the warning.",
        _bool,
    )
    public_url: str | None = _setting(
        None,
        "The URL clients use to reach this server (OAuth resource id), e.g. https://rmo.example.com/mcp.",
        _http_url,
    )
    oauth_introspection_url: str | None = _setting(
        None,
        "RFC 7662 token introspection endpoint of your OAuth authorization server; enables OAuth.",
        _http_url,
    )
    oauth_issuer_url: str | None = _setting(None, "Issuer URL of the OAuth authorization server.", _http_url)
    oauth_client_id: str | None = _setting(None, "Client id this server uses for token introspection.")
    oauth_client_secret: str | None = _setting(
        None, "Client secret this server uses for token introspection.", secret=True
    )
    oauth_workspace_claim: str = _setting("workspace", "Token claim that names the caller's workspace.")
    oauth_default_workspace: str | None = _setting(
        None, "Workspace for OAuth tokens without that claim (unset: such tokens are refused).", _workspace
    )
    oauth_check_audience: bool = _setting(
        True, "Refuse OAuth tokens whose audience is not this server's public URL.", _bool
    )
    oauth_cache_s: float = _setting(
        30.0,
        "Seconds an introspection answer is reused (never past the token's expiry).",
        _float_range(0.0, 3600.0),
    )
    rate_limit_per_minute: int = _setting(
        1200,
        "Tool calls per minute per workspace over http/sse (0 turns the limit off).",
        _int_range(0, 1_000_000),
    )
    rate_limit_burst: int = _setting(
        200, "Tool calls a workspace may make at once.", _int_range(1, 1_000_000)
    )
    http_rate_limit_per_minute: int = _setting(
        6000,
        "HTTP requests per minute per workspace, answered 429 beyond (0 turns it off).",
        _int_range(0, 10_000_000),
    )
    log_level: str = _setting(
        "WARNING",
        "Level of log messages written to stderr.",
        _choice("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
    )
    max_request_bytes: int = _setting(
        4 * 1024 * 1024, "Largest HTTP request body accepted, in bytes.", _int_range(1024, 64 * 1024 * 1024)
    )
    max_message_chars: int = _setting(
        8_000,
        "Longest error message kept; longer ones are truncated with a note.",
        _int_range(100, 1_000_000),
    )
    max_traceback_chars: int = _setting(
        64_000,
        "Longest traceback kept (head and tail); longer ones are truncated with a note.",
        _int_range(1_000, 10_000_000),
    )
    max_code_bytes: int = _setting(
        200_000,
        "Largest source accepted by validate_code and kept by log_error, in bytes.",
        _int_range(1_000, 10_000_000),
    )
    max_tests: int = _setting(
        200,
        "Most tests one validate_code call runs (each parametrize case and top-level assert counts).",
        _int_range(1, 10_000),
    )
    validate_timeout_s: float = _setting(
        10.0,
        "Default wall-clock budget of one validate_code call, in seconds (a call may ask for up to 30).",
        _float_range(1.0, 30.0),
    )
    sandbox_slots: int = _setting(2, "How many sandboxes may run at once.", _int_range(1, 64))
    sandbox_queue: int = _setting(
        8,
        "How many validate_code calls may wait for a sandbox before the answer is 'busy, retry'.",
        _int_range(0, 1000),
    )
    mining_wait_s: float = _setting(
        30.0,
        "How long find_patterns waits for another instance's mining pass of its workspace before 'busy, retry'.",
        _float_range(0.0, 55.0),
    )
    learning_alpha: float = _setting(
        0.05,
        "Level of the adoption test: the chance of adopting a rule that does not reduce errors.",
        _float_range(0.001, 0.5),
    )
    treatment_share: float = _setting(
        0.5, "Share of tasks that see a rule on trial (the rest are its control).", _float_range(0.05, 0.95)
    )
    holdout_share: float = _setting(
        0.1,
        "Share of tasks that always see only the original protocol, to measure the cumulative effect.",
        _float_range(0.0, 0.5),
    )
    sample_cap: int = _setting(
        400,
        "Tasks (treatment plus control) after which a rule that has not proved itself is retired.",
        _int_range(20, 100_000),
    )
    taxonomy_file: str | None = _setting(None, "A JSON file of extra action categories for decompose.")
    anthropic_api_key: str | None = _setting(
        None,
        "Enables the optional Anthropic-backed insight writer. Also read from ANTHROPIC_API_KEY.",
        secret=True,
    )
    anthropic_model: str = _setting("claude-sonnet-4-6", "Model used by the Anthropic-backed features.")

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.metadata["secret"] and value is not None:
                value = _redact(value) if f.name == "db" else "***"
            shown.append(f"{f.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    @classmethod
    def load(
        cls, flags: Mapping[str, str | None] | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Build settings from flags (highest priority), then the environment, then defaults."""
        flags = flags or {}
        environ = environ or {}
        values: dict[str, Any] = {}
        for f in fields(cls):
            flag, env = flag_name(f.name), env_name(f.name)
            raw, origin = flags.get(f.name), flag
            if raw is None:
                raw, origin = environ.get(env), env
            if raw is None and f.name == "anthropic_api_key":
                raw, origin = environ.get("ANTHROPIC_API_KEY"), "ANTHROPIC_API_KEY"
            if raw is None:
                continue
            secret = f.metadata["secret"]
            try:
                value = f.metadata["parse"](raw)
            except ValueError as exc:
                shown = "***" if secret and f.name != "db" else _redact(raw)
                raise SettingsError(
                    f"{origin} must be {exc} (got {shown!r}). Hint: {f.metadata['help']}"
                ) from None
            values[f.name] = Secret(value) if secret and isinstance(value, str) else value
        return cls(**values)


def env_name(name: str) -> str:
    return f"FRACTAL_RMO_{name.upper()}"


def flag_name(name: str) -> str:
    return "--" + name.replace("_", "-")


def setting_fields() -> tuple[Any, ...]:
    """The dataclass fields of `Settings`, each carrying ``help``, ``parse`` and ``secret`` metadata."""
    return fields(Settings)


def _redact(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else url
