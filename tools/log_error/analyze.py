"""Turn one cleaned error report into its category, fingerprint, features and title.

Pure and synchronous: no store, no I/O. `log_error` calls it after cutting and scrubbing the text,
so nothing here ever sees more than the limits allow or anything secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tools.limits import DEFAULT_LIMITS, Limits
from tools.signature import Features

from .assertions import AssertFacts, assert_facts
from .categorize import categorize, rule_code_from_message, rule_family
from .context import LineContext, line_context
from .fingerprint import app_frames, digest, fingerprint_components, frame_label
from .models import Evidence, FingerprintComponent
from .normalize import message_template, normalize_source
from .title import make_title
from .traceback_parse import Frame, ParsedTraceback, parse_traceback, split_exception_line

_LINTER_LOCATION = re.compile(r"^\S*?:(\d+):(?:\d+:)?\s")
_LINTER_PREFIX = re.compile(r"^(?:\S*?:\d+:(?:\d+:)?\s*)?(?:[A-Z]{1,4}\d{3,4}:?\s+)?")


@dataclass(frozen=True, slots=True)
class Analysis:
    error_type: str | None
    category: str
    fingerprint: str
    components: list[FingerprintComponent]
    features: Features
    title: str
    line: int | None
    """The failing line in the submitted code, when known."""
    details: dict[str, Any] = field(default_factory=dict)
    """What else is worth storing with the error (frames with line numbers, operands, cause)."""


def analyze(
    *,
    message: str,
    source: str,
    error_type: str | None = None,
    traceback: str | None = None,
    code: str | None = None,
    evidence: Evidence | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Analysis:
    evidence = evidence or Evidence()
    parsed = (
        parse_traceback(traceback) if traceback else ParsedTraceback(frames=[], error_type=None, message=None)
    )
    prefixed = split_exception_line(message.strip().split("\n", 1)[0])
    error_type = error_type or parsed.error_type or (prefixed[0] if prefixed else None)
    rule_code = evidence.rule_code or (rule_code_from_message(message) if source == "static" else None)
    if rule_code and not error_type:
        error_type = _static_tool(rule_code, evidence)
    body = _message_body(message, prefixed, parsed, error_type)
    if rule_code:
        # "solution.py:4:30: B006 Do not use..." and "Do not use..." are the same finding.
        body = _LINTER_PREFIX.sub("", body, count=1)
    # An exception group is categorised by what went wrong inside it.
    category_type = parsed.group_leaves[0][0] if parsed.group_leaves else error_type
    category = categorize(
        error_type=category_type,
        message=body if not parsed.group_leaves else parsed.group_leaves[0][1],
        source=source,
        rule_code=rule_code,
        stage=evidence.stage,
        details=evidence.details,
    )
    frames = app_frames(parsed.frames)[-limits.fingerprint_frames :]
    facts = _assert_facts(category, parsed, body, evidence)
    line = _failing_line(evidence, frames, parsed, code, category) or (
        _line_from_message(message) if rule_code else None
    )
    context = LineContext()
    if code and line and len(code) <= limits.ast_code_chars:
        context = line_context(code, line)
    offending = _offending_line(code, line, parsed) if category.startswith(("static", "syntax")) else None
    template = message_template(body, error_type=error_type, limit=limits.template_chars) if body else ""

    components = fingerprint_components(
        error_type=error_type,
        rule_code=rule_code,
        category=category,
        offending=offending,
        frames=frames,
        all_frames=parsed.frames,
        template=template,
        facts=facts,
        parsed=parsed,
        traceback_given=bool(traceback),
        evidence=evidence,
        source=source,
    )
    features: Features = {"category": category, "source": source}
    if error_type:
        features["error_type"] = error_type
    if template:
        features["template"] = template
    if frames:
        features["frames"] = [frame_label(frame) for frame in frames]
    if rule_code:
        features["rule_code"] = rule_code
    if offending:
        features["source_line"] = offending
    if parsed.cause_type:
        features["cause_type"] = parsed.cause_type
    if context.node_types:
        features["ast_context"] = context.node_types
    _add_assert_features(features, facts)
    title = make_title(
        category=category,
        error_type=error_type,
        rule_code=rule_code,
        family=rule_family(rule_code) if rule_code else None,
        template=template,
        frames=frames,
        facts=facts,
        function=context.function,
        limit=limits.title_chars,
    )
    details = _details(parsed, facts, evidence, line)
    return Analysis(
        error_type=error_type,
        category=category,
        fingerprint=digest(components),
        components=components,
        features=features,
        title=title,
        line=line,
        details=details,
    )


def _static_tool(rule_code: str, evidence: Evidence) -> str:
    tool = evidence.details.get("tool")
    if isinstance(tool, str) and tool:
        return tool
    if rule_code[:1].islower():
        return "mypy"
    if len(rule_code) == 5 and rule_code[0] in "CRWEF" and rule_code[1:].isdigit():
        return "pylint"
    return "ruff"


def _message_body(
    message: str, prefixed: tuple[str, str] | None, parsed: ParsedTraceback, error_type: str | None
) -> str:
    """The message without its ``Type:`` prefix; the traceback's own message when it is about the same exception."""
    if parsed.message and parsed.error_type and (error_type is None or parsed.error_type == error_type):
        return parsed.message
    if prefixed and (error_type is None or prefixed[0] == error_type):
        rest = message.strip().split("\n", 1)
        return "\n".join([prefixed[1], *rest[1:]]).strip()
    return message.strip()


