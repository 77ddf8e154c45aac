"""Running the server on stdio, Streamable HTTP (``/mcp``) or legacy SSE (``/sse``)."""

from __future__ import annotations

import logging
import sys
from urllib.parse import urlsplit

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings

from .limits import RateLimiter
from .scopes import install_http_guards
from .settings import Settings

log = logging.getLogger(__name__)


def transport_security(settings: Settings) -> TransportSecuritySettings:
    """DNS-rebinding protection for the bound address (the SDK turns it off for non-loopback hosts)."""
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    hosts = [f"{host}:*", "127.0.0.1:*", "localhost:*", "[::1]:*"]
    if settings.public_url:
        public = urlsplit(settings.public_url)
        hosts += [public.netloc, f"{public.hostname}:*"]
    origins = [f"http://{h}" for h in hosts] + [f"https://{h}" for h in hosts]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )


def http_app(mcp: MCPServer, settings: Settings):  # type: ignore[no-untyped-def]
    """The ASGI app for the configured HTTP transport."""
    security = transport_security(settings)
    if settings.transport == "sse":
        app = mcp.sse_app(
            max_request_body_size=settings.max_request_bytes, transport_security=security, host=settings.host
        )
    else:
        app = mcp.streamable_http_app(
            max_request_body_size=settings.max_request_bytes, transport_security=security, host=settings.host
        )
    limiter = None
    if settings.http_rate_limit_per_minute:
        limiter = RateLimiter(
            per_minute=settings.http_rate_limit_per_minute,
            burst=max(1, settings.http_rate_limit_per_minute // 10),
            unit="requests",
        )
    install_http_guards(
        app,
        auth=mcp.settings.auth,
        max_body_bytes=settings.max_request_bytes,
        limiter=limiter,
        default_workspace=settings.workspace,
    )
    return app


async def serve(mcp: MCPServer, settings: Settings) -> None:
    if settings.transport == "stdio":
        await mcp.run_stdio_async()
        return
    import uvicorn

    config = uvicorn.Config(
        http_app(mcp, settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        # uvicorn's access log goes to stdout by default; keep stdout clean.
        access_log=False,
        log_config=None,
    )
    endpoint = "/sse" if settings.transport == "sse" else "/mcp"
    print(
        f"fractal-rmo listening on http://{settings.host}:{settings.port}{endpoint}",
        file=sys.stderr,
        flush=True,
    )
    await uvicorn.Server(config).serve()
