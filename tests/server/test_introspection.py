"""RFC 7662 introspection: active, scoped, unexpired tokens with a workspace get in; nothing else does."""

from __future__ import annotations

import logging
from typing import Any

import httpx2
import pytest

from server.auth.introspection import IntrospectionTokenVerifier

pytestmark = pytest.mark.anyio

NOW = 1_700_000_000.0
TOKEN = "opaque-access-token-value-123"


class FakeAuthServer:
    def __init__(self, answer: Any, status: int = 200) -> None:
        self.answer = answer
        self.status = status
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        if isinstance(self.answer, bytes):
            return httpx2.Response(self.status, content=self.answer)
        return httpx2.Response(self.status, json=self.answer)


def verifier(
    server: FakeAuthServer, clock: list[float] | None = None, **options: Any
) -> IntrospectionTokenVerifier:
    now = clock if clock is not None else [NOW]
    return IntrospectionTokenVerifier(
        endpoint="https://auth.example.com/introspect",
        client_id="rmo",
        client_secret="rmo-secret",
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(server)),
        clock=lambda: now[0],
        **options,
    )


async def test_an_active_token_carries_workspace_scopes_expiry_and_subject() -> None:
    server = FakeAuthServer(
        {
            "active": True,
            "scope": "read write",
            "workspace": "team-a",
            "exp": NOW + 60,
            "sub": "u1",
            "iss": "https://a",
        }
    )
    access = await verifier(server).verify_token(TOKEN)
    assert access is not None
    assert (access.workspace, access.scopes, access.expires_at) == (
        "team-a",
        ["read", "write"],
        int(NOW + 60),
    )
    assert (access.subject, access.claims) == ("u1", {"iss": "https://a"})
    request = server.requests[0]
    assert request.method == "POST"
    assert request.headers["authorization"].startswith("Basic ")
    assert b"token_type_hint=access_token" in request.content


@pytest.mark.parametrize(
    "answer",
    [
        {"active": False},
        {"active": "true", "workspace": "team-a"},
        {"active": True, "workspace": "team-a", "exp": NOW - 1},
        {"active": True, "workspace": "team-a", "exp": "tomorrow"},
        {"active": True, "workspace": "team-a", "nbf": NOW + 30},
        {"active": True, "workspace": "../other team"},
        {"active": True, "workspace": 7},
        {"active": True},
    ],
)
async def test_inactive_expired_or_workspace_less_tokens_are_refused(answer: dict[str, Any]) -> None:
    assert await verifier(FakeAuthServer(answer)).verify_token(TOKEN) is None


async def test_a_missing_claim_falls_back_to_the_configured_workspace_and_the_claim_is_configurable() -> None:
    fallback = verifier(FakeAuthServer({"active": True, "scope": "read"}), default_workspace="shared")
    assert (await fallback.verify_token(TOKEN)).workspace == "shared"  # type: ignore[union-attr]
    custom = verifier(FakeAuthServer({"active": True, "tenant": "acme"}), workspace_claim="tenant")
    assert (await custom.verify_token(TOKEN)).workspace == "acme"  # type: ignore[union-attr]


async def test_answers_are_cached_until_the_cache_time_or_the_token_expiry() -> None:
    clock = [NOW]
    server = FakeAuthServer({"active": True, "workspace": "team-a", "exp": NOW + 10})
    check = verifier(server, clock, cache_s=30)
    assert await check.verify_token(TOKEN) is not None
    assert await check.verify_token(TOKEN) is not None
    assert len(server.requests) == 1
    clock[0] = NOW + 11  # past exp: the cached answer is dropped and the token asked about again
    server.answer = {"active": False}
    assert await check.verify_token(TOKEN) is None
    assert len(server.requests) == 2


async def test_refusals_are_cached_so_a_flood_of_bad_tokens_does_not_reach_the_authorization_server() -> None:
    server = FakeAuthServer({"active": False})
    check = verifier(server)
    for _ in range(5):
        assert await check.verify_token(TOKEN) is None
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("status", "answer"), [(500, {"error": "down"}), (200, b"<html>"), (200, ["active"])]
)
async def test_an_unusable_endpoint_refuses_without_caching_or_logging_the_token(
    status: int, answer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    server = FakeAuthServer(answer, status)
    check = verifier(server)
    with caplog.at_level(logging.DEBUG):
        assert await check.verify_token(TOKEN) is None
        assert await check.verify_token(TOKEN) is None
    assert len(server.requests) == 2
    assert caplog.records and TOKEN not in caplog.text


async def test_an_unreachable_endpoint_refuses() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    check = IntrospectionTokenVerifier(
        endpoint="https://auth.example.com/introspect",
        client_id="rmo",
        client_secret="s",
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(refuse)),
    )
    assert await check.verify_token(TOKEN) is None


async def test_the_audience_naming_this_server_is_reported_as_the_tokens_resource() -> None:
    answer = {"active": True, "workspace": "w", "aud": ["https://other", "https://rmo.example.com/mcp/"]}
    access = await verifier(FakeAuthServer(answer), resource="https://rmo.example.com/mcp").verify_token(
        TOKEN
    )
    assert access is not None and access.resource == "https://rmo.example.com/mcp/"


async def test_the_verifier_hides_its_secrets() -> None:
    check = verifier(FakeAuthServer({"active": True, "workspace": "w"}))
    access = await check.verify_token(TOKEN)
    assert "rmo-secret" not in repr(check)
    assert TOKEN not in repr(access)
