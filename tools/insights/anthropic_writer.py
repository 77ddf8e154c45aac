"""An optional insight writer backed by the Anthropic API.

The client is passed in (`anthropic.AsyncAnthropic`, built by the server when a key is configured),
never constructed here; the package is imported only when this module's functions run. Retries
are ours rather than the SDK's, so waits are bounded and observable: a 429 waits as long as its
``retry-after`` header says (capped), a 5xx or connection failure backs off exponentially, any
other error fails at once. Token usage and cost are returned with the insight and stored with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import anyio

from store import PatternRecord
from store.base import Store
from tools.errors import Busy
from tools.evaluation.pricing import DEFAULT_PRICES, Price, price_for
from tools.experiments.config import DEFAULT_CONFIG, LearningConfig
from tools.taxonomy import taxonomy_for

from .._text import clip
from .examples import wrong_snippet
from .models import ProposedInsight
from .propose import default_scope, load_pattern, propose

SYSTEM = (
    "You turn a recurring coding error into one rule that prevents it. The rule is read by an AI coding "
    "assistant before it writes Python code for a new task, so it must be specific, actionable and short "
    "(one to three sentences), name the mistake, and say what to do instead. Reply with one JSON object "
    'and nothing else: {"rule": str, "scope": str, "example_wrong": str, "example_right": str}. '
    "scope is one category from the list given. example_wrong is at most 12 lines showing the mistake; "
    "example_right is the same code fixed."
)


class InsightWriterError(RuntimeError):
    """The API refused or failed, or its answer was not a usable insight."""


@dataclass(frozen=True, slots=True)
class WrittenInsight:
    rule: str
    scope: str
    example_wrong: str | None
    example_right: str | None
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    """None when the model's price is unknown (see `tools.evaluation.pricing.DEFAULT_PRICES`)."""
    attempts: int


def cost_of(
    model: str,
    input_tokens: int,
    output_tokens: int,
    prices: Mapping[str, Price] = DEFAULT_PRICES,
    *,
    cache_write: int = 0,
    cache_read: int = 0,
) -> float | None:
    """US dollars for a call, from the project's price table; None for a model it does not list
    (a cost is never guessed)."""
    try:
        price = price_for(model, prices)
    except KeyError:
        return None
    return price.cost(input_tokens, output_tokens, cache_write=cache_write, cache_read=cache_read)


def pattern_brief(pattern: PatternRecord) -> str:
    lines = [
        f"Pattern {pattern.pattern_id}: {pattern.title}",
        f"Signature: {pattern.signature}",
        f"Error category: {pattern.category}",
        f"Seen {pattern.frequency} times in {pattern.distinct_tasks} distinct tasks.",
    ]
    for number, example in enumerate(pattern.examples, start=1):
        lines.append(f"\nExample {number} ({example.error_id}): {clip(example.message, 600)}")
        snippet = wrong_snippet(example)
        if snippet:
            lines.append("Code:\n```python\n" + snippet + "\n```")
        if example.traceback:
            lines.append("Traceback (end):\n" + example.traceback[-800:])
    return "\n".join(lines)


def _parse(text: str, categories: Sequence[str], fallback_scope: str, max_rule_chars: int) -> dict[str, Any]:
    match = re.search(r"\{.*\}", text, re.DOTALL)
    if match is None:
        raise InsightWriterError(f"the model's answer holds no JSON object: {clip(text, 200)!r}")
    try:
        data = json.loads(match.group(0))
    except ValueError as exc:
        raise InsightWriterError(f"the model's answer is not valid JSON: {exc}") from exc
    rule = data.get("rule") if isinstance(data, dict) else None
    if not isinstance(rule, str) or not rule.strip():
        raise InsightWriterError("the model's answer has no rule")
    rule = " ".join(rule.split())[:max_rule_chars]
    scope = data.get("scope")
    return {
        "rule": rule,
        "scope": scope if isinstance(scope, str) and scope in categories else fallback_scope,
        "example_wrong": data.get("example_wrong") if isinstance(data.get("example_wrong"), str) else None,
        "example_right": data.get("example_right") if isinstance(data.get("example_right"), str) else None,
    }


def _retry_after(exc: Any) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return max(0.0, float(value) * scale)
            except ValueError:
                continue
    return None


