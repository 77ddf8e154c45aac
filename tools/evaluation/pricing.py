"""Model prices in USD per million tokens, and the cost of a call from its token counts."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Price:
    input_per_mtok: float
    output_per_mtok: float
    cache_write_factor: float = 1.25
    """Cache writes cost this multiple of the input price."""
    cache_read_factor: float = 0.1
    """Cache reads cost this multiple of the input price."""

    def cost(self, tokens_in: int, tokens_out: int, *, cache_write: int = 0, cache_read: int = 0) -> float:
        per_in = self.input_per_mtok / 1_000_000
        return (
            tokens_in * per_in
            + tokens_out * self.output_per_mtok / 1_000_000
            + cache_write * per_in * self.cache_write_factor
            + cache_read * per_in * self.cache_read_factor
        )


# List prices (standard API, USD per million tokens) as published in late 2025; check them before
# relying on a cost figure. Override with --price-in/--price-out or --prices FILE; a model missing
# here needs one of those, so a run never reports a made-up cost.
DEFAULT_PRICES: dict[str, Price] = {
    "claude-opus-4-5": Price(5.0, 25.0),
    "claude-sonnet-4-6": Price(3.0, 15.0),
    "claude-sonnet-4-5": Price(3.0, 15.0),
    "claude-haiku-4-5": Price(1.0, 5.0),
}


def price_for(model: str, table: Mapping[str, Price] = DEFAULT_PRICES) -> Price:
    """The price of `model`, matching dated ids (``claude-sonnet-4-5-20250929``) by their longest known prefix."""
    if model in table:
        return table[model]
    prefixes = sorted((name for name in table if model.startswith(name)), key=len, reverse=True)
    if prefixes:
        return table[prefixes[0]]
    raise KeyError(
        f"no price for model {model!r}; known: {', '.join(sorted(table))}. "
        "Hint: pass --price-in and --price-out (USD per million tokens) or --prices FILE."
    )


def load_price_table(path: str | Path) -> dict[str, Price]:
    """A JSON object ``{"model": {"input": 3.0, "output": 15.0}, ...}`` merged over the defaults."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{str(path)!r} must hold a JSON object of model -> {{'input': ..., 'output': ...}}")
    table = dict(DEFAULT_PRICES)
    for model, entry in raw.items():
        try:
            table[model] = Price(float(entry["input"]), float(entry["output"]))
        except (TypeError, KeyError, ValueError) as exc:
            raise ValueError(
                f"price of {model!r} must be {{'input': number, 'output': number}} (got {entry!r})"
            ) from exc
    return table


def estimate_tokens(text: str) -> int:
    """Rough token count of English text and code (about four characters per token)."""
    return math.ceil(len(text) / 4)
