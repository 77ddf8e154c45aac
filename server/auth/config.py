"""Configuration of authentication: the start-up rule and the keyword arguments for `MCPServer`."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from mcp.server.auth.provider import TokenVerifier

from ..settings import SettingsError
from .access import READ, ChainedTokenVerifier
from .tokens import GENERATE_HINT, StaticTokenVerifier, TokenConfigError, TokenGrant, load_grants

if TYPE_CHECKING:
    import httpx2

LOOPBACK_NAMES = frozenset({"localhost"})


class AuthSource(Protocol):
    """The settings `auth_kwargs` and `check_exposure` read (fields of `server.settings.Settings`)."""

    transport: str
    host: str
    port: int
    tokens: str | None
    tokens_file: str | None
    allow_anonymous: bool
    public_url: str | None
    oauth_introspection_url: str | None
    oauth_client_id: str | None
    oauth_client_secret: str | None
    oauth_issuer_url: str | None
    oauth_workspace_claim: str
    oauth_default_workspace: str | None
    oauth_check_audience: bool
    oauth_cache_s: float


@dataclass(frozen=True, slots=True)
class AuthConfig:
    """A stand-alone `AuthSource` with the documented defaults (tests, benchmarks, embedding)."""

    transport: str = "http"
    host: str = "127.0.0.1"
    port: int = 8000
    tokens: str | None = None
    tokens_file: str | None = None
    allow_anonymous: bool = False
    public_url: str | None = None
    oauth_introspection_url: str | None = None
    oauth_client_id: str | None = None
    oauth_client_secret: str | None = None
    oauth_issuer_url: str | None = None
    oauth_workspace_claim: str = "workspace"
    oauth_default_workspace: str | None = None
    oauth_check_audience: bool = True
    oauth_cache_s: float = 30.0

    def __repr__(self) -> str:
        return f"AuthConfig(transport={self.transport!r}, host={self.host!r}, port={self.port})"


def is_loopback(host: str) -> bool:
    import ipaddress

    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def uses_oauth(config: AuthSource) -> bool:
    return bool(config.oauth_introspection_url)


def auth_required(config: AuthSource) -> bool:
    """True when any credential is configured: then every HTTP request must carry a valid token."""
    return bool(config.tokens or config.tokens_file or uses_oauth(config))


def endpoint_path(config: AuthSource) -> str:
    return "/sse" if config.transport == "sse" else "/mcp"


def resource_url(config: AuthSource) -> str:
    """The URL clients use to reach this server (the OAuth resource identifier)."""
    if config.public_url:
        return str(config.public_url)
    host = f"[{config.host}]" if ":" in config.host else config.host
    return f"http://{host}:{config.port}{endpoint_path(config)}"


def check_exposure(config: AuthSource) -> list[str]:
    """Enforce the start-up rule for HTTP and SSE; return warnings to print on stderr.

    * Any token or OAuth setting configured: every request must be authenticated.
    * Nothing configured on a loopback address: anonymous use by the local user, with a warning
      (``--allow-anonymous`` states that intent and silences the warning).
    * Nothing configured on any other address: refuse to start.
    """
    if config.transport == "stdio":
        return []
    loopback = is_loopback(config.host)
    if config.allow_anonymous and auth_required(config):
        raise SettingsError(
            "--allow-anonymous cannot be combined with tokens or OAuth settings: with credentials configured "
            "every request is authenticated. Hint: remove FRACTAL_RMO_ALLOW_ANONYMOUS, or the token settings."
        )
    if not auth_required(config):
        if not loopback:
            extra = (
                " (--allow-anonymous only applies to loopback addresses)" if config.allow_anonymous else ""
            )
            raise SettingsError(
                f"--host {config.host!r} is reachable from other machines but no authentication is configured"
                f"{extra}. Hint: set FRACTAL_RMO_TOKENS=<token>=<workspace> (generate a token with "
                f"{GENERATE_HINT}), FRACTAL_RMO_TOKENS_FILE, or FRACTAL_RMO_OAUTH_INTROSPECTION_URL; or bind 127.0.0.1."
            )
        if config.allow_anonymous:
            return []
        return [
            f"fractal-rmo: warning: no tokens configured; anyone who can reach {config.host}:{config.port} on this "
            "machine can use the server without a token. Set FRACTAL_RMO_TOKENS to require one, or pass "
            "--allow-anonymous to silence this warning."
        ]
    warnings = []
    if uses_oauth(config):
        missing = [
            name
            for name, value in (
                ("FRACTAL_RMO_OAUTH_ISSUER_URL", config.oauth_issuer_url),
                ("FRACTAL_RMO_OAUTH_CLIENT_ID", config.oauth_client_id),
                ("FRACTAL_RMO_OAUTH_CLIENT_SECRET", config.oauth_client_secret),
            )
            if not value
        ]
        if missing:
            raise SettingsError(
                f"{', '.join(missing)} must be set with FRACTAL_RMO_OAUTH_INTROSPECTION_URL. Hint: the issuer URL of "
                "your authorization server and the client credentials this server uses for token introspection."
            )
        if not config.public_url and not loopback:
            raise SettingsError(
                "FRACTAL_RMO_PUBLIC_URL must be set when OAuth is used on a non-loopback address. Hint: the URL "
                f"clients use, e.g. https://rmo.example.com{endpoint_path(config)}; it is the OAuth resource identifier."
            )
    if not loopback and not resource_url(config).startswith("https://"):
        warnings.append(
            "fractal-rmo: warning: bearer tokens travel in clear text over plain HTTP; serve clients through TLS "
            "(a reverse proxy) and set FRACTAL_RMO_PUBLIC_URL to the https:// address."
        )
    return warnings


def auth_kwargs(
    config: AuthSource,
    *,
    http_client: httpx2.AsyncClient | None = None,
    grants: Mapping[str, TokenGrant] | None = None,
) -> dict[str, Any]:
    """The ``token_verifier=`` and ``auth=`` keyword arguments for `MCPServer`, or ``{}`` without auth.

    Raises `SettingsError` (with a hint) for unusable configuration, including everything
    `check_exposure` refuses, so a server built from these kwargs is never open to the network by
    accident. `http_client` is used for token introspection; when omitted one is created here, at the
    edge, with a short timeout.
    """
    if config.transport == "stdio":
        return {}
    check_exposure(config)
    if not auth_required(config):
        return {}
    from mcp.server.auth.settings import AuthSettings
    from pydantic import ValidationError

    grants = load_grants(config) if grants is None else grants
    oauth = uses_oauth(config)
    resource = resource_url(config) if oauth else None
    verifiers: list[TokenVerifier] = []
    if grants:
        verifiers.append(StaticTokenVerifier(grants, resource=resource))
    if oauth:
        from .introspection import IntrospectionTokenVerifier

        if http_client is None:
            import httpx2

            http_client = httpx2.AsyncClient(timeout=httpx2.Timeout(5.0))
        verifiers.append(
            IntrospectionTokenVerifier(
                endpoint=str(config.oauth_introspection_url),
                client_id=str(config.oauth_client_id),
                client_secret=str(config.oauth_client_secret),
                http_client=http_client,
                workspace_claim=config.oauth_workspace_claim,
                default_workspace=config.oauth_default_workspace,
                resource=resource,
                cache_s=config.oauth_cache_s,
            )
        )
    if not verifiers:
        raise TokenConfigError(
            "token settings are present but hold no tokens. Hint: token=workspace per entry."
        )
    try:
        settings = AuthSettings(
            # Static tokens have no authorization server; the issuer is only published with a resource URL,
            # which is set for OAuth alone, so OAuth-capable clients never chase a server that does not exist.
            # Strings, not AnyHttpUrl objects: AuthSettings keeps a path-less URL without a trailing slash,
            # and issuers are compared as exact strings.
            issuer_url=str(config.oauth_issuer_url) if oauth else resource_url(config),  # type: ignore[arg-type]
            resource_server_url=resource,  # type: ignore[arg-type]
            required_scopes=[READ],
            validate_token_resource=bool(config.oauth_check_audience) if resource else None,
        )
    except ValidationError as exc:
        problem = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        raise SettingsError(
            f"the OAuth URLs are invalid ({problem}). Hint: FRACTAL_RMO_OAUTH_ISSUER_URL and FRACTAL_RMO_PUBLIC_URL "
            "must be absolute http(s) URLs."
        ) from None
    verifier = verifiers[0] if len(verifiers) == 1 else ChainedTokenVerifier(verifiers)
    return {"token_verifier": verifier, "auth": settings}


def print_warnings(warnings: Iterable[str]) -> None:
    for line in warnings:
        print(line, file=sys.stderr, flush=True)
