"""Running the server on stdio, Streamable HTTP (``/mcp``) or legacy SSE (``/sse``)."""

from __future__ import annotations

import ipaddress
import logging
import sys

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings

from .settings import Settings, SettingsError

log = logging.getLogger(__name__)

LOOPBACK_NAMES = {"localhost"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def transport_security(settings: Settings) -> TransportSecuritySettings:
    """DNS-rebinding protection for the bound address (the SDK turns it off for non-loopback hosts)."""
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    hosts = [f"{host}:*", "127.0.0.1:*", "localhost:*", "[::1]:*"]
    origins = [f"http://{h}" for h in hosts] + [f"https://{h}" for h in hosts]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def check_bind(settings: Settings) -> None:
    if settings.transport != "stdio" and not is_loopback(settings.host):
        raise SettingsError(
            f"--host must be a loopback address (got {settings.host!r}): this server has no authentication "
            "for remote clients. Hint: keep the default 127.0.0.1 and put an authenticating reverse proxy in front."
        )


def http_app(mcp: MCPServer, settings: Settings):  # type: ignore[no-untyped-def]
    """The ASGI app for the configured HTTP transport."""
    security = transport_security(settings)
    if settings.transport == "sse":
        return mcp.sse_app(
            max_request_body_size=settings.max_request_bytes, transport_security=security, host=settings.host
        )
    return mcp.streamable_http_app(
        max_request_body_size=settings.max_request_bytes, transport_security=security, host=settings.host
    )


async def serve(mcp: MCPServer, settings: Settings) -> None:
    if settings.transport == "stdio":
        await mcp.run_stdio_async()
        return
    check_bind(settings)
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
    print(f"fractal-rmo listening on http://{settings.host}:{settings.port}{endpoint}", file=sys.stderr, flush=True)
    await uvicorn.Server(config).serve()
