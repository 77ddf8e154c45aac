"""Per-tool scopes over HTTP: a read-only token may read, but calling a tool that writes needs ``write``.

The SDK checks one global set of scopes (``read``); `ScopeGuard` adds the per-tool rule. It runs after
the SDK's authentication middleware and, only for an authenticated request whose token lacks
``write``, reads the POSTed JSON-RPC body (bounded by the same size limit as the transport), and
answers ``403 insufficient_scope`` when the body calls a tool that is not known to be read-only
(a single message or any message of a batch). Otherwise it replays the body to the app untouched.
It covers Streamable HTTP (``POST /mcp``) and legacy SSE (``POST /messages/``) alike.

Tools are write tools unless listed in `READ_TOOLS`, so a tool added later needs ``write`` until
someone decides otherwise. The body is parsed with both JSON parsers the SDK uses, and a message
that either parser reads as a write call is refused, so no parser difference lets one through.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pydantic_core
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import WRITE

READ_TOOLS = frozenset({"find_patterns", "get_protocol"})
"""Tools a token with only the ``read`` scope may call; every other tool needs ``write``."""

_SHOWN_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


def tools_needing_write(body: bytes, read_tools: Iterable[str] = READ_TOOLS) -> list[str]:
    """Names of the tools `body` calls that are not read-only ('' for a name that is not a string)."""
    allowed = frozenset(read_tools)
    found: list[str] = []
    for parsed in _parse_both(body):
        messages = parsed if isinstance(parsed, list) else [parsed]
        for message in messages:
            if not isinstance(message, dict) or message.get("method") != "tools/call":
                continue
            params = message.get("params")
            name = params.get("name") if isinstance(params, dict) else None
            if not isinstance(name, str):
                found.append("")
            elif name not in allowed:
                found.append(name)
    return list(dict.fromkeys(found))  # both parsers usually agree: name each tool once


def _parse_both(body: bytes) -> list[Any]:
    # Legacy Streamable HTTP and SSE parse with pydantic_core, the 2026 transport with json.loads.
    results = []
    with contextlib.suppress(ValueError):
        results.append(pydantic_core.from_json(body))
    with contextlib.suppress(ValueError, RecursionError):
        results.append(json.loads(body))
    return results


class ScopeGuard:
    """ASGI middleware: ``403 insufficient_scope`` for write-tool calls made with a read-only token."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        read_tools: Iterable[str] = READ_TOOLS,
        resource_metadata_url: str | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.read_tools = frozenset(read_tools)
        self.resource_metadata_url = resource_metadata_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        user = scope.get("user")
        if not isinstance(user, AuthenticatedUser) or WRITE in user.scopes:
            # Unauthenticated requests go on to the SDK, which answers 401; writers need no check.
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await _send_json(
                send, 413, {"error": "request_too_large", "error_description": self._too_large()}
            )
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.max_body_bytes:
                await _send_json(
                    send, 413, {"error": "request_too_large", "error_description": self._too_large()}
                )
                return
            if not message.get("more_body", False):
                break
        denied = tools_needing_write(bytes(body), self.read_tools)
        if denied:
            await self._forbid(send, denied[0])
            return
        await self.app(scope, _replay(bytes(body), receive), send)

    def _too_large(self) -> str:
        return f"The request body is larger than {self.max_body_bytes} bytes."

    async def _forbid(self, send: Send, tool: str) -> None:
        named = f"The tool {tool!r}" if _SHOWN_NAME.fullmatch(tool) else "This tool"
        description = f"{named} changes data and needs the 'write' scope; this token may only read."
        challenge = f'Bearer error="insufficient_scope", scope="{WRITE}", error_description="{description}"'
        if self.resource_metadata_url:
            challenge += f', resource_metadata="{self.resource_metadata_url}"'
        await _send_json(
            send,
            403,
            {"error": "insufficient_scope", "error_description": description, "scope": WRITE},
            headers=[(b"www-authenticate", challenge.encode("latin-1"))],
        )


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later reads wait for the disconnect, as the app expects

    return replayed


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_json(
    send: Send, status: int, payload: dict[str, Any], headers: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def add_inner_middleware(app: Any, middleware_class: Any, **options: Any) -> None:
    """Add ASGI middleware to an SDK Starlette app *inside* its authentication middleware.

    Starlette's `add_middleware` puts middleware outermost, where the caller is not known yet;
    appending to `user_middleware` before the first request puts it after authentication.
    """
    from starlette.middleware import Middleware

    if getattr(app, "middleware_stack", None) is not None:
        raise RuntimeError("middleware must be added before the app serves its first request")
    app.user_middleware.append(Middleware(middleware_class, **options))


def publish_all_scopes(app: Any, auth: Any, scopes: Iterable[str] = ("read", "write")) -> None:
    """Make the protected-resource metadata list every scope, not only the globally required one.

    The SDK publishes `AuthSettings.required_scopes` as ``scopes_supported``; an OAuth client that
    trusts it would never ask for ``write``.
    """
    if auth is None or auth.resource_server_url is None:
        return
    from mcp.server.auth.routes import create_protected_resource_routes

    replacement = create_protected_resource_routes(
        resource_url=auth.resource_server_url,
        authorization_servers=[auth.issuer_url],
        scopes_supported=list(scopes),
    )
    paths = {route.path for route in replacement}
    app.router.routes[:] = [
        r for r in app.router.routes if getattr(r, "path", None) not in paths
    ] + replacement


def install_http_guards(
    app: Any,
    *,
    auth: Any,
    max_body_bytes: int,
    limiter: Any = None,
    default_workspace: str | None = None,
) -> None:
    """Everything HTTP needs beyond the SDK: per-workspace 429s, per-tool scopes, full scope metadata.

    `auth` is the `AuthSettings` given to MCPServer (None when serving anonymously on loopback).
    `default_workspace` is the workspace anonymous requests count against; ignored when `auth` is set.
    """
    from .limits import HttpRateLimit

    if limiter is not None:
        add_inner_middleware(
            app,
            HttpRateLimit,
            limiter=limiter,
            default_workspace=None if auth is not None else default_workspace,
        )
    if auth is not None:
        metadata_url = None
        if auth.resource_server_url is not None:
            from mcp.server.auth.routes import build_resource_metadata_url

            metadata_url = str(build_resource_metadata_url(auth.resource_server_url))
        add_inner_middleware(
            app, ScopeGuard, max_body_bytes=max_body_bytes, resource_metadata_url=metadata_url
        )
        publish_all_scopes(app, auth)
