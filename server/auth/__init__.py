"""Who may call the server over HTTP, and which workspace a request belongs to.

Two kinds of bearer token are accepted, alone or together:

* static tokens from configuration (``FRACTAL_RMO_TOKENS`` / ``FRACTAL_RMO_TOKENS_FILE``), each mapped to
  one workspace and the scopes ``read`` or ``read+write`` (`server.auth.tokens`);
* OAuth 2.1 access tokens checked by RFC 7662 introspection (`server.auth.introspection`).

Either way the verifier returns a `WorkspaceAccessToken`, and `workspace_for_request` reads the workspace
from it, so every tool, resource and prompt serves exactly the caller's workspace. Over stdio there is no
token and the configured workspace is served. `check_exposure` is the start-up rule and `auth_kwargs`
gives `MCPServer` its ``token_verifier=`` and ``auth=`` (`server.auth.config`).

Tokens are secrets: they are never logged, never echoed in an error, and their repr is hidden.
"""

from .access import (
    READ,
    WRITE,
    ChainedTokenVerifier,
    WorkspaceAccessToken,
    is_workspace_name,
    workspace_for_request,
)
from .config import (
    AuthConfig,
    AuthSource,
    auth_kwargs,
    auth_required,
    check_exposure,
    is_loopback,
    print_warnings,
    resource_url,
)
from .tokens import StaticTokenVerifier, TokenConfigError, TokenGrant, load_grants, parse_tokens

__all__ = [
    "READ",
    "WRITE",
    "AuthConfig",
    "AuthSource",
    "ChainedTokenVerifier",
    "StaticTokenVerifier",
    "TokenConfigError",
    "TokenGrant",
    "WorkspaceAccessToken",
    "auth_kwargs",
    "auth_required",
    "check_exposure",
    "is_loopback",
    "is_workspace_name",
    "load_grants",
    "parse_tokens",
    "print_warnings",
    "resource_url",
    "workspace_for_request",
]
