"""`log_error`: validate a report, clean it, fingerprint it and store it against its pattern."""

from __future__ import annotations

import functools
import itertools
import math
import re
from dataclasses import dataclass
from typing import Any

import anyio

from store.base import AddedError, InsightRecord, NewError, NotFound, PatternStatus, Store
from tools.errors import InvalidInput
from tools.limits import DEFAULT_LIMITS, Limits

from .analyze import Analysis, analyze
from .fingerprint import FINGERPRINT_VERSION
from .models import ErrorReport, Evidence, InsightOut, LoggedError
from .scrub import Scrubber
from .text import cut_head, cut_head_and_tail, sanitize

_ID_FORMS = {"task_id": ("t", "t-3"), "action_id": ("a", "a-12")}
_SHORT_FIELD_CHARS = 200
_EVIDENCE_TEXTS = ("stage", "rule_code", "assert_source", "assert_op", "expected", "actual", "expected_type",
                   "actual_type", "test_name")  # fmt: skip
# Preparing a report costs about 0.25 ms for a few hundred characters and 0.7 to 1.5 ms more per
# KB (AST work, secret scrubbing). Up to this size it runs right on the event loop, which stalls
# under three milliseconds, and the common small report saves a thread hop; past this size, a
# worker thread takes the work, so a 50 MB paste never holds the loop.
_INLINE_PREPARE_CHARS = 2 * 1024


