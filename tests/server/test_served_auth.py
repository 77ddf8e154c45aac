"""The real `fractal-rmo serve --transport http` enforces its configured tokens."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
import pytest
from mcp import Client

from .conftest import free_port, server_env, wait_for_port

TOKEN = "write-token-0123456789abcdef"
READ_TOKEN = "read-token-0123456789abcdefgh"


@pytest.fixture
def authed_port(tmp_path: Path):
    port = free_port()
    env = server_env(tmp_path / "auth.db", FRACTAL_RMO_TOKENS=f"{TOKEN}=team-a,{READ_TOKEN}=team-a:read")
    with open(tmp_path / "err", "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--transport", "http", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        wait_for_port(port, proc)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert TOKEN not in (tmp_path / "err").read_text()


def test_requests_without_a_valid_token_get_401(authed_port: int) -> None:
    url = f"http://127.0.0.1:{authed_port}/mcp"
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    assert httpx2.post(url, json=body, headers=headers).status_code == 401
    bad = httpx2.post(url, json=body, headers={**headers, "Authorization": "Bearer wrong-token-0123456789"})
    assert bad.status_code == 401
    assert "wrong-token" not in bad.text


@pytest.mark.anyio
async def test_a_token_reaches_its_own_workspace_and_read_tokens_cannot_write(authed_port: int) -> None:
    url = f"http://127.0.0.1:{authed_port}/mcp"
    async with _client(url, TOKEN) as client:
        logged = await client.call_tool("log_error", {"message": "boom", "error_type": "ValueError"})
        assert not logged.is_error
    async with _client(url, READ_TOKEN) as reader:
        found = await reader.call_tool("find_patterns", {})
        assert [p["id"] for p in found.structured_content["patterns"]] == [
            logged.structured_content["pattern_id"]
        ]
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "log_error", "arguments": {"message": "x"}},
    }
    headers = {
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
        "Authorization": f"Bearer {READ_TOKEN}",
        "MCP-Protocol-Version": "2025-11-25",
    }
    assert httpx2.post(url, json=body, headers=headers).status_code == 403


@asynccontextmanager
async def _client(url: str, token: str) -> AsyncIterator[Client]:
    from mcp.client.streamable_http import streamable_http_client

    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client
