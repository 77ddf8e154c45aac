"""Per-workspace rate limits: a workspace over its allowance is told which limit and when to retry."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from mcp import Client

from server.auth import AuthConfig
from server.limits import RateLimited, RateLimiter
from tools.errors import Busy

from .http_harness import DEFAULT_WORKSPACE, http_app, listening_socket, probe_server, running

TEAM_A = "team-a-token-0123456789abcdef"
TEAM_B = "team-b-token-0123456789abcdef"
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_allowed_then_calls_wait_for_the_steady_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock)
    assert [limiter.try_acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.try_acquire("a") == pytest.approx(1.0)
    clock.now += 0.5
    assert limiter.try_acquire("a") == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.try_acquire("a") == 0.0
    clock.now += 3600  # a long pause refills the bucket to the burst size, no further
    assert [limiter.try_acquire("a") for _ in range(4)][-1] > 0


def test_workspaces_have_separate_buckets() -> None:
    limiter = RateLimiter(per_minute=60, burst=1, clock=Clock())
    assert limiter.try_acquire("a") == 0.0
    assert limiter.try_acquire("a") > 0
    assert limiter.try_acquire("b") == 0.0


def test_the_error_names_the_workspace_the_limit_and_when_to_retry() -> None:
    limiter = RateLimiter(per_minute=120, burst=1, clock=Clock())
    limiter.check("team-a")
    with pytest.raises(RateLimited) as raised:
        limiter.check("team-a")
    assert isinstance(raised.value, Busy)  # the adapters already turn Busy into a tool error
    assert raised.value.retry_after_s == pytest.approx(0.5)
    assert str(raised.value) == (
        "Rate limit reached for workspace 'team-a': at most 120 tool calls per minute, 1 at once. "
        "Retry in 0.5 s; the same call will then succeed."
    )


def test_the_number_of_buckets_is_bounded() -> None:
    limiter = RateLimiter(per_minute=60, burst=1, clock=Clock(), max_keys=2)
    for workspace in ("a", "b", "c"):
        limiter.try_acquire(workspace)
    assert limiter.try_acquire("a") == 0.0  # evicted, so it starts full again
    assert limiter.try_acquire("c") > 0


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        RateLimiter(per_minute=0, burst=5)


@pytest.mark.anyio
async def test_over_limit_tool_calls_get_a_tool_error_and_other_requests_still_work() -> None:
    limiter = RateLimiter(per_minute=60, burst=2, clock=Clock())
    server = probe_server(AuthConfig(transport="stdio"), tool_limiter=limiter)
    async with Client(server) as client:
        for _ in range(2):
            assert not (await client.call_tool("log_error", {"message": "x"})).is_error
        refused = await client.call_tool("log_error", {"message": "x"})
        assert refused.is_error
        assert refused.content[0].text.startswith(
            f"Rate limit reached for workspace {DEFAULT_WORKSPACE!r}: at most 60 tool calls per minute, 2 at once."
        )
        assert (await client.list_tools()).tools  # only tool calls count
        assert (await client.read_resource("patterns://library")).contents


@pytest.fixture
def limited() -> Iterator[tuple[str, Clock]]:
    clock = Clock()
    sock = listening_socket()
    config = AuthConfig(tokens=f"{TEAM_A}=team-a,{TEAM_B}=team-b", port=sock.getsockname()[1])
    limiter = RateLimiter(per_minute=30, burst=2, unit="requests", clock=clock)
    with running(http_app(probe_server(config), config, limiter=limiter), sock) as base:
        yield base + "/mcp", clock


async def post(url: str, token: str | None) -> httpx2.Response:
    headers = dict(ACCEPT, **({"Authorization": f"Bearer {token}"} if token else {}))
    async with httpx2.AsyncClient() as http:
        return await http.post(url, json=LIST_TOOLS, headers=headers)


@pytest.mark.anyio
async def test_over_limit_http_requests_get_429_with_retry_after_per_workspace(
    limited: tuple[str, Clock],
) -> None:
    url, clock = limited
    for _ in range(2):
        assert (await post(url, TEAM_A)).status_code != 429
    refused = await post(url, TEAM_A)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "2"
    assert refused.json() == {
        "error": "rate_limited",
        "error_description": "Rate limit reached for workspace 'team-a': at most 30 requests per minute, 2 at once. "
        "Retry in 2.0 s; the same call will then succeed.",
    }
    assert TEAM_A not in refused.text
    assert (await post(url, TEAM_B)).status_code != 429  # another workspace is unaffected
    clock.now += 2.0
    assert (await post(url, TEAM_A)).status_code != 429


@pytest.mark.anyio
async def test_requests_without_a_valid_token_cannot_use_up_a_workspaces_allowance(
    limited: tuple[str, Clock],
) -> None:
    url, _ = limited
    for token in (None, "not-a-token-0123456789abcdef") * 3:
        assert (await post(url, token)).status_code == 401
    assert (await post(url, TEAM_A)).status_code != 429


@pytest.mark.anyio
async def test_tool_call_limits_over_http_count_against_the_tokens_workspace() -> None:
    from mcp.client.streamable_http import streamable_http_client

    limiter = RateLimiter(per_minute=60, burst=1, clock=Clock())
    sock = listening_socket()
    config = AuthConfig(tokens=f"{TEAM_A}=team-a,{TEAM_B}=team-b", port=sock.getsockname()[1])
    with running(http_app(probe_server(config, tool_limiter=limiter), config), sock) as base:
        for token, workspace in ((TEAM_A, "team-a"), (TEAM_B, "team-b")):
            async with (
                httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http,
                Client(streamable_http_client(base + "/mcp", http_client=http)) as client,
            ):
                assert not (await client.call_tool("whoami", {})).is_error
                refused = await client.call_tool("whoami", {})
                assert refused.is_error
                assert f"workspace {workspace!r}" in refused.content[0].text