async def log_error(
    report: ErrorReport,
    *,
    store: Store,
    workspace: str,
    evidence: Evidence | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> LoggedError:
    """Record an error the client saw (or validate_code found) and say which pattern it belongs to.

    The error is cut to size, scrubbed of secrets, categorised and fingerprinted; errors with the
    same fingerprint form one group, and groups are merged into patterns by `find_patterns`. The
    answer carries the pattern's title and frequency, and the learned rule when there is one.
    """
    _check_report(report)
    action_category = None
    if report.action_id is not None:  # a task id alone is checked by add_error, in its transaction
        action_category = await _check_task(report, store=store, workspace=workspace)
    if _small(report, evidence, limits):
        prepared = _prepare(report, evidence, limits)
    else:
        prepared = await anyio.to_thread.run_sync(functools.partial(_prepare, report, evidence, limits))
    analysis = prepared.analysis
    new_error = NewError(
        message=prepared.message,
        fingerprint=analysis.fingerprint,
        fingerprint_version=FINGERPRINT_VERSION,
        category=analysis.category,
        source=report.source,
        title=analysis.title,
        features=dict(analysis.features),
        error_type=analysis.error_type,
        traceback=prepared.traceback,
        code=prepared.code,
        task_id=report.task_id,
        action_id=report.action_id,
        action_category=prepared.action_category or action_category,
        details={**analysis.details, **({"notes": prepared.notes} if prepared.notes else {})},
    )
    try:
        added = await store.add_error(workspace, new_error)
    except NotFound as exc:
        if report.task_id is None:
            raise
        raise _unknown_task(report.task_id) from exc
    summary = await _pattern_summary(added, store=store, workspace=workspace)
    return LoggedError(
        error_id=added.error_id,
        fingerprint=added.fingerprint,
        category=analysis.category,
        error_type=analysis.error_type,
        title=analysis.title,
        pattern_id=summary.pattern_id,
        pattern_title=summary.title,
        pattern_frequency=summary.frequency,
        pattern_status=summary.status,
        new_pattern=added.new_fingerprint,
        insight=None
        if summary.insight is None
        else InsightOut(
            insight_id=summary.insight.insight_id,
            rule=summary.insight.rule,
            example_wrong=summary.insight.example_wrong,
            example_right=summary.insight.example_right,
            source=summary.insight.source,
        ),
        fingerprint_components=analysis.components if report.explain else [],
        notes=prepared.notes,
    )


def _check_report(report: ErrorReport) -> None:
    if not report.message or not report.message.strip():
        raise InvalidInput(
            f"'message' must be a non-empty string (got {report.message!r}). Pass the error as printed, "
            "e.g. \"IndexError: list index out of range\", and the traceback in 'traceback' if there is one."
        )
    for name, (prefix, example) in _ID_FORMS.items():
        value = getattr(report, name)
        if value is not None and not re.fullmatch(rf"{prefix}-[0-9]{{1,18}}", value):
            raise InvalidInput(
                f"'{name}' must look like {prefix}-N, e.g. {example!r} (got {value!r}). "
                f"Use the id returned by decompose, or omit '{name}'."
            )
    if report.action_id is not None and report.task_id is None:
        raise InvalidInput(
            f"'action_id' {report.action_id!r} needs the 'task_id' it belongs to. "
            "Pass both ids from decompose, or omit 'action_id'."
        )


async def _check_task(report: ErrorReport, *, store: Store, workspace: str) -> str | None:
    """Check the task (and action item) exist; return the action item's category."""
    if report.task_id is None:
        return None
    try:
        task = await store.get_task(workspace, report.task_id)
    except NotFound as exc:
        raise _unknown_task(report.task_id) from exc
    if report.action_id is None:
        return None
    for item in task.items:
        if item.action_id == report.action_id:
            return item.category
    known = ", ".join(repr(item.action_id) for item in task.items[:20]) or "none"
    raise InvalidInput(
        f"Unknown action item {report.action_id!r} in task {report.task_id!r} (its items: {known}). "
        "Pass one of them, or omit 'action_id'."
    )


def _unknown_task(task_id: str) -> InvalidInput:
    return InvalidInput(
        f"Unknown task {task_id!r}. Call decompose to create a task, "
        "or omit 'task_id' to log an error that belongs to no task."
    )


@dataclass(frozen=True, slots=True)
class _PatternSummary:
    pattern_id: str
    title: str
    frequency: int
    status: PatternStatus
    insight: InsightRecord | None


async def _pattern_summary(added: AddedError, *, store: Store, workspace: str) -> _PatternSummary:
    """The pattern as `add_error` reported it, or as read back from a store that does not report it."""
    if (
        added.pattern_title is not None
        and added.pattern_frequency is not None
        and added.pattern_status is not None
    ):
        return _PatternSummary(
            added.pattern_id,
            added.pattern_title,
            added.pattern_frequency,
            added.pattern_status,
            added.insight,
        )
    pattern = await store.get_pattern(workspace, added.pattern_id)
    insight = await store.insight_for(workspace, pattern.pattern_id)
    return _PatternSummary(pattern.pattern_id, pattern.title, pattern.frequency, pattern.status, insight)


def _small(report: ErrorReport, evidence: Evidence | None, limits: Limits) -> bool:
    """True when the text `_prepare` will work through, once cut to the limits, is cheap to handle inline."""
    if evidence is not None and evidence.details:
        return False  # nested values of any size: not worth sizing up
    chars = min(len(report.message), limits.message_chars)
    chars += min(len(report.traceback or ""), limits.traceback_chars)
    chars += min(len(report.code or ""), limits.code_chars)
    if evidence is not None:
        for name in _EVIDENCE_TEXTS:
            value = getattr(evidence, name)
            if isinstance(value, str):
                chars += min(len(value), limits.detail_chars)
    return chars <= _INLINE_PREPARE_CHARS


@dataclass(frozen=True, slots=True)
class _Prepared:
    message: str
    traceback: str | None
    code: str | None
    action_category: str | None
    analysis: Analysis
    notes: list[str]


def _prepare(report: ErrorReport, evidence: Evidence | None, limits: Limits) -> _Prepared:
    """Cut, sanitise and scrub every text, then analyse it. CPU-bound: big reports go to a worker thread."""
    notes: list[str] = []
    message, cut = cut_head(report.message, limits.message_chars)
    if cut:
        notes.append(f"message cut to its first {limits.message_chars} characters ({cut} removed)")
    traceback = None
    if report.traceback:
        traceback, cut = cut_head_and_tail(
            report.traceback, limits.traceback_chars, limits.traceback_head_share
        )
        if cut:
            notes.append(
                f"traceback cut to its first and last lines ({cut} characters removed from the middle)"
            )
    code = None
    if report.code:
        code, cut = cut_head(report.code, limits.code_chars)
        if cut:
            notes.append(f"code cut to its first {limits.code_chars} characters ({cut} removed)")

    scrubber = Scrubber()
    message = scrubber.text(sanitize(message))
    traceback = scrubber.text(sanitize(traceback)) if traceback else None
    code = scrubber.text(sanitize(code), code=True) if code else None
    error_type = _short(report.error_type, scrubber)
    action_category = _short(report.category, scrubber)
    evidence = _clean_evidence(evidence, limits, scrubber) if evidence else None
    if note := scrubber.note():
        notes.append(note)

    analysis = analyze(
        message=message,
        source=report.source,
        error_type=error_type,
        traceback=traceback,
        code=code,
        evidence=evidence,
        limits=limits,
    )
    return _Prepared(message, traceback, code, action_category, analysis, notes)


def _short(value: str | None, scrubber: Scrubber) -> str | None:
    if value is None:
        return None
    cleaned = scrubber.text(sanitize(value[:_SHORT_FIELD_CHARS])).strip()
    return cleaned or None


def _clean_evidence(evidence: Evidence, limits: Limits, scrubber: Scrubber) -> Evidence:
    updates: dict[str, Any] = {}
    for name in _EVIDENCE_TEXTS:
        value = getattr(evidence, name)
        if isinstance(value, str):
            updates[name] = scrubber.text(sanitize(value[: limits.detail_chars]))
    updates["details"] = scrubber.value(_bounded(evidence.details, limits, depth=0))
    return evidence.model_copy(update=updates)


def _bounded(value: Any, limits: Limits, *, depth: int) -> Any:
    """A JSON-safe copy of `value` with strings, mappings, lists and nesting cut to the limits."""
    if isinstance(value, str):
        return sanitize(value[: limits.detail_chars])
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # JSON (and PostgreSQL jsonb) has no NaN or infinity
    if value is None or isinstance(value, bool | int | float):
        return value
    if depth >= 4:
        return sanitize(repr(value)[: limits.detail_chars])
    if isinstance(value, dict):
        items = itertools.islice(value.items(), limits.detail_items)
        return {sanitize(str(k)[:_SHORT_FIELD_CHARS]): _bounded(v, limits, depth=depth + 1) for k, v in items}
    if isinstance(value, list | tuple):
        return [_bounded(v, limits, depth=depth + 1) for v in itertools.islice(value, limits.detail_items)]
    return sanitize(repr(value)[: limits.detail_chars])
