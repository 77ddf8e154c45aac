"""A Claude model as the executor (and, optionally, as the reflector that writes rules for patterns).

The ``anthropic`` client is built by the caller and passed in (tests pass one whose HTTP client has a
mock transport). Retries are ours, not the SDK's: 429 and 5xx answers and connection errors are
retried with exponential backoff that honours ``retry-after``; a rejected API key fails at once with
a message saying what to do. Tokens and cost come from the response's ``usage``.
"""

from __future__ import annotations

import email.utils
import json
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..model import Attempt, AttemptContext, ExecutorError, InsightDraft, ValidatedExample
from ..pricing import Price

SYSTEM_PROMPT = """\
You are a careful Python engineer working in an existing project. Write the complete Python module that \
solves the task: the imports it needs, any helpers, and the requested function with exactly the requested \
name and parameters. Reply with one ```python code block holding the whole module and nothing else."""

PROTOCOL_HEADER = (
    "\n\n# Project protocol\nRules learned from earlier mistakes in this project. Follow them.\n\n"
)

REFLECT_PROMPT = """\
Validation of code written for this project keeps failing in the same way. The recurring error pattern:

{pattern}

{examples}
Write ONE rule that would have prevented this mistake in future tasks of this project: imperative, \
specific (name the function, class, format or convention involved), at most 400 characters. Add a minimal \
wrong and right code example (a few lines each). Reply with a JSON object only: \
{{"rule": "...", "example_wrong": "...", "example_right": "..."}}"""

Sleep = Callable[[float], Awaitable[None]]


class AuthenticationFailed(ExecutorError):
    """The API rejected the key: nothing to retry."""


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    tokens_in: int
    tokens_out: int
    cost_usd: float
    retries: int


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


class AnthropicCaller:
    """One Messages API call with our retry policy and cost accounting."""

    def __init__(
        self,
        client: Any,
        *,
        model: str,
        price: Price,
        max_tokens: int = 2048,
        temperature: float | None = None,
        max_retries: int = 5,
        base_delay_s: float = 1.0,
        max_delay_s: float = 60.0,
        sleep: Sleep | None = None,
        rng: random.Random | None = None,
    ) -> None:
        # The SDK retries on its own by default; ours must be the only policy so the counts and waits are known.
        self.client = client.with_options(max_retries=0) if hasattr(client, "with_options") else client
        self.model = model
        self.price = price
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.max_retries = max_retries
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self._sleep = sleep
        self._rng = rng or random.Random(0)
        self.requests = 0
        self.retries = 0

    async def sleep(self, seconds: float) -> None:
        if self._sleep is not None:
            await self._sleep(seconds)
        else:
            import anyio

            await anyio.sleep(seconds)

    def delay(self, attempt: int, exc: Exception) -> float:
        advised = _retry_after(exc)
        if advised is not None:
            return min(advised, self.max_delay_s)
        backoff = self.base_delay_s * 2 ** (attempt - 1)
        return min(self.max_delay_s, backoff * (0.5 + self._rng.random() / 2))

    async def complete(self, system: str, messages: list[dict[str, Any]]) -> Completion:
        import anthropic

        kwargs: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "system": system,
            "messages": messages,
        }
        if self.temperature is not None:
            kwargs["temperature"] = self.temperature
        retries = 0
        while True:
            self.requests += 1
            try:
                response = await self.client.messages.create(**kwargs)
                break
            except (anthropic.AuthenticationError, anthropic.PermissionDeniedError) as exc:
                raise AuthenticationFailed(
                    f"the Anthropic API rejected the credentials ({exc.status_code}): {_message(exc)}. "
                    "Hint: set ANTHROPIC_API_KEY to a valid key with access to the model "
                    f"{self.model!r}, or pass --executor simulated / replay to run without the API."
                ) from exc
            except (
                anthropic.RateLimitError,
                anthropic.InternalServerError,
                anthropic.APIConnectionError,
            ) as exc:
                if retries >= self.max_retries:
                    status = getattr(exc, "status_code", "connection")
                    raise ExecutorError(
                        f"the Anthropic API still failed after {retries} retries ({status}): {_message(exc)}"
                    ) from exc
                retries += 1
                self.retries += 1
                await self.sleep(self.delay(retries, exc))
            except anthropic.APIStatusError as exc:
                raise ExecutorError(
                    f"the Anthropic API refused the request ({exc.status_code}): {_message(exc)}"
                ) from exc
        usage = response.usage
        tokens_in = int(usage.input_tokens or 0)
        tokens_out = int(usage.output_tokens or 0)
        cache_write = int(getattr(usage, "cache_creation_input_tokens", 0) or 0)
        cache_read = int(getattr(usage, "cache_read_input_tokens", 0) or 0)
        text = "".join(
            getattr(block, "text", "") for block in response.content if getattr(block, "type", "") == "text"
        )
        cost = self.price.cost(tokens_in, tokens_out, cache_write=cache_write, cache_read=cache_read)
        return Completion(text, tokens_in + cache_write + cache_read, tokens_out, cost, retries)


