"""A real HTTP server for auth, scope and rate-limit tests: uvicorn on a free loopback port.

`probe_server` builds an MCPServer with the same auth keyword arguments and HTTP guards as the product
server, and tools named like the product's read and write tools, so the tests exercise exactly the
code the lead wires into `server.app` and `server.transports`.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from mcp.server.mcpserver import MCPServer

from server.auth import auth_kwargs, workspace_for_request
from server.limits import RateLimiter, ToolCallRateLimit
from server.scopes import install_http_guards

DEFAULT_WORKSPACE = "local"
MAX_BODY = 64 * 1024


def listening_socket() -> socket.socket:
    """A socket bound to a free loopback port, handed to uvicorn so no other process can take the port."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def probe_server(
    config: Any, *, http_client: Any = None, tool_limiter: RateLimiter | None = None
) -> MCPServer:
    """A small server with a read tool, a write tool, a resource and `whoami`, behind `config`'s auth."""
    mcp = MCPServer("probe", log_level="WARNING", **auth_kwargs(config, http_client=http_client))
    written: dict[str, list[str]] = {}

    @mcp.tool()
    async def find_patterns(category: str = "") -> list[str]:
        """Read: the messages logged in the caller's workspace."""
        return written.get(workspace_for_request(DEFAULT_WORKSPACE), [])

    @mcp.tool()
    async def log_error(message: str) -> str:
        """Write: remember a message in the caller's workspace."""
        written.setdefault(workspace_for_request(DEFAULT_WORKSPACE), []).append(message)
        return "logged"

    @mcp.tool()
    async def whoami() -> str:
        """Read-only by name? No: not in READ_TOOLS, so it needs write."""
        return workspace_for_request(DEFAULT_WORKSPACE)

    @mcp.tool()
    async def crash() -> str:
        raise RuntimeError("internal detail that must not leak")

    @mcp.resource("patterns://library", mime_type="application/json")
    async def library() -> dict[str, Any]:
        return {"workspace": workspace_for_request(DEFAULT_WORKSPACE)}

    if tool_limiter is not None:
        mcp.middleware.append(ToolCallRateLimit(tool_limiter, default_workspace=DEFAULT_WORKSPACE))
    return mcp


def http_app(mcp: MCPServer, config: Any, *, limiter: RateLimiter | None = None) -> Any:
    if config.transport == "sse":
        app = mcp.sse_app(max_request_body_size=MAX_BODY, host="127.0.0.1")
    else:
        app = mcp.streamable_http_app(max_request_body_size=MAX_BODY, host="127.0.0.1")
    install_http_guards(
        app,
        auth=mcp.settings.auth,
        max_body_bytes=MAX_BODY,
        limiter=limiter,
        default_workspace=DEFAULT_WORKSPACE,
    )
    return app


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


@contextmanager
def running(app: Any, sock: socket.socket) -> Iterator[str]:
    """Serve `app` on `sock` in a background thread; yield its base URL."""
    config = uvicorn.Config(app, log_level="warning", access_log=False, log_config=None)
    server = _Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="test-http-server", daemon=True
    )
    thread.start()
    try:
        if not server.ready.wait(timeout=15) or not server.started:
            raise RuntimeError("the test server did not start")
        host, port = sock.getsockname()[:2]
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
