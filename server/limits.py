"""Per-workspace rate limits: a token bucket per workspace, refilled at a steady rate.

One workspace's agents cannot starve another's. Two ways to apply a `RateLimiter`:

* `ToolCallRateLimit`, an MCP server middleware, limits ``tools/call`` on every transport and answers an
  over-limit call with a tool error (``isError``) that the client's model can read and act on;
* `HttpRateLimit`, an ASGI middleware, limits every HTTP POST and answers ``429 Too Many Requests`` with
  ``Retry-After``, for clients that flood the endpoint with requests of any kind.

Both say which limit was hit and when to retry. The validation queue inside validate_code is a separate,
resource-bound limit (`tools.errors.Busy`); this one is about fairness between workspaces.
"""

from __future__ import annotations

import json
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from starlette.types import ASGIApp, Receive, Scope, Send

from tools.errors import Busy

from .auth import WorkspaceAccessToken, workspace_for_request


class RateLimited(Busy):
    """A workspace used up its allowance; the message says which limit and when to retry."""

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets keyed by workspace: `per_minute` steady rate, up to `burst` at once.

    Not thread-safe by design: it is used from one event loop, and `try_acquire` never awaits.
    At most `max_keys` buckets are kept (least recently used are dropped; a dropped bucket is full).
    """

    def __init__(
        self,
        *,
        per_minute: int,
        burst: int,
        unit: str = "tool calls",
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        if per_minute <= 0 or burst <= 0:
            raise ValueError(f"per_minute and burst must be positive (got {per_minute}, {burst})")
        self.per_minute = per_minute
        self.burst = burst
        self.unit = unit
        self._rate = per_minute / 60.0
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def try_acquire(self, workspace: str) -> float:
        """Take one token; return 0.0 when allowed, else the seconds until a token is available."""
        now = self._clock()
        bucket = self._buckets.get(workspace)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.burst), updated=now)
            self._buckets[workspace] = bucket
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(workspace)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self._rate)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self._rate

    def check(self, workspace: str) -> None:
        """Take one token or raise `RateLimited` (for callers that prefer a function to a middleware)."""
        wait = self.try_acquire(workspace)
        if wait:
            raise RateLimited(self.describe(workspace, wait), retry_after_s=wait)

    def describe(self, workspace: str, wait: float) -> str:
        return (
            f"Rate limit reached for workspace {workspace!r}: at most {self.per_minute} {self.unit} per minute, "
            f"{self.burst} at once. Retry in {max(wait, 0.1):.1f} s; the same call will then succeed."
        )


class ToolCallRateLimit:
    """MCP server middleware: over-limit ``tools/call`` requests get a tool error naming the limit.

    Register with ``mcp.middleware.append(ToolCallRateLimit(limiter, default_workspace=...))``.
    """

    def __init__(self, limiter: RateLimiter, *, default_workspace: str) -> None:
        self.limiter = limiter
        self.default_workspace = default_workspace

    async def __call__(self, ctx: Any, call_next: Callable[[Any], Any]) -> Any:
        if ctx.method == "tools/call" and ctx.request_id is not None:
            workspace = workspace_for_request(self.default_workspace)
            wait = self.limiter.try_acquire(workspace)
            if wait:
                from mcp.types import CallToolResult, TextContent

                return CallToolResult(
                    content=[TextContent(type="text", text=self.limiter.describe(workspace, wait))],
                    is_error=True,
                )
        return await call_next(ctx)


class HttpRateLimit:
    """ASGI middleware: over-limit POSTs get ``429`` with ``Retry-After``, per workspace.

    Installed inside the SDK's authentication middleware so it sees the caller's token. An
    unauthenticated request counts against `default_workspace` in anonymous loopback use; pass
    None when tokens are required, so requests without one (answered 401 by the SDK) cannot use up
    a real workspace's allowance.
    """

    def __init__(self, app: ASGIApp, *, limiter: RateLimiter, default_workspace: str | None) -> None:
        self.app = app
        self.limiter = limiter
        self.default_workspace = default_workspace

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        user = scope.get("user")
        token = user.access_token if isinstance(user, AuthenticatedUser) else None
        if token is not None and not isinstance(token, WorkspaceAccessToken):
            await self.app(scope, receive, send)  # not ours to count; the app refuses it
            return
        workspace = token.workspace if token is not None else self.default_workspace
        if workspace is None:
            await self.app(scope, receive, send)
            return
        wait = self.limiter.try_acquire(workspace)
        if not wait:
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            {"error": "rate_limited", "error_description": self.limiter.describe(workspace, wait)}
        )
        encoded = body.encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(encoded)).encode()),
                    (b"retry-after", str(max(1, math.ceil(wait))).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": encoded})