def _message(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
    return str(getattr(exc, "message", None) or exc)


_FENCE = re.compile(r"```([A-Za-z0-9_+-]*)[ \t]*\n(.*?)```", re.DOTALL)


def extract_code(text: str) -> str:
    """The module in a reply: the longest ```python block, else the longest fenced block, else the text."""
    blocks = [(lang.lower(), body) for lang, body in _FENCE.findall(text)]
    python = [body for lang, body in blocks if lang in ("python", "py", "python3")]
    chosen = python or [body for _, body in blocks]
    if chosen:
        return max(chosen, key=len).strip("\n") + "\n"
    return text.strip() + "\n"


class AnthropicExecutor:
    name = "anthropic"
    description = "A Claude model writes every attempt through the Anthropic Messages API."

    def __init__(self, caller: AnthropicCaller) -> None:
        self.caller = caller

    async def solve(
        self,
        task_prompt: str,
        protocol_markdown: str,
        feedback: str | None,
        *,
        context: AttemptContext | None = None,
    ) -> Attempt:
        system = SYSTEM_PROMPT + (
            PROTOCOL_HEADER + protocol_markdown.strip() if protocol_markdown.strip() else ""
        )
        content = task_prompt if not feedback else f"{task_prompt}\n\n{feedback}"
        reply = await self.caller.complete(system, [{"role": "user", "content": content}])
        return Attempt(extract_code(reply.text), reply.tokens_in, reply.tokens_out, reply.cost_usd)


def _describe_pattern(pattern: Mapping[str, Any]) -> str:
    lines = [f"title: {pattern.get('title', '')}", f"signature: {pattern.get('signature', '')}"]
    for example in list(pattern.get("examples") or [])[:2]:
        if isinstance(example, Mapping) and example.get("message"):
            lines.append(f"example error: {str(example['message'])[:500]}")
    return "\n".join(lines)


def _describe_examples(examples: Sequence[ValidatedExample]) -> str:
    parts = []
    for example in examples[:2]:
        part = f"Code that failed:\n```python\n{example.wrong[:2500]}\n```\nWhat failed:\n{example.failure[:1200]}\n"
        if example.right:
            part += f"The corrected code that passed:\n```python\n{example.right[:2500]}\n```\n"
        parts.append(part)
    return "\n".join(parts)


def parse_insight(text: str) -> dict[str, str] | None:
    start, end = text.find("{"), text.rfind("}")
    if start == -1 or end <= start:
        return None
    try:
        data = json.loads(text[start : end + 1])
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("rule"), str) or not data["rule"].strip():
        return None
    return {k: str(v) for k, v in data.items() if k in ("rule", "example_wrong", "example_right") and v}


class AnthropicReflector:
    """Asks the model to turn a recurring pattern (with real failing and fixed code) into one rule."""

    def __init__(self, caller: AnthropicCaller) -> None:
        self.caller = caller

    async def write_insight(
        self, pattern: Mapping[str, Any], examples: Sequence[ValidatedExample]
    ) -> InsightDraft | None:
        prompt = REFLECT_PROMPT.format(
            pattern=_describe_pattern(pattern), examples=_describe_examples(examples)
        )
        reply = await self.caller.complete(
            "You write short, specific coding rules.", [{"role": "user", "content": prompt}]
        )
        parsed = parse_insight(reply.text)
        if parsed is None:
            return None
        return InsightDraft(
            rule=parsed["rule"].strip()[:500],
            example_wrong=parsed.get("example_wrong"),
            example_right=parsed.get("example_right"),
            tokens_in=reply.tokens_in,
            tokens_out=reply.tokens_out,
            cost_usd=reply.cost_usd,
        )
