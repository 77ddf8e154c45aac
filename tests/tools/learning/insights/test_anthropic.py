"""The Anthropic-backed insight writer, against a mock transport (no network)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

import pytest

from store import open_store
from tools.errors import Busy
from tools.evaluation.pricing import Price
from tools.insights import (
    InsightWriterError,
    auto_insight_with_anthropic,
    cost_of,
    write_insight_with_anthropic,
)
from tools.taxonomy import default_taxonomy

from ..helpers import confirmed_pattern

anthropic = pytest.importorskip("anthropic")
try:
    import httpx2 as httpx  # the HTTP client this anthropic release is built on
except ImportError:  # pragma: no cover - older releases use httpx
    import httpx  # type: ignore[no-redef]

pytestmark = pytest.mark.anyio
MODEL = "claude-sonnet-4-6"
PRICES = {MODEL: Price(3.0, 15.0)}
CATEGORIES = [c for c in default_taxonomy().ids() if "." in c]
ANSWER = {
    "rule": "When a loop reads xs[i + 1], stop it at len(xs) - 1.",
    "scope": "python.edge_cases.boundaries",
    "example_wrong": "for i in range(len(xs)):\n    out.append(xs[i + 1])",
    "example_right": "for i in range(len(xs) - 1):\n    out.append(xs[i + 1])",
}


def message(text: str, *, input_tokens: int = 1200, output_tokens: int = 300) -> dict:
    return {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
    }


def api_error(status: int, kind: str, text: str) -> dict:
    return {"type": "error", "error": {"type": kind, "message": text}}


def client_for(responses: list[Callable[[object], object]], seen: list) -> object:
    def handler(request):
        seen.append(request)
        return responses.pop(0)(request)

    return anthropic.AsyncAnthropic(
        api_key="test-key", http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
    )


def ok(text: str = json.dumps(ANSWER)):
    return lambda request: httpx.Response(200, json=message(text))


def status(code: int, kind: str, headers: dict | None = None):
    return lambda request: httpx.Response(
        code, json=api_error(code, kind, f"{kind} says no"), headers=headers or {}
    )


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
async def pattern():
    store = await open_store("sqlite:///:memory:")
    try:
        yield await confirmed_pattern(store, "ws")
    finally:
        await store.close()


async def test_a_good_answer_becomes_an_insight_with_its_tokens_and_cost(pattern) -> None:
    seen: list = []
    written = await write_insight_with_anthropic(
        pattern,
        client=client_for([ok()], seen),
        model=MODEL,
        categories=CATEGORIES,
        prices=PRICES,
        sleep=Sleeps(),
    )
    assert (written.rule, written.scope) == (ANSWER["rule"], ANSWER["scope"])
    assert written.example_right == ANSWER["example_right"]
    assert (written.input_tokens, written.output_tokens, written.attempts) == (1200, 300, 1)
    assert written.cost_usd == pytest.approx(1200 * 3e-6 + 300 * 15e-6)
    [request] = seen
    body = json.loads(request.content)
    assert request.url.path == "/v1/messages" and body["model"] == MODEL
    assert pattern.pattern_id in body["messages"][0]["content"]
    assert "python.io.parse" in body["messages"][0]["content"]


async def test_a_rate_limit_is_waited_out_as_the_api_asks(pattern) -> None:
    seen: list = []
    sleeps = Sleeps()
    client = client_for([status(429, "rate_limit_error", {"retry-after": "2"}), ok()], seen)
    written = await write_insight_with_anthropic(
        pattern, client=client, model=MODEL, categories=CATEGORIES, sleep=sleeps
    )
    assert written.attempts == 2 and len(seen) == 2
    assert sleeps == [2.0]


async def test_a_lasting_rate_limit_is_reported_as_busy_after_bounded_waits(pattern) -> None:
    seen: list = []
    sleeps = Sleeps()
    client = client_for([status(429, "rate_limit_error", {"retry-after": "3600"})] * 3, seen)
    with pytest.raises(Busy, match="rate-limiting"):
        await write_insight_with_anthropic(
            pattern, client=client, model=MODEL, categories=CATEGORIES, sleep=sleeps, max_wait_s=30.0
        )
    assert len(seen) == 3 and sleeps == [30.0, 30.0]


async def test_a_server_error_is_retried_with_backoff(pattern) -> None:
    seen: list = []
    sleeps = Sleeps()
    client = client_for([status(529, "overloaded_error"), status(500, "api_error"), ok()], seen)
    written = await write_insight_with_anthropic(
        pattern, client=client, model=MODEL, categories=CATEGORIES, sleep=sleeps
    )
    assert written.attempts == 3 and sleeps == [0.5, 1.0]


@pytest.mark.parametrize(("code", "kind"), [(400, "invalid_request_error"), (401, "authentication_error")])
async def test_a_refused_request_fails_at_once_with_the_api_message(pattern, code, kind) -> None:
    seen: list = []
    sleeps = Sleeps()
    with pytest.raises(InsightWriterError, match=f"refused the request \\({code}\\)"):
        await write_insight_with_anthropic(
            pattern,
            client=client_for([status(code, kind)], seen),
            model=MODEL,
            categories=CATEGORIES,
            sleep=sleeps,
        )
    assert len(seen) == 1 and sleeps == []


@pytest.mark.parametrize("text", ["I cannot help with that.", '{"scope": "python"}', "{not json"])
async def test_an_unusable_answer_is_an_error(pattern, text) -> None:
    with pytest.raises(InsightWriterError):
        await write_insight_with_anthropic(
            pattern, client=client_for([ok(text)], []), model=MODEL, categories=CATEGORIES, sleep=Sleeps()
        )


async def test_an_unknown_scope_falls_back_to_the_patterns_step(pattern) -> None:
    answer = json.dumps({**ANSWER, "scope": "python.nonsense"})
    written = await write_insight_with_anthropic(
        pattern,
        client=client_for([ok(f"Here you go:\n{answer}")], []),
        model=MODEL,
        categories=CATEGORIES,
        fallback_scope="python.edge_cases.boundaries",
        sleep=Sleeps(),
    )
    assert written.scope == "python.edge_cases.boundaries"


async def test_the_automatic_path_stores_the_insight_with_its_model_tokens_and_cost(tmp_path) -> None:
    path = tmp_path / "store.db"
    store = await open_store(f"sqlite:///{path}")
    try:
        pattern = await confirmed_pattern(store, "ws")
        proposed = await auto_insight_with_anthropic(
            pattern.pattern_id,
            store=store,
            workspace="ws",
            client=client_for([ok()], []),
            model=MODEL,
            prices=PRICES,
            sleep=Sleeps(),
        )
        assert proposed.rule.text == ANSWER["rule"] and proposed.rule.status == "trial"
        rule = await store.get_rule("ws", proposed.rule.id)
        assert rule.provenance["source"] == "anthropic" and rule.provenance["model"] == MODEL
    finally:
        await store.close()
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT source, model, tokens, cost_usd FROM insights").fetchone()
    assert row == ("anthropic", MODEL, 1500, pytest.approx(0.0081))


def test_costs_come_from_the_project_price_table_and_unknown_models_are_not_guessed():
    assert cost_of("claude-haiku-4-5-20251001", 1_000_000, 0) == pytest.approx(1.0)
    assert cost_of("claude-opus-4-5-20251101", 0, 1_000_000) == pytest.approx(25.0)
    assert cost_of("someone-elses-model", 10, 10) is None
    assert cost_of("someone-elses-model", 1_000_000, 0, {"someone": Price(2.0, 4.0)}) == pytest.approx(2.0)
    assert cost_of(MODEL, 0, 0, PRICES, cache_read=1_000_000) == pytest.approx(0.3)
