"""The Anthropic executor offline: a real `AsyncAnthropic` whose HTTP client has a mock transport."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable

import pytest

from tools.evaluation.executors.anthropic import (
    AnthropicCaller,
    AnthropicExecutor,
    AnthropicReflector,
    AuthenticationFailed,
    extract_code,
)
from tools.evaluation.model import ExecutorError, ValidatedExample
from tools.evaluation.pricing import Price, price_for

anthropic = pytest.importorskip("anthropic")
# The SDK brings its own HTTP library (httpx or, in newer releases, httpx2); the mock must be built with the same one.
http = importlib.import_module(anthropic.DefaultAsyncHttpxClient.__mro__[1].__module__.split(".")[0])

pytestmark = pytest.mark.anyio

HAIKU = Price(1.0, 5.0)
MODEL = "claude-haiku-4-5"


def message(
    text: str, *, tokens_in: int = 1200, tokens_out: int = 300, cache_write: int = 0, cache_read: int = 0
) -> dict:
    return {
        "id": "msg_01", "type": "message", "role": "assistant", "model": MODEL,
        "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": tokens_in, "output_tokens": tokens_out,
                  "cache_creation_input_tokens": cache_write, "cache_read_input_tokens": cache_read},
    }  # fmt: skip


def error(status: int, kind: str, text: str, headers: dict | None = None):
    body = {"type": "error", "error": {"type": kind, "message": text}}
    return http.Response(status, json=body, headers=headers or {})


class Recorder:
    """A scripted API: each request gets the next response; requests and waits are recorded."""

    def __init__(self, *responses: Callable[[], object]) -> None:
        self.responses = list(responses)
        self.requests: list[dict] = []
        self.sleeps: list[float] = []

    def handler(self, request):
        self.requests.append(json.loads(request.content))
        return self.responses.pop(0)()

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def caller(self, **kwargs) -> AnthropicCaller:
        client = anthropic.AsyncAnthropic(
            api_key="test", http_client=http.AsyncClient(transport=http.MockTransport(self.handler))
        )
        return AnthropicCaller(client, model=MODEL, price=HAIKU, sleep=self.sleep, **kwargs)


def ok(text: str = "```python\ndef add(a, b):\n    return a + b\n```", **usage) -> Callable[[], object]:
    return lambda: http.Response(200, json=message(text, **usage))


async def test_a_reply_becomes_an_attempt_with_tokens_and_cost_from_usage() -> None:
    api = Recorder(ok())
    attempt = await AnthropicExecutor(api.caller()).solve("Write add(a, b).", "", None)
    assert attempt.code == "def add(a, b):\n    return a + b\n"
    assert (attempt.tokens_in, attempt.tokens_out) == (1200, 300)
    assert attempt.cost_usd == pytest.approx(1200 * 1e-6 + 300 * 5e-6)
    assert not attempt.estimated
    [sent] = api.requests
    assert sent["model"] == MODEL and sent["max_tokens"] == 2048
    assert "Project protocol" not in sent["system"]


async def test_cache_tokens_are_charged_at_their_own_rates() -> None:
    api = Recorder(ok(tokens_in=100, tokens_out=10, cache_write=1000, cache_read=4000))
    attempt = await AnthropicExecutor(api.caller()).solve("Write add.", "", None)
    expected = 100 * 1e-6 + 10 * 5e-6 + 1000 * 1e-6 * 1.25 + 4000 * 1e-6 * 0.1
    assert attempt.cost_usd == pytest.approx(expected)
    assert attempt.tokens_in == 5100


async def test_the_protocol_goes_into_the_system_prompt_and_feedback_into_the_message() -> None:
    api = Recorder(ok())
    await AnthropicExecutor(api.caller()).solve(
        "Write add.", "- Always add.", "Your previous attempt failed: boom"
    )
    [sent] = api.requests
    assert "# Project protocol" in sent["system"] and "- Always add." in sent["system"]
    assert sent["messages"][0]["content"].endswith("Your previous attempt failed: boom")


async def test_rate_limits_are_retried_after_the_advised_wait() -> None:
    api = Recorder(lambda: error(429, "rate_limit_error", "slow down", {"retry-after": "7"}), ok())
    caller = api.caller()
    attempt = await AnthropicExecutor(caller).solve("Write add.", "", None)
    assert attempt.code.startswith("def add")
    assert api.sleeps == [7.0]
    assert (
        len(api.requests) == 2 and caller.retries == 1
    )  # the SDK's own retries are off: every request is ours


async def test_server_errors_back_off_exponentially_then_succeed() -> None:
    api = Recorder(
        lambda: error(529, "overloaded_error", "busy"), lambda: error(500, "api_error", "oops"), ok()
    )
    await AnthropicExecutor(api.caller(base_delay_s=2.0)).solve("Write add.", "", None)
    assert len(api.sleeps) == 2
    assert 1.0 <= api.sleeps[0] <= 2.0 and 2.0 <= api.sleeps[1] <= 4.0


async def test_retry_after_is_capped_by_the_longest_wait() -> None:
    api = Recorder(lambda: error(429, "rate_limit_error", "later", {"retry-after": "3600"}), ok())
    await AnthropicExecutor(api.caller(max_delay_s=30.0)).solve("Write add.", "", None)
    assert api.sleeps == [30.0]


async def test_persistent_server_errors_give_up_after_the_retry_budget() -> None:
    api = Recorder(*[lambda: error(503, "api_error", "down")] * 4)
    with pytest.raises(ExecutorError, match=r"after 3 retries \(503\): down"):
        await AnthropicExecutor(api.caller(max_retries=3)).solve("Write add.", "", None)
    assert len(api.requests) == 4


async def test_a_rejected_key_fails_at_once_with_what_to_do() -> None:
    api = Recorder(lambda: error(401, "authentication_error", "invalid x-api-key"))
    with pytest.raises(AuthenticationFailed, match="ANTHROPIC_API_KEY") as caught:
        await AnthropicExecutor(api.caller()).solve("Write add.", "", None)
    assert "invalid x-api-key" in str(caught.value)
    assert len(api.requests) == 1 and api.sleeps == []


async def test_a_bad_request_is_not_retried() -> None:
    api = Recorder(lambda: error(400, "invalid_request_error", "max_tokens too large"))
    with pytest.raises(ExecutorError, match=r"refused the request \(400\): max_tokens too large"):
        await AnthropicExecutor(api.caller()).solve("Write add.", "", None)
    assert len(api.requests) == 1


async def test_connection_errors_are_retried() -> None:
    def refuse():
        raise http.ConnectError("connection refused")

    api = Recorder(refuse, ok())
    attempt = await AnthropicExecutor(api.caller()).solve("Write add.", "", None)
    assert attempt.code.startswith("def add") and len(api.sleeps) == 1


async def test_reflector_turns_a_pattern_into_a_rule_and_counts_its_cost() -> None:
    reply = 'Here: {"rule": "Raise housekit.errors.ValidationError.", "example_wrong": "raise ValueError()", "example_right": "raise ValidationError(\'x\', x)"}'
    api = Recorder(ok(reply, tokens_in=900, tokens_out=80))
    example = ValidatedExample(
        "builtin/x#1", "raise ValueError()", "raise ValidationError('x', x)", "AssertionError"
    )
    draft = await AnthropicReflector(api.caller()).write_insight(
        {"title": "wrong exception", "signature": "s"}, [example]
    )
    assert draft is not None and draft.rule == "Raise housekit.errors.ValidationError."
    assert draft.cost_usd == pytest.approx(900 * 1e-6 + 80 * 5e-6)
    assert "raise ValueError()" in api.requests[0]["messages"][0]["content"]


async def test_reflector_returns_nothing_for_a_reply_without_a_rule() -> None:
    api = Recorder(ok("I cannot tell what went wrong."))
    assert await AnthropicReflector(api.caller()).write_insight({"title": "t"}, []) is None


def test_code_is_taken_from_the_python_block_of_a_reply() -> None:
    assert extract_code("Sure.\n```python\nx = 1\n```\nand\n```\nnot this\n```") == "x = 1\n"
    assert extract_code("```\ny = 2\n```") == "y = 2\n"
    assert extract_code("z = 3") == "z = 3\n"


def test_prices_match_dated_model_ids_and_unknown_models_need_a_price() -> None:
    assert price_for("claude-haiku-4-5-20251001") == HAIKU
    with pytest.raises(KeyError, match="--price-in"):
        price_for("some-other-model")