async def write_insight_with_anthropic(
    pattern: PatternRecord,
    *,
    client: Any,
    model: str,
    categories: Sequence[str],
    fallback_scope: str = "python",
    max_tokens: int = 800,
    max_attempts: int = 3,
    max_wait_s: float = 30.0,
    max_rule_chars: int = 500,
    prices: Mapping[str, Price] = DEFAULT_PRICES,
    sleep: Callable[[float], Awaitable[Any]] = anyio.sleep,
) -> WrittenInsight:
    """Ask the model for a rule and wrong -> right example for `pattern`.

    Raises `tools.errors.Busy` when still rate-limited after `max_attempts`, and
    `InsightWriterError` for any other failure (with the API's message).
    """
    import anthropic

    api = client.with_options(max_retries=0)
    prompt = (
        pattern_brief(pattern)
        + "\n\nCategories (choose scope from these):\n"
        + "\n".join(f"- {c}" for c in categories)
    )
    rate_limited = False
    for attempt in range(1, max_attempts + 1):
        try:
            message = await api.messages.create(
                model=model,
                max_tokens=max_tokens,
                system=SYSTEM,
                messages=[{"role": "user", "content": prompt}],
            )
        except anthropic.RateLimitError as exc:
            rate_limited, wait = True, _retry_after(exc)
            wait = min(max_wait_s, wait if wait is not None else 2.0**attempt)
        except (anthropic.InternalServerError, anthropic.APIConnectionError) as exc:
            rate_limited, wait = False, min(max_wait_s, 0.5 * 2.0 ** (attempt - 1))
            if attempt == max_attempts:
                raise InsightWriterError(f"the Anthropic API failed {attempt} times: {exc}") from exc
        except anthropic.APIStatusError as exc:
            raise InsightWriterError(
                f"the Anthropic API refused the request ({exc.status_code}): {exc.message}"
            ) from exc
        else:
            text = "".join(block.text for block in message.content if getattr(block, "type", None) == "text")
            parsed = _parse(text, categories, fallback_scope, max_rule_chars)
            usage = message.usage
            return WrittenInsight(
                model=message.model or model,
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                cost_usd=cost_of(
                    message.model or model,
                    usage.input_tokens,
                    usage.output_tokens,
                    prices,
                    cache_write=getattr(usage, "cache_creation_input_tokens", None) or 0,
                    cache_read=getattr(usage, "cache_read_input_tokens", None) or 0,
                ),
                attempts=attempt,
                **parsed,
            )
        if attempt < max_attempts:
            await sleep(wait)
    if rate_limited:
        raise Busy(
            f"the Anthropic API is rate-limiting requests (tried {max_attempts} times); try again later"
        )
    raise InsightWriterError(f"the Anthropic API failed {max_attempts} times")


async def auto_insight_with_anthropic(
    pattern_id: str,
    *,
    store: Store,
    workspace: str,
    client: Any,
    model: str,
    config: LearningConfig = DEFAULT_CONFIG,
    prices: Mapping[str, Price] = DEFAULT_PRICES,
    sleep: Callable[[float], Awaitable[Any]] = anyio.sleep,
) -> ProposedInsight:
    """Write an insight for a confirmed pattern with the Anthropic API and put its rule on trial;
    the tokens and cost are stored with the insight."""
    pattern = await load_pattern(store, workspace, pattern_id)
    taxonomy = await taxonomy_for(store=store, workspace=workspace, taxonomy_file=config.taxonomy_file)
    written = await write_insight_with_anthropic(
        pattern,
        client=client,
        model=model,
        categories=[c for c in taxonomy.ids() if "." in c],
        fallback_scope=default_scope(pattern, taxonomy),
        max_rule_chars=config.max_rule_chars,
        prices=prices,
        sleep=sleep,
    )

    def example(code: str | None) -> str | None:
        return None if code is None or not code.strip() else clip(code.strip("\n"), config.max_example_chars)

    return await propose(
        pattern,
        rule=written.rule,
        example_wrong=example(written.example_wrong),
        example_right=example(written.example_right),
        scope=written.scope,
        source="anthropic",
        store=store,
        workspace=workspace,
        config=config,
        model=written.model,
        tokens=written.input_tokens + written.output_tokens,
        cost_usd=written.cost_usd or 0.0,
    )
