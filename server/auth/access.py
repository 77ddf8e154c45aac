"""What an authenticated request carries: its workspace and scopes."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken, TokenVerifier
from pydantic import Field

READ = "read"
WRITE = "write"
MAX_TOKEN_CHARS = 4096
"""Longer bearer tokens are refused without being looked at."""

_WORKSPACE_RE = re.compile(r"[A-Za-z0-9\-_.]{1,64}")


def is_workspace_name(value: object) -> bool:
    return isinstance(value, str) and _WORKSPACE_RE.fullmatch(value) is not None


class WorkspaceAccessToken(AccessToken):
    """An access token that names the workspace it may use."""

    token: str = Field(repr=False)
    workspace: str


class ChainedTokenVerifier(TokenVerifier):
    """Tries verifiers in order (static tokens first: they are local and cheap)."""

    def __init__(self, verifiers: Sequence[TokenVerifier]) -> None:
        self._verifiers = tuple(verifiers)

    def __repr__(self) -> str:
        return f"ChainedTokenVerifier({', '.join(map(repr, self._verifiers))})"

    async def verify_token(self, token: str) -> AccessToken | None:
        for verifier in self._verifiers:
            found = await verifier.verify_token(token)
            if found is not None:
                return found
        return None


def workspace_for_request(default: str) -> str:
    """The workspace of the current request: the access token's when authenticated, else `default`.

    `default` is the configured workspace (stdio, the in-process client, anonymous loopback HTTP).
    An authenticated request whose token names no workspace is refused rather than served `default`.
    """
    token = get_access_token()
    if token is None:
        return default
    if isinstance(token, WorkspaceAccessToken):
        return token.workspace
    raise PermissionError("the access token names no workspace")
