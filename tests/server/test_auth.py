"""Bearer tokens over HTTP: who gets in, which workspace they see, and what never leaks."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from server.auth import (
    AuthConfig,
    StaticTokenVerifier,
    TokenConfigError,
    WorkspaceAccessToken,
    auth_kwargs,
    check_exposure,
    load_grants,
    parse_tokens,
    workspace_for_request,
)
from server.settings import SettingsError

from .http_harness import http_app, listening_socket, probe_server, running

WRITER = "writer-token-0123456789abcdef"
READER = "reader-token-0123456789abcdef"
OTHER = "other-team-token-0123456789ab"
TOKENS = f"{WRITER}=team-a,{READER}=team-a:read,{OTHER}=team-b"
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}


@pytest.fixture
def served(request: pytest.FixtureRequest) -> Iterator[str]:
    """A Streamable HTTP probe server requiring the static tokens above; yields its /mcp URL."""
    transport = getattr(request, "param", "http")
    sock = listening_socket()
    config = AuthConfig(transport=transport, tokens=TOKENS, port=sock.getsockname()[1])
    with running(http_app(probe_server(config), config), sock) as base:
        yield base + ("/sse" if transport == "sse" else "/mcp")


@asynccontextmanager
async def connected(url: str, token: str | None) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(headers=headers) as http:
        if url.endswith("/sse"):
            async with Client(sse_client(url, headers=headers), mode="legacy") as client:
                yield client
        else:
            async with Client(streamable_http_client(url, http_client=http)) as client:
                yield client


def assert_nothing_leaks(text: str) -> None:
    for secret in (WRITER, READER, OTHER):
        assert secret not in text
    assert "Traceback" not in text
    assert "internal detail" not in text


# -- parsing ----------------------------------------------------------------------------------


def test_tokens_parse_with_default_and_explicit_scopes() -> None:
    grants = parse_tokens(TOKENS)
    by_token = {str(k): v for k, v in grants.items()}
    assert by_token[WRITER].workspace == "team-a"
    assert by_token[WRITER].scopes == ("read", "write")
    assert by_token[READER].scopes == ("read",)
    assert by_token[OTHER].workspace == "team-b"
    assert len({g.label for g in grants.values()}) == 3


def test_token_file_allows_comments_blank_lines_and_padding() -> None:
    text = f"# team tokens\n\n{WRITER}==team-a:read+write   # padded token\n  {READER}=team-b:read\n"
    grants = {str(k): v for k, v in parse_tokens(text, source="tokens.txt").items()}
    assert grants[WRITER + "="].workspace == "team-a"
    assert grants[READER].scopes == ("read",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{WRITER}", "entry 1: expected token=workspace"),
        (f"{WRITER}=team-a,short=team-b", "entry 2: the token is 5 characters long"),
        (f"{WRITER}=team a", "workspace must be 1-64 letters"),
        (f"{WRITER}=", "workspace must be 1-64 letters"),
        (f"{WRITER}=team-a:admin", "scopes must be read or read+write (got 'admin')"),
        (f"{WRITER}=team-a:write", "'write' always comes with 'read'"),
        (f"{WRITER}=team-a,{WRITER}=team-b", "this token is already assigned at FRACTAL_RMO_TOKENS entry 1"),
        ("=team-a", "the token before '=' is empty"),
        ("tok\u00e9n-0123456789abcdef=team-a", "the token must be at most 4096 letters"),
    ],
)
def test_bad_token_entries_say_where_and_what_without_the_token(text: str, expected: str) -> None:
    with pytest.raises(TokenConfigError) as raised:
        parse_tokens(text)
    message = str(raised.value)
    assert expected in message
    assert WRITER not in message
    assert "tok\u00e9n" not in message


def test_errors_in_a_token_file_name_the_line() -> None:
    text = f"# comment\n{WRITER}=team-a\n\n{READER}=team-b:sudo\n"
    with pytest.raises(TokenConfigError, match=r"tokens\.txt line 4: scopes must be"):
        parse_tokens(text, source="tokens.txt")


def test_a_token_written_where_the_workspace_belongs_is_not_echoed() -> None:
    with pytest.raises(TokenConfigError) as raised:
        parse_tokens("team-a-long-name=abc/def+ghi/jkl+mno")
    assert "abc/def" not in str(raised.value)


def test_token_secrets_are_hidden_in_reprs() -> None:
    grants = parse_tokens(TOKENS)
    verifier = StaticTokenVerifier(grants)
    access = anyio.run(verifier.verify_token, WRITER)
    assert access is not None
    for shown in (repr(grants), repr(verifier), repr(access), str(access), repr(AuthConfig(tokens=TOKENS))):
        assert WRITER not in shown


def test_tokens_come_from_the_variable_and_the_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens.txt"
    path.write_text(f"{READER}=team-c:read\n")
    grants = load_grants(AuthConfig(tokens=f"{WRITER}=team-a", tokens_file=str(path)))
    assert {str(k): v.workspace for k, v in grants.items()} == {WRITER: "team-a", READER: "team-c"}
    assert sorted(g.label for g in grants.values()) == ["static-1", "static-2"]


def test_errors_in_a_one_line_token_file_still_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "tokens.txt"
    path.write_text(f"{WRITER}=team-a:admin\n")
    with pytest.raises(TokenConfigError, match=r"tokens\.txt line 1: scopes must be read or read\+write"):
        load_grants(AuthConfig(tokens_file=str(path)))


def test_an_unreadable_or_empty_token_file_fails_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(TokenConfigError, match=r"cannot be read .*Hint"):
        load_grants(AuthConfig(tokens_file=str(tmp_path / "missing.txt")))
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n")
    with pytest.raises(TokenConfigError, match="holds no tokens"):
        load_grants(AuthConfig(tokens_file=str(empty)))


# -- the start-up rule --------------------------------------------------------------------------


def test_a_public_address_without_auth_refuses_to_start() -> None:
    with pytest.raises(SettingsError, match=r"no authentication is configured.*Hint: set FRACTAL_RMO_TOKENS"):
        check_exposure(AuthConfig(host="0.0.0.0"))
    with pytest.raises(SettingsError, match="only applies to loopback"):
        check_exposure(AuthConfig(host="0.0.0.0", allow_anonymous=True))
    with pytest.raises(SettingsError, match="no authentication is configured"):
        auth_kwargs(AuthConfig(host="0.0.0.0"))  # building the server refuses too, not only `serve`


def test_loopback_without_tokens_is_anonymous_with_a_warning_unless_allowed_explicitly() -> None:
    (warning,) = check_exposure(AuthConfig(host="127.0.0.1"))
    assert "no tokens configured" in warning
    assert check_exposure(AuthConfig(host="::1", allow_anonymous=True)) == []
    assert auth_kwargs(AuthConfig(host="localhost")) == {}


def test_configured_tokens_always_require_auth() -> None:
    with pytest.raises(SettingsError, match="cannot be combined"):
        check_exposure(AuthConfig(tokens=TOKENS, allow_anonymous=True))
    assert check_exposure(AuthConfig(tokens=TOKENS)) == []
    kwargs = auth_kwargs(AuthConfig(tokens=TOKENS))
    assert set(kwargs) == {"token_verifier", "auth"}
    assert kwargs["auth"].required_scopes == ["read"]
    assert kwargs["auth"].resource_server_url is None  # no OAuth server to advertise for static tokens


def test_public_address_with_tokens_warns_about_plain_http() -> None:
    (warning,) = check_exposure(AuthConfig(host="0.0.0.0", tokens=TOKENS))
    assert "clear text" in warning
    assert (
        check_exposure(AuthConfig(host="0.0.0.0", tokens=TOKENS, public_url="https://rmo.example.com/mcp"))
        == []
    )


def test_oauth_needs_issuer_credentials_and_a_public_url() -> None:
    oauth = AuthConfig(oauth_introspection_url="https://auth.example.com/introspect")
    with pytest.raises(SettingsError, match="OAUTH_ISSUER_URL, FRACTAL_RMO_OAUTH_CLIENT_ID"):
        check_exposure(oauth)
    complete = replace(
        oauth, oauth_issuer_url="https://auth.example.com", oauth_client_id="rmo", oauth_client_secret="s"
    )
    assert check_exposure(complete) == []
    with pytest.raises(SettingsError, match="FRACTAL_RMO_PUBLIC_URL must be set"):
        check_exposure(replace(complete, host="0.0.0.0"))


def test_stdio_never_uses_auth() -> None:
    assert auth_kwargs(AuthConfig(transport="stdio", tokens=TOKENS)) == {}
    assert check_exposure(AuthConfig(transport="stdio", host="0.0.0.0")) == []


# -- the verifier and the workspace --------------------------------------------------------------


@pytest.mark.anyio
async def test_static_verifier_maps_each_token_to_its_workspace_and_scopes() -> None:
    verifier = StaticTokenVerifier(parse_tokens(TOKENS))
    writer = await verifier.verify_token(WRITER)
    reader = await verifier.verify_token(READER)
    assert isinstance(writer, WorkspaceAccessToken)
    assert (writer.workspace, writer.scopes) == ("team-a", ["read", "write"])
    assert reader is not None and reader.scopes == ["read"]
    assert writer.client_id != reader.client_id  # distinct principals: sessions are not shared
    for wrong in ("", WRITER[:-1], WRITER + "x", WRITER.upper(), "x" * 5000):
        assert await verifier.verify_token(wrong) is None


def test_without_a_token_the_configured_workspace_is_served() -> None:
    assert workspace_for_request("local") == "local"


# -- over HTTP ----------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("token", [None, "wrong-token-0123456789abcdef", WRITER[:-1]])
async def test_missing_or_wrong_tokens_get_401_without_details(served: str, token: str | None) -> None:
    headers = dict(ACCEPT, **({"Authorization": f"Bearer {token}"} if token else {}))
    async with httpx2.AsyncClient() as http:
        response = await http.post(served, json=LIST_TOOLS, headers=headers)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert response.json() == {"error": "invalid_token", "error_description": "Authentication required"}
    if token:
        assert token not in response.text and token not in response.headers["www-authenticate"]


@pytest.mark.anyio
async def test_a_good_token_works_and_sees_only_its_workspace(served: str) -> None:
    async with connected(served, WRITER) as client:
        assert (await client.call_tool("whoami", {})).structured_content == {"result": "team-a"}
        assert not (await client.call_tool("log_error", {"message": "from a"})).is_error
        library = await client.read_resource("patterns://library")
        assert json.loads(library.contents[0].text) == {"workspace": "team-a"}
    async with connected(served, OTHER) as client:
        assert (await client.call_tool("whoami", {})).structured_content == {"result": "team-b"}
        assert (await client.call_tool("find_patterns", {})).structured_content == {"result": []}
    async with connected(served, READER) as client:
        assert (await client.call_tool("find_patterns", {})).structured_content == {"result": ["from a"]}


@pytest.mark.anyio
@pytest.mark.parametrize("served", ["sse"], indirect=True)
async def test_legacy_sse_is_authenticated_too(served: str) -> None:
    async with (
        httpx2.AsyncClient() as http,
        http.stream("GET", served, headers={"Accept": "text/event-stream"}) as response,
    ):
        assert response.status_code == 401
    async with connected(served, OTHER) as client:
        assert (await client.call_tool("whoami", {})).structured_content == {"result": "team-b"}


@pytest.mark.anyio
async def test_tool_failures_do_not_leak_internals(served: str) -> None:
    async with connected(served, WRITER) as client:
        result = await client.call_tool("crash", {})
    assert result.is_error
    assert_nothing_leaks(result.model_dump_json())


@pytest.mark.anyio
async def test_an_expired_token_is_refused_even_if_the_verifier_returns_it() -> None:
    class Expired(StaticTokenVerifier):
        async def verify_token(self, token: str) -> WorkspaceAccessToken | None:
            found = await super().verify_token(token)
            return None if found is None else found.model_copy(update={"expires_at": int(time.time()) - 5})

    sock = listening_socket()
    config = AuthConfig(tokens=TOKENS, port=sock.getsockname()[1])
    mcp = probe_server(config)
    mcp._token_verifier = Expired(parse_tokens(TOKENS))  # the SDK's own expiry check is what is tested
    with running(http_app(mcp, config), sock) as base:
        async with httpx2.AsyncClient() as http:
            response = await http.post(
                base + "/mcp", json=LIST_TOOLS, headers=dict(ACCEPT, Authorization=f"Bearer {WRITER}")
            )
    assert response.status_code == 401


# -- OAuth: introspection through a mock authorization server -----------------------------------


def introspection_transport(
    answers: dict[str, dict[str, Any]], calls: list[httpx2.Request]
) -> httpx2.MockTransport:
    def handle(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        form = dict(pair.split("=", 1) for pair in request.content.decode().split("&"))
        return httpx2.Response(200, json=answers.get(form["token"], {"active": False}))

    return httpx2.MockTransport(handle)


@pytest.fixture
def oauth_served() -> Iterator[tuple[str, list[httpx2.Request]]]:
    now = int(time.time())
    answers = {
        "oauth-good": {
            "active": True,
            "scope": "read write",
            "workspace": "team-o",
            "exp": now + 600,
            "sub": "u1",
        },
        "oauth-expired": {"active": True, "scope": "read write", "workspace": "team-o", "exp": now - 1},
        "oauth-reader": {"active": True, "scope": "read", "workspace": "team-o", "sub": "u2"},
    }
    calls: list[httpx2.Request] = []
    sock = listening_socket()
    port = sock.getsockname()[1]
    config = AuthConfig(
        port=port,
        oauth_introspection_url="https://auth.example.com/introspect",
        oauth_issuer_url="https://auth.example.com",
        oauth_client_id="rmo",
        oauth_client_secret="rmo-secret",
        oauth_check_audience=False,
    )
    http_client = httpx2.AsyncClient(transport=introspection_transport(answers, calls))
    with running(http_app(probe_server(config, http_client=http_client), config), sock) as base:
        yield base, calls


@pytest.mark.anyio
async def test_protected_resource_metadata_is_served_with_both_scopes(oauth_served: tuple[str, Any]) -> None:
    base, _ = oauth_served
    async with httpx2.AsyncClient() as http:
        response = await http.get(base + "/.well-known/oauth-protected-resource/mcp")
        challenge = (await http.post(base + "/mcp", json=LIST_TOOLS, headers=ACCEPT)).headers[
            "www-authenticate"
        ]
    assert response.status_code == 200
    metadata = response.json()
    assert metadata["resource"] == base + "/mcp"
    assert metadata["authorization_servers"] == ["https://auth.example.com"]
    assert metadata["scopes_supported"] == ["read", "write"]
    assert 'resource_metadata="' + base + '/.well-known/oauth-protected-resource/mcp"' in challenge


@pytest.mark.anyio
async def test_introspected_tokens_authenticate_and_expired_ones_get_401(
    oauth_served: tuple[str, Any],
) -> None:
    base, calls = oauth_served
    async with connected(base + "/mcp", "oauth-good") as client:
        assert (await client.call_tool("whoami", {})).structured_content == {"result": "team-o"}
    assert calls and calls[0].headers["authorization"].startswith("Basic ")
    async with httpx2.AsyncClient() as http:
        for token in ("oauth-expired", "oauth-unknown"):
            response = await http.post(
                base + "/mcp", json=LIST_TOOLS, headers=dict(ACCEPT, Authorization=f"Bearer {token}")
            )
            assert response.status_code == 401
            assert token not in response.text


@pytest.mark.anyio
async def test_an_introspected_read_token_cannot_write(oauth_served: tuple[str, Any]) -> None:
    base, _ = oauth_served
    call = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "log_error", "arguments": {}},
    }
    async with httpx2.AsyncClient() as http:
        response = await http.post(
            base + "/mcp", json=call, headers=dict(ACCEPT, Authorization="Bearer oauth-reader")
        )
    assert response.status_code == 403
    assert 'resource_metadata="' in response.headers["www-authenticate"]


# -- the real server, as `fractal-rmo serve` runs it ----------------------------------------------


@pytest.fixture
def real_server(tmp_path: Path) -> Iterator[str]:
    """`python -m server serve --transport http` with the tokens above; yields its /mcp URL."""
    import subprocess
    import sys

    from .conftest import free_port, server_env, wait_for_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--transport", "http", "--port", str(port)],
        env=server_env(tmp_path / "real.db", FRACTAL_RMO_TOKENS=TOKENS),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        assert proc.stderr is not None
        log = proc.stderr.read().decode()
        proc.stderr.close()
        assert not any(token in log for token in (WRITER, READER, OTHER)), "a token reached the server log"


@pytest.mark.anyio
async def test_the_real_server_authenticates_scopes_and_separates_workspaces(real_server: str) -> None:
    call = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "log_error", "arguments": {}},
    }
    async with httpx2.AsyncClient() as http:
        assert (await http.post(real_server, json=LIST_TOOLS, headers=ACCEPT)).status_code == 401
        bad = await http.post(
            real_server, json=LIST_TOOLS, headers=dict(ACCEPT, Authorization="Bearer nope" * 3)
        )
        assert bad.status_code == 401
        read_only = await http.post(
            real_server, json=call, headers=dict(ACCEPT, Authorization=f"Bearer {READER}")
        )
        assert read_only.status_code == 403
    async with connected(real_server, WRITER) as client:
        logged = await client.call_tool("log_error", {"message": "boom", "error_type": "ValueError"})
        assert not logged.is_error
    async with connected(real_server, READER) as client:
        found = await client.call_tool("find_patterns", {})
        assert [p["id"] for p in found.structured_content["patterns"]] == [
            logged.structured_content["pattern_id"]
        ]
    async with connected(real_server, OTHER) as client:
        assert (await client.call_tool("find_patterns", {})).structured_content["patterns"] == []
        library = json.loads((await client.read_resource("patterns://library")).contents[0].text)
        assert library["workspace"] == "team-b" and library["patterns"] == []
