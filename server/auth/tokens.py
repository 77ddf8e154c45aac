"""Static bearer tokens from configuration, each mapped to one workspace and its scopes.

``FRACTAL_RMO_TOKENS`` holds ``token=workspace[:read|:read+write]`` entries separated by commas,
``FRACTAL_RMO_TOKENS_FILE`` names a file with one entry per line (``#`` comments, blank lines).
Tokens are secrets: parse errors name the line and the problem but never the token, the parsed
mapping's keys hide their repr, and the verifier keeps only SHA-256 digests.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcp.server.auth.provider import TokenVerifier

from ..settings import Secret, SettingsError
from .access import MAX_TOKEN_CHARS, READ, WRITE, WorkspaceAccessToken, is_workspace_name

SCOPE_SETS = {"read": (READ,), "read+write": (READ, WRITE), "write+read": (READ, WRITE)}
DEFAULT_SCOPES = (READ, WRITE)
MIN_TOKEN_CHARS = 16

# RFC 6750 b64token: what an Authorization: Bearer header can carry.
_TOKEN_RE = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
GENERATE_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


class TokenConfigError(SettingsError):
    """The token configuration is unusable; the message says where and why, never the token."""


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """What one static token may do. The token itself is the key of the mapping, never a field."""

    workspace: str
    scopes: tuple[str, ...]
    label: str
    """A non-secret name for logs and session ownership (``static-3``: the third token configured)."""


def parse_tokens(
    text: str, *, source: str = "FRACTAL_RMO_TOKENS", first_label: int = 1, by_line: bool | None = None
) -> dict[Secret, TokenGrant]:
    """Parse ``token=workspace[:read|:read+write]`` entries, separated by commas or newlines.

    ``#`` starts a comment (it cannot occur in a token or a workspace name) and blank entries are
    skipped. Errors name the line (`by_line`, the default for text of several lines) or else the
    entry, and what is wrong, and never contain the token.
    """
    grants: dict[Secret, TokenGrant] = {}
    first_seen: dict[str, str] = {}
    multiline = "\n" in text.strip() if by_line is None else by_line
    count = 0
    for lineno, raw_line in enumerate(text.splitlines() or [""], start=1):
        entries = [e.strip() for e in raw_line.split("#", 1)[0].split(",")]
        entries = [e for e in entries if e]
        for index, entry in enumerate(entries, start=1):
            count += 1
            if multiline:
                where = f"{source} line {lineno}" + (f", entry {index}" if len(entries) > 1 else "")
            else:
                where = f"{source} entry {index}"
            token, grant = _parse_entry(entry, where, label=f"static-{first_label - 1 + count}")
            if token in first_seen:
                raise TokenConfigError(
                    f"{where}: this token is already assigned at {first_seen[token]}; each token maps to one "
                    "workspace. Hint: give every client its own token."
                )
            first_seen[token] = where
            grants[Secret(token)] = grant
    return grants


def _parse_entry(entry: str, where: str, *, label: str) -> tuple[str, TokenGrant]:
    # A token may end in '=' padding; a workspace never contains '=', so split on the last one.
    token, sep, target = entry.rpartition("=")
    if not sep:
        raise TokenConfigError(
            f"{where}: expected token=workspace or token=workspace:read+write (no '=' found; the entry is not "
            "shown because it may be a secret)"
        )
    token = token.strip()
    workspace, colon, scope_text = target.strip().partition(":")
    if not token:
        raise TokenConfigError(f"{where}: the token before '=' is empty")
    if not _TOKEN_RE.fullmatch(token) or len(token) > MAX_TOKEN_CHARS:
        raise TokenConfigError(
            f"{where}: the token must be at most {MAX_TOKEN_CHARS} letters, digits and - . _ ~ + / characters, "
            f"optionally ending in '=' (the token is not shown). Hint: generate one with {GENERATE_HINT}"
        )
    if len(token) < MIN_TOKEN_CHARS:
        raise TokenConfigError(
            f"{where}: the token is {len(token)} characters long; use at least {MIN_TOKEN_CHARS} random "
            f"characters. Hint: generate one with {GENERATE_HINT}"
        )
    if not is_workspace_name(workspace):
        # A long value may be a token written on the wrong side of '=': show only short ones.
        shown = (
            repr(workspace) if len(workspace) < MIN_TOKEN_CHARS else f"{len(workspace)} characters, not shown"
        )
        raise TokenConfigError(
            f"{where}: workspace must be 1-64 letters, digits, '-', '_' or '.' (got {shown})"
        )
    scopes = DEFAULT_SCOPES
    if colon:
        normalized = scope_text.strip().lower()
        if normalized not in SCOPE_SETS:
            hint = " ('write' always comes with 'read')" if normalized == "write" else ""
            shown = (
                repr(scope_text.strip()) if len(scope_text) < MIN_TOKEN_CHARS else "a long value, not shown"
            )
            raise TokenConfigError(f"{where}: scopes must be read or read+write{hint} (got {shown})")
        scopes = SCOPE_SETS[normalized]
    return token, TokenGrant(workspace=workspace, scopes=scopes, label=label)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


class StaticTokenVerifier(TokenVerifier):
    """Checks bearer tokens against the configured static tokens.

    Tokens are held only as SHA-256 digests in a dict: a lookup compares digests, so response time
    tells an attacker nothing about how much of a guessed token was right.
    """

    def __init__(self, grants: Mapping[str, TokenGrant], *, resource: str | None = None) -> None:
        self._grants = {_digest(str(token)): grant for token, grant in grants.items()}
        self._resource = resource

    def __repr__(self) -> str:
        return f"StaticTokenVerifier({len(self._grants)} token(s))"

    async def verify_token(self, token: str) -> WorkspaceAccessToken | None:
        if not token or len(token) > MAX_TOKEN_CHARS:
            return None
        grant = self._grants.get(_digest(token))
        if grant is None:
            return None
        return WorkspaceAccessToken(
            token=token,
            client_id=grant.label,
            scopes=list(grant.scopes),
            workspace=grant.workspace,
            resource=self._resource,
        )


def load_grants(config: Any) -> dict[Secret, TokenGrant]:
    """All static tokens from ``FRACTAL_RMO_TOKENS`` and ``FRACTAL_RMO_TOKENS_FILE`` (may be empty)."""
    grants: dict[Secret, TokenGrant] = {}
    if config.tokens:
        grants.update(parse_tokens(str(config.tokens), source="FRACTAL_RMO_TOKENS"))
    if config.tokens_file:
        path = Path(config.tokens_file)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TokenConfigError(
                f"FRACTAL_RMO_TOKENS_FILE cannot be read ({path}: {type(exc).__name__}). "
                "Hint: a UTF-8 text file with one token=workspace[:read|:read+write] per line."
            ) from None
        from_file = parse_tokens(text, source=str(path), first_label=len(grants) + 1, by_line=True)
        clash = set(map(str, grants)) & set(map(str, from_file))
        if clash:
            raise TokenConfigError(
                f"{path}: {len(clash)} token(s) also appear in FRACTAL_RMO_TOKENS; each token maps to one workspace."
            )
        if not from_file:
            raise TokenConfigError(
                f"{path} holds no tokens. Hint: one token=workspace[:read|:read+write] per line."
            )
        grants.update(from_file)
    return grants
