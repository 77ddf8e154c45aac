"""Logging a failed stage's findings through `log_error`, and naming the patterns they join."""

from __future__ import annotations

from store.base import Store
from tools.limits import DEFAULT_LIMITS, Limits
from tools.log_error import ErrorReport, Evidence, LoggedError, log_error
from tools.log_error.models import Source

from .models import Finding, KnownPattern, LoggedRef, StageResult, ValidationRequest

_SOURCES: dict[str, Source] = {
    "syntax": "syntax",
    "static": "static",
    "tests": "test",
    "performance": "performance",
}


async def log_failures(
    stage: StageResult,
    request: ValidationRequest,
    *,
    store: Store,
    workspace: str,
    limits: Limits | None,
    max_logged: int,
) -> tuple[list[LoggedRef], list[KnownPattern]]:
    """Log the stage's error findings (the first `max_logged`); return the references and known patterns."""
    refs: list[LoggedRef] = []
    known: dict[str, KnownPattern] = {}
    created: set[str] = set()
    seen: set[tuple] = set()
    for index, finding in enumerate(stage.findings):
        if finding.severity != "error" or len(refs) >= max_logged:
            continue
        key = _mistake(stage.name, finding)
        if key in seen:
            continue  # the same mistake reported by several tests is one error
        seen.add(key)
        logged = await _log(
            _report(stage.name, finding, request),
            store=store,
            workspace=workspace,
            evidence=_evidence(stage.name, finding),
            limits=limits or DEFAULT_LIMITS,
        )
        refs.append(
            LoggedRef(
                error_id=logged.error_id,
                fingerprint=logged.fingerprint,
                pattern_id=logged.pattern_id,
                stage=stage.name,
                finding=index,
                new_pattern=logged.new_pattern,
            )
        )
        if logged.new_pattern:
            created.add(logged.pattern_id)
        elif logged.pattern_id not in created:
            known[logged.pattern_id] = _known(logged)
    return refs, list(known.values())


async def _log(report: ErrorReport, **kwargs) -> LoggedError:
    """`log_error`, retried on CPython 3.11's spurious AST SystemError (see `syntax.compile_checked`):
    its analysis parses the code in a worker thread, which can collide with a parse elsewhere."""
    attempts = 3
    while True:
        try:
            return await log_error(report, **kwargs)
        except SystemError as exc:
            attempts -= 1
            if not attempts or "recursion depth mismatch" not in str(exc):
                raise


def _mistake(stage: str, finding: Finding) -> tuple:
    """What makes two findings the same mistake: for tests, the failing assert or line of code,
    whichever test hit it; for the other stages, the finding itself."""
    if stage != "tests":
        return (finding.code, finding.line, finding.column, finding.message)
    if finding.line is None and finding.assert_source is None:
        return (finding.code, finding.test_name)
    return (finding.code, finding.line, finding.assert_source)


def _known(logged: LoggedError) -> KnownPattern:
    return KnownPattern(
        pattern_id=logged.pattern_id,
        title=logged.pattern_title,
        frequency=logged.pattern_frequency,
        status=logged.pattern_status,
        insight=logged.insight,
    )


def _report(stage: str, finding: Finding, request: ValidationRequest) -> ErrorReport:
    if stage == "static":
        message = f"{finding.code} {finding.message}"
        error_type = None
    elif stage == "syntax":
        message = f"{finding.code}: {finding.message}"
        error_type = finding.code
    else:
        message = f"{finding.code}: {finding.message}"
        error_type = finding.code
    return ErrorReport(
        message=message,
        error_type=error_type,
        traceback=finding.traceback or (_syntax_traceback(finding) if stage == "syntax" else None),
        code=request.code,
        task_id=request.task_id,
        action_id=request.action_id,
        source=_SOURCES[stage],
    )


def _syntax_traceback(finding: Finding) -> str | None:
    if finding.line is None:
        return None
    lines = [f'  File "solution.py", line {finding.line}']
    if finding.source_line:
        lines.append(f"    {finding.source_line}")
    lines.append(f"{finding.code}: {finding.message}")
    return "\n".join(lines)


def _evidence(stage: str, finding: Finding) -> Evidence:
    details: dict = {}
    if finding.column is not None:
        details["column"] = finding.column
    if finding.test_line is not None:
        details["test_line"] = finding.test_line
    if stage == "static":
        details["tool"] = "RMO" if finding.code.startswith("RMO") else "ruff"
    kept = finding._evidence
    return Evidence(
        stage=stage,
        rule_code=finding.code if stage == "static" else None,
        line=finding.line,
        assert_source=finding.assert_source,
        assert_op=kept.get("assert_op"),
        expected=finding.expected,
        actual=finding.actual,
        expected_type=kept.get("expected_type"),
        actual_type=kept.get("actual_type"),
        test_name=finding.test_name,
        details=details,
    )
