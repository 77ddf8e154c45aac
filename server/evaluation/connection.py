"""How the harness reaches the server: in-process, over Streamable HTTP or SSE, or by spawning it on stdio.

Whatever the transport, every step is a tool call by its contract name through the SDK's `Client`,
and results are read from ``structured_content``, exactly as any MCP client would.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from mcp import Client, StdioServerParameters

from ..settings import Settings

REQUIRED_TOOLS = ("decompose", "validate_code", "complete_task")
LEARNING_TOOLS = ("get_protocol", "find_patterns", "propose_insight")


class ToolFailed(RuntimeError):
    """The server answered a tool call with an error result; the message is the server's text."""

    def __init__(self, tool: str, message: str) -> None:
        super().__init__(f"{tool}: {message}")
        self.tool = tool
        self.message = message


class MissingTools(RuntimeError):
    """The server does not offer a tool the evaluation needs."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where the server is: ``in-process`` (built from `settings`), a URL, or a command to spawn on stdio."""

    kind: str
    settings: Settings | None = None
    url: str | None = None
    command: tuple[str, ...] = ()
    env: Mapping[str, str] | None = None
    server: Any = None
    """An already built server to connect to in-process instead of building one from `settings`."""

    @property
    def label(self) -> str:
        if self.kind == "in-process":
            return f"in-process ({_redact(self.settings.db) if self.settings else 'a server built by the caller'})"
        if self.kind == "url":
            return str(self.url)
        return "stdio: " + shlex.join(self.command)


def _redact(url: str) -> str:
    """The URL with any password replaced, so it can go into a report."""
    scheme, sep, rest = str(url).partition("://")
    if not sep or "@" not in rest:
        return str(url)
    credentials, _, host = rest.rpartition("@")
    return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}" if ":" in credentials else str(url)


class ServerSession:
    """Tool calls by contract name with errors surfaced as exceptions."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.calls: dict[str, int] = {}

    async def tool_names(self) -> set[str]:
        return {tool.name for tool in (await self.client.list_tools()).tools}

    async def require(self, names: tuple[str, ...]) -> None:
        missing = [n for n in names if n not in await self.tool_names()]
        if missing:
            raise MissingTools(
                f"the server offers no tool {', '.join(repr(m) for m in missing)}; the evaluation needs "
                f"{', '.join(names)}. Hint: run it against a server version that registers them."
            )

    async def call(self, name: str, **arguments: Any) -> dict[str, Any]:
        self.calls[name] = self.calls.get(name, 0) + 1
        result = await self.client.call_tool(name, {k: v for k, v in arguments.items() if v is not None})
        text = "".join(getattr(block, "text", "") for block in result.content or [])
        if result.is_error:
            raise ToolFailed(name, text or "(no message)")
        if result.structured_content is not None:
            return dict(result.structured_content)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ToolFailed(name, f"answered without structured content: {text[:200]!r}") from exc
        return data if isinstance(data, dict) else {"result": data}

    async def read_json(self, uri: str) -> Any | None:
        """A JSON resource, or None when the server does not offer it."""
        try:
            result = await self.client.read_resource(uri)
        except Exception:  # an absent resource is an answer here, not a failure of the evaluation
            return None
        for content in result.contents:
            text = getattr(content, "text", None)
            if text:
                try:
                    return json.loads(text)
                except json.JSONDecodeError:
                    return None
        return None


@asynccontextmanager
async def connect(target: Target) -> AsyncIterator[ServerSession]:
    if target.kind == "in-process":
        source: Any = target.server
        if source is None:
            from ..app import build_server

            assert target.settings is not None
            source = build_server(target.settings)
        async with Client(source) as client:
            yield ServerSession(client)
        return
    if target.kind == "url":
        assert target.url is not None
        if target.url.rstrip("/").endswith("/sse"):
            from mcp.client.sse import sse_client

            async with Client(sse_client(target.url), mode="legacy") as client:
                yield ServerSession(client)
            return
        async with Client(target.url) as client:
            yield ServerSession(client)
        return
    if target.kind == "stdio":
        command, *args = target.command
        params = StdioServerParameters(
            command=command, args=list(args), env=dict(target.env) if target.env else None
        )
        async with Client(params) as client:
            yield ServerSession(client)
        return
    raise ValueError(f"unknown target kind {target.kind!r}")
