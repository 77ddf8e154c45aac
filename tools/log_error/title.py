"""Short human titles for an error's pattern: what went wrong and where, in one line."""

from __future__ import annotations

from .assertions import AssertFacts
from .categorize import RULE_TITLES
from .normalize import normalize_source
from .traceback_parse import Frame

RELATION_PHRASES = {
    "off_by_one": "off by one",
    "none": "returned None",
    "empty": "returned empty",
    "sign": "wrong sign",
    "order": "wrong order",
    "length": "wrong length",
    "case": "wrong case",
    "whitespace": "whitespace differs",
    "type": "wrong type",
    "precision": "float precision",
    "negated": "inverted boolean",
}


def make_title(
    *,
    category: str,
    error_type: str | None,
    rule_code: str | None,
    family: str | None,
    template: str,
    frames: list[Frame],
    facts: AssertFacts | None,
    function: str | None,
    limit: int,
) -> str:
    first_line = template.split("\n", 1)[0]
    if rule_code:
        description = RULE_TITLES.get(family or "") or first_line or "finding"
        title = f"{rule_code} {description}" + (f" in {function}" if function else "")
    elif category.startswith("syntax"):
        title = f"{error_type or 'SyntaxError'}: {first_line}"
    elif facts is not None:
        title = _wrong_answer(facts, first_line, frames)
    elif category == "performance.timeout":
        title = "Timeout" + (
            f" in {_where(frames[-1])}" if frames else (f": {first_line}" if first_line else "")
        )
    elif frames:
        title = f"{error_type or 'Error'} in {_where(frames[-1])}"
    else:
        title = f"{error_type or 'Error'}: {first_line}" if first_line else (error_type or "Error")
    return _shorten(title, limit)


def _wrong_answer(facts: AssertFacts, first_line: str, frames: list[Frame]) -> str:
    phrase = RELATION_PHRASES.get(facts.relation or "", "")
    if facts.shape:
        return f"Wrong answer: {facts.shape}" + (f" {phrase}" if phrase else "")
    if phrase:
        return f"Wrong answer: {phrase}" + (f" in {frames[-1].function}" if frames else "")
    return f"Wrong answer: {first_line}" if first_line else "Wrong answer"


def _where(frame: Frame) -> str:
    """``median: s[len(s) // <num>]`` — the function and the failing expression (or line)."""
    text = frame.segment or frame.source
    if not text:
        return frame.function
    text = normalize_source(text)
    if text.startswith("return "):
        text = text[len("return ") :]
    return f"{frame.function}: {text}"


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