def _assert_facts(
    category: str, parsed: ParsedTraceback, body: str, evidence: Evidence
) -> AssertFacts | None:
    if category != "logic.assertion":
        return None
    source = evidence.assert_source
    if not source:
        for frame in reversed(parsed.frames):
            if frame.source and frame.source.startswith("assert"):
                source = frame.source
                break
    return assert_facts(
        source=source,
        message=body,
        op=evidence.assert_op,
        expected=evidence.expected,
        actual=evidence.actual,
        expected_type=evidence.expected_type,
        actual_type=evidence.actual_type,
    )


def _failing_line(
    evidence: Evidence, frames: list[Frame], parsed: ParsedTraceback, code: str | None, category: str
) -> int | None:
    """The line of `code` where the error happened: given by evidence, or the innermost frame found in the code."""
    if evidence.line and evidence.line > 0:
        return evidence.line
    if not code:
        return None
    code_lines = code.split("\n")
    candidates = frames if not category.startswith("syntax") else parsed.frames
    for frame in reversed(candidates):
        in_code = frame.source and 1 <= frame.lineno <= len(code_lines)
        if in_code and code_lines[frame.lineno - 1].strip() == frame.source:
            return frame.lineno
    return None


def _line_from_message(message: str) -> int | None:
    """The line of a linter's ``path:line:col: CODE message`` output."""
    match = _LINTER_LOCATION.search(message.split("\n", 1)[0])
    return int(match.group(1)) if match else None


def _offending_line(code: str | None, line: int | None, parsed: ParsedTraceback) -> str | None:
    if code and line:
        code_lines = code.split("\n")
        if 1 <= line <= len(code_lines) and code_lines[line - 1].strip():
            return normalize_source(code_lines[line - 1])
    for frame in reversed(parsed.frames):
        if frame.source:
            return normalize_source(frame.source)
    return None


def _add_assert_features(features: Features, facts: AssertFacts | None) -> None:
    if facts is None:
        return
    if facts.shape:
        features["assert_shape"] = facts.shape
    if facts.op:
        features["assert_op"] = facts.op
    if facts.expected_type:
        features["expected_type"] = facts.expected_type
    if facts.actual_type:
        features["actual_type"] = facts.actual_type
    if facts.relation:
        features["value_relation"] = facts.relation


def _details(
    parsed: ParsedTraceback, facts: AssertFacts | None, evidence: Evidence, line: int | None
) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if line:
        details["line"] = line
    if parsed.frames:
        details["frames"] = [
            {
                "file": f.filename,
                "line": f.lineno,
                "function": f.function,
                **({"repeated": f.repeated} if f.repeated else {}),
            }
            for f in parsed.frames[-10:]
        ]
    if parsed.cause_type:
        details["cause_type"] = parsed.cause_type
    if parsed.group_leaves:
        details["exception_group"] = [f"{kind}: {text}" for kind, text in parsed.group_leaves[:10]]
    if facts is not None:
        for key in ("source", "op", "expected", "actual", "relation"):
            value = getattr(facts, key)
            if value is not None:
                details[f"assert_{key}" if key in ("source", "op", "relation") else key] = value
    for key in ("stage", "test_name"):
        value = getattr(evidence, key)
        if value is not None:
            details[key] = value
    if evidence.details:
        details["evidence"] = dict(evidence.details)
    return details
