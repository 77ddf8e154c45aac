"""Titles and signatures for patterns made of several fingerprint groups: what the members share."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from store.base import SignatureGroup
from tools.log_error.categorize import RULE_TITLES, rule_family
from tools.log_error.title import RELATION_PHRASES

_TITLE_CHARS = 120
_SIGNATURE_CHARS = 200


def pattern_title(groups: Sequence[SignatureGroup]) -> str:
    """The members' common title, or a title built from what they share."""
    titles = Counter({g.title: 0 for g in groups})
    for group in groups:
        titles[group.title] += group.count
    if len(titles) == 1:
        return _shorten(next(iter(titles)), _TITLE_CHARS)
    features = [g.features for g in groups]
    category = str(features[0].get("category") or "")
    rule = _most_common(groups, "rule_code")
    if rule:
        return _shorten(f"{rule} {RULE_TITLES.get(rule_family(rule), 'finding')}", _TITLE_CHARS)
    relation = _most_common(groups, "value_relation")
    if category == "logic.assertion":
        phrase = RELATION_PHRASES.get(relation or "", "")
        shape = _shared(groups, "assert_shape")
        title = "Wrong answer" + (f": {phrase}" if phrase else "") + (f" ({shape})" if shape else "")
        return _shorten(title, _TITLE_CHARS)
    error_type = _most_common(groups, "error_type") or "Error"
    template = _most_common(groups, "template")
    if template:
        return _shorten(f"{error_type}: {template.splitlines()[0]}", _TITLE_CHARS)
    return _shorten(titles.most_common(1)[0][0], _TITLE_CHARS)


def pattern_signature(groups: Sequence[SignatureGroup]) -> str:
    """``AssertionError: assert <call>(<list>) == <num> [off_by_one]`` — head, shared text, relation."""
    head = _most_common(groups, "rule_code") or _most_common(groups, "error_type") or "Error"
    text = (
        _most_common(groups, "assert_shape")
        or _most_common(groups, "template")
        or _most_common(groups, "source_line")
        or ""
    )
    relation = _most_common(groups, "value_relation")
    signature = f"{head}: {text.splitlines()[0] if text else ''}".rstrip(": ")
    if relation:
        signature += f" [{relation}]"
    return _shorten(signature, _SIGNATURE_CHARS)


def _most_common(groups: Sequence[SignatureGroup], key: str) -> str | None:
    counts: Counter[str] = Counter()
    for group in groups:
        value: Any = group.features.get(key)
        if isinstance(value, str) and value:
            counts[value] += group.count
    return counts.most_common(1)[0][0] if counts else None


def _shared(groups: Sequence[SignatureGroup], key: str) -> str | None:
    values = {group.features.get(key) for group in groups}
    if len(values) == 1:
        value = values.pop()
        return value if isinstance(value, str) and value else None
    return None


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
