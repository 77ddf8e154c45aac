"""Read-only tokens may read; calling a tool that writes needs the 'write' scope (HTTP 403 otherwise)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import pydantic_core
import pytest
from mcp import Client, MCPError
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from server.auth import AuthConfig
from server.scopes import READ_TOOLS, tools_needing_write

from .http_harness import MAX_BODY, http_app, listening_socket, probe_server, running

WRITER = "writer-token-0123456789abcdef"
READER = "reader-token-0123456789abcdef"
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def call(name: Any, request_id: int = 1, **arguments: Any) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments},
    }


def body(message: Any) -> bytes:
    return json.dumps(message).encode()


# -- what counts as a write -------------------------------------------------------------------


def test_read_tools_and_other_methods_need_no_write_scope() -> None:
    assert {"find_patterns", "get_protocol"} == READ_TOOLS
    assert tools_needing_write(body(call("find_patterns"))) == []
    assert tools_needing_write(body(call("get_protocol"))) == []
    assert (
        tools_needing_write(body({"jsonrpc": "2.0", "id": 1, "method": "resources/read", "params": {}})) == []
    )
    assert tools_needing_write(b"not json at all") == []


@pytest.mark.parametrize(
    "tool", ["log_error", "validate_code", "decompose", "complete_task", "propose_insight", "a_future_tool"]
)
def test_every_other_tool_needs_write(tool: str) -> None:
    assert tools_needing_write(body(call(tool))) == [tool]


def test_a_batch_needs_write_when_any_message_calls_a_write_tool() -> None:
    batch = [
        call("find_patterns", 1),
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        call("log_error", 2),
    ]
    assert tools_needing_write(body(batch)) == ["log_error"]


def test_a_tool_name_that_is_not_a_string_needs_write() -> None:
    assert tools_needing_write(body(call(["find_patterns"]))) == [""]
    assert tools_needing_write(body({"jsonrpc": "2.0", "id": 1, "method": "tools/call"})) == [""]


def test_duplicate_keys_are_read_as_the_sdk_reads_them() -> None:
    sneaky = (
        b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"find_patterns","name":"log_error"}}'
    )
    assert tools_needing_write(sneaky) == ["log_error"]


def test_a_body_only_one_of_the_sdk_parsers_accepts_is_still_checked() -> None:
    # pydantic_core (legacy transports) refuses UTF-16 and lone surrogates; json.loads (2026 transport) takes them.
    for odd in (json.dumps(call("log_error")).encode("utf-16"), body(call("log_error", message="\ud800"))):
        with pytest.raises(ValueError):
            pydantic_core.from_json(odd)
        assert tools_needing_write(odd) == ["log_error"]


# -- over HTTP --------------------------------------------------------------------------------


def serve(transport: str) -> Iterator[str]:
    sock = listening_socket()
    config = AuthConfig(
        transport=transport, tokens=f"{WRITER}=team-a,{READER}=team-a:read", port=sock.getsockname()[1]
    )
    with running(http_app(probe_server(config), config), sock) as base:
        yield base


@pytest.fixture(params=["http", "sse"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    for base in serve(request.param):
        yield request.param, base


@pytest.fixture
def mcp_url() -> Iterator[str]:
    for base in serve("http"):
        yield base + "/mcp"


async def post(url: str, token: str, payload: Any, **headers: str) -> httpx2.Response:
    async with httpx2.AsyncClient() as http:
        return await http.post(
            url,
            content=payload if isinstance(payload, bytes) else body(payload),
            headers={**ACCEPT, "Authorization": f"Bearer {token}", **headers},
        )


async def sse_message_url(base: str, token: str, task_status: Any = anyio.TASK_STATUS_IGNORED) -> None:
    """Open an SSE stream and report the session's message URL (the 'endpoint' event)."""
    async with (
        httpx2.AsyncClient(timeout=30) as http,
        http.stream("GET", base + "/sse", headers={"Authorization": f"Bearer {token}"}) as stream,
    ):
        async for line in stream.aiter_lines():
            if line.startswith("data: /messages/"):
                task_status.started(base + line.removeprefix("data: "))
                await anyio.sleep_forever()


@pytest.mark.anyio
async def test_a_read_only_token_calling_a_write_tool_gets_403_insufficient_scope(
    served: tuple[str, str],
) -> None:
    transport, base = served
    async with anyio.create_task_group() as tg:
        url = await tg.start(sse_message_url, base, READER) if transport == "sse" else base + "/mcp"
        response = await post(url, READER, call("log_error", message="x"))
        assert response.status_code == 403
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith('Bearer error="insufficient_scope", scope="write"')
        assert response.json()["error"] == "insufficient_scope"
        assert "'log_error'" in response.json()["error_description"]
        assert READER not in response.text
        batch = await post(url, READER, [call("find_patterns", 1), call("log_error", 2, message="x")])
        assert batch.status_code == 403
        tg.cancel_scope.cancel()


@pytest.mark.anyio
async def test_read_only_tokens_read_and_writers_write_with_the_sdk_client(served: tuple[str, str]) -> None:
    transport, base = served

    @asynccontextmanager
    async def client(token: str) -> AsyncIterator[Client]:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx2.AsyncClient(headers=headers) as http:
            if transport == "sse":
                connection = Client(sse_client(base + "/sse", headers=headers), mode="legacy")
            else:
                connection = Client(streamable_http_client(base + "/mcp", http_client=http))
            async with connection:
                yield connection

    async with client(WRITER) as writer:
        assert not (await writer.call_tool("log_error", {"message": "kept"})).is_error
    async with client(READER) as reader:
        assert (await reader.call_tool("find_patterns", {})).structured_content == {"result": ["kept"]}
        assert (await reader.read_resource("patterns://library")).contents
        if transport == "http":
            with pytest.raises(MCPError):
                await reader.call_tool("log_error", {"message": "refused"})
            # the connection is still usable and nothing was written
            assert (await reader.call_tool("find_patterns", {})).structured_content == {"result": ["kept"]}


@pytest.mark.anyio
async def test_an_oversized_body_from_a_read_only_token_is_refused_before_parsing(mcp_url: str) -> None:
    payload = body(call("find_patterns", category="x" * (MAX_BODY + 10)))
    response = await post(mcp_url, READER, payload)
    assert response.status_code == 413

    async def chunks() -> Any:  # no Content-Length: the limit applies while reading
        for start in range(0, len(payload), 8192):
            yield payload[start : start + 8192]

    async with httpx2.AsyncClient() as http:
        streamed = await http.post(
            mcp_url, content=chunks(), headers={**ACCEPT, "Authorization": f"Bearer {READER}"}
        )
    assert streamed.status_code == 413


@pytest.mark.anyio
async def test_a_writers_body_reaches_the_sdk_untouched(mcp_url: str) -> None:
    response = await post(
        mcp_url, WRITER, call("log_error", message="x"), **{"MCP-Protocol-Version": "2025-11-25"}
    )
    # The guard let the body through untouched: the SDK answered (here: it wants an initialized session).
    assert response.status_code != 403


def test_guards_cannot_be_added_once_the_app_has_served_a_request() -> None:
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from server.scopes import ScopeGuard, add_inner_middleware

    app = Starlette()
    add_inner_middleware(app, ScopeGuard, max_body_bytes=1024)
    assert app.user_middleware[-1].cls is ScopeGuard  # innermost: after the SDK's authentication
    with TestClient(app) as client:
        client.get("/")
    with pytest.raises(RuntimeError, match="before the app serves its first request"):
        add_inner_middleware(app, ScopeGuard, max_body_bytes=1024)
