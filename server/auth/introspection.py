"""OAuth 2.1 resource server: access tokens checked by RFC 7662 token introspection.

The authorization server (Keycloak, Auth0, Ory, ...) issues the tokens; this server asks its
introspection endpoint, authenticated with its own client credentials, whether a presented token is
active, for whom, with which scopes, and until when. The workspace comes from a configured claim
(``workspace`` by default) or, failing that, a fixed workspace setting; a token with neither is refused.

Answers are cached for a short time (never past the token's ``exp``) so a busy team does not turn every
MCP request into a round trip to the authorization server.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .access import MAX_TOKEN_CHARS, WorkspaceAccessToken, is_workspace_name

if TYPE_CHECKING:
    import httpx2

log = logging.getLogger(__name__)


class IntrospectionTokenVerifier:
    """A `TokenVerifier` that introspects tokens at `endpoint` (RFC 7662) with HTTP Basic client credentials."""

    def __init__(
        self,
        *,
        endpoint: str,
        client_id: str,
        client_secret: str,
        http_client: httpx2.AsyncClient,
        workspace_claim: str = "workspace",
        default_workspace: str | None = None,
        resource: str | None = None,
        cache_s: float = 30.0,
        cache_size: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._endpoint = endpoint
        self._credentials = (client_id, client_secret)
        self._http = http_client
        self._claim = workspace_claim
        self._default_workspace = default_workspace
        self._resource = resource
        self._cache_s = cache_s
        self._cache_size = cache_size
        self._clock = clock
        self._cache: OrderedDict[bytes, tuple[float, WorkspaceAccessToken | None]] = OrderedDict()

    def __repr__(self) -> str:
        return f"IntrospectionTokenVerifier(endpoint={self._endpoint!r})"

    async def verify_token(self, token: str) -> WorkspaceAccessToken | None:
        if not token or len(token) > MAX_TOKEN_CHARS:
            return None
        key = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
        now = self._clock()
        cached = self._cache.get(key)
        if cached is not None:
            if cached[0] > now:
                self._cache.move_to_end(key)
                return cached[1]
            del self._cache[key]
        answer = await self._introspect(token)
        if answer is _UNAVAILABLE:
            return None  # not cached: the next request asks again
        access = self._access_token(token, answer, now)
        self._remember(key, access, now)
        return access

    async def _introspect(self, token: str) -> Any:
        import httpx2

        try:
            response = await self._http.post(
                self._endpoint,
                data={"token": token, "token_type_hint": "access_token"},
                auth=self._credentials,
                headers={"Accept": "application/json"},
            )
        except httpx2.HTTPError as exc:
            log.warning("token introspection failed: %s", type(exc).__name__)
            return _UNAVAILABLE
        if response.status_code != 200:
            log.warning("token introspection endpoint answered HTTP %d", response.status_code)
            return _UNAVAILABLE
        try:
            answer = response.json()
        except ValueError:
            log.warning("token introspection endpoint answered with something that is not JSON")
            return _UNAVAILABLE
        if not isinstance(answer, dict):
            log.warning("token introspection endpoint answered with JSON that is not an object")
            return _UNAVAILABLE
        return answer

    def _access_token(self, token: str, answer: dict[str, Any], now: float) -> WorkspaceAccessToken | None:
        if answer.get("active") is not True:
            return None
        exp = answer.get("exp")
        if exp is not None and (not _is_number(exp) or exp <= now):
            return None
        nbf = answer.get("nbf")
        if nbf is not None and (not _is_number(nbf) or nbf > now):
            return None
        claimed = answer.get(self._claim)
        if claimed is None:
            workspace = self._default_workspace
            if workspace is None:
                log.warning(
                    "refused a token without a %r claim (no default workspace is configured)", self._claim
                )
                return None
        elif is_workspace_name(claimed):
            workspace = claimed
        else:
            log.warning("refused a token whose %r claim is not a valid workspace name", self._claim)
            return None
        scope = answer.get("scope")
        scopes = scope.split() if isinstance(scope, str) else []
        subject = answer.get("sub")
        client_id = answer.get("client_id")
        issuer = answer.get("iss")
        return WorkspaceAccessToken(
            token=token,
            client_id=client_id if isinstance(client_id, str) and client_id else "oauth",
            scopes=scopes,
            expires_at=int(exp) if exp is not None else None,
            resource=self._matching_audience(answer.get("aud")),
            subject=subject if isinstance(subject, str) else None,
            claims={"iss": issuer} if isinstance(issuer, str) else None,
            workspace=workspace,
        )

    def _matching_audience(self, aud: Any) -> str | None:
        """The audience entry naming this server, for the SDK's resource check; else the first one."""
        audiences = (
            [aud]
            if isinstance(aud, str)
            else [a for a in aud if isinstance(a, str)]
            if isinstance(aud, list)
            else []
        )
        if self._resource is not None:
            wanted = self._resource.rstrip("/")
            for candidate in audiences:
                if candidate.rstrip("/") == wanted:
                    return candidate
        return audiences[0] if audiences else None

    def _remember(self, key: bytes, access: WorkspaceAccessToken | None, now: float) -> None:
        if self._cache_s <= 0:
            return
        until = now + self._cache_s
        if access is not None and access.expires_at is not None:
            until = min(until, float(access.expires_at))
        self._cache[key] = (until, access)
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)


_UNAVAILABLE = object()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
