"""Stages 3 and 4 from what the sandbox reported: which tests passed, and how fast.

A run passes only when the runner said hello and done, every record was authentic and in order,
the code imported, and every test the tests module defines was reported as passed (or skipped).
Anything missing counts against the code, never for it.
"""

from __future__ import annotations

from .config import SandboxConfig
from .models import Finding, PerfSpec, StageResult
from .sandbox import SandboxRun
from .testplan import reported


def tests_stage(run: SandboxRun, expected: list[str], duration_ms: float) -> StageResult:
    findings: list[Finding] = [Finding(code="RunAborted", message=_sentence(p)) for p in run.problems]
    imported = run.import_record is not None and run.import_record.get("ok") is True
    if run.import_record is not None and not imported:
        findings.append(_import_finding(run.import_record.get("error") or {}))
    if run.collect_error is not None:
        error = run.collect_error.get("error") or {}
        findings.append(
            _error_finding(
                error,
                None,
                f"The tests module failed at line {run.collect_error.get('line')} before its tests ran",
            )
        )
    outcomes = {}
    for record in run.tests:
        name = str(record.get("name"))
        outcome = record.get("outcome")
        outcomes[name] = outcome
        if outcome in ("failed", "timeout"):
            findings.append(_error_finding(record.get("error") or {}, name, None))
        elif outcome == "not_run":
            findings.append(
                Finding(
                    code="NotRun",
                    message=f"{name} did not run: the run's time budget was used up.",
                    test_name=name,
                )
            )
    missing = [name for name in expected if not any(reported(name, got) for got in outcomes)]
    if missing and imported and run.collect_error is None and run.done:
        findings.append(
            Finding(
                code="NotRun",
                message=f"The runner did not report {', '.join(missing[:10])}; counted as failed.",
            )
        )
    total = len(outcomes) + len(missing)
    passed_count = sum(1 for o in outcomes.values() if o in ("passed", "skipped"))
    passed = (
        run.done
        and not run.problems
        and imported
        and run.collect_error is None
        and not missing
        and passed_count == len(outcomes)
    )
    return StageResult(
        name="tests",
        passed=passed and not any(f.severity == "error" for f in findings),
        duration_ms=duration_ms,
        summary=_summary(run, expected, outcomes, missing, imported),
        findings=findings,
        tests_total=total,
        tests_passed=passed_count,
        output=run.output or None if not passed else None,
    )


def _summary(run: SandboxRun, expected: list[str], outcomes: dict, missing: list[str], imported: bool) -> str:
    if not imported:
        if run.import_record is None:
            return "the code could not be imported: the run ended first"
        what = f"; none of the {len(expected)} tests ran" if expected else ""
        return f"the code failed to import{what}"
    if not expected:
        return (
            "no tests given: the code imports cleanly"
            if run.done and not run.problems
            else "the run did not finish"
        )
    counts: dict[str, int] = {}
    for outcome in outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    if missing:
        counts["not run"] = counts.get("not run", 0) + len(missing)
    parts = [f"{n} {label.replace('_', ' ')}" for label, n in counts.items()]
    return f"{len(outcomes) + len(missing)} tests: {', '.join(parts)}"


def _import_finding(error: dict) -> Finding:
    return _error_finding(error, None, "The code failed while being imported")


def _error_finding(error: dict, test_name: str | None, prefix: str | None) -> Finding:
    code = str(error.get("type") or "Error")
    finding = Finding(
        code=code,
        message=_failure_message(error, test_name, prefix),
        line=_int(error.get("line")),
        column=_column(error.get("column")),
        source_line=_str(error.get("source_line")),
        test_name=test_name,
        test_line=_int(error.get("test_line")),
        assert_source=_str(error.get("assert_source")),
        expected=_str(error.get("expected")),
        actual=_str(error.get("actual")),
        traceback=_str(error.get("traceback"), 8000),
    )
    finding._evidence = {
        k: str(error[k])[:200]
        for k in ("assert_op", "expected_type", "actual_type")
        if error.get(k) is not None
    }
    return finding


def _failure_message(error: dict, test_name: str | None, prefix: str | None) -> str:
    kind = str(error.get("type") or "Error")
    message = str(error.get("message") or "").strip()
    head = prefix or (test_name or "the test")
    line = _int(error.get("line"))
    where = f" at line {line} of the code" if line else ""
    source = error.get("assert_source")
    if source and error.get("assert_op") == "==" and "expected" in error and "actual" in error:
        if refuted := _str(error.get("refuted"), 500):
            return f"{head}: `{source}` failed: {error['actual']} says it equals {error['expected']}, but {refuted}."
        return f"{head}: `{source}` failed: expected {error['expected']}, got {error['actual']}."
    if source:
        return f"{head}: `{source}` failed: {message}"
    if error.get("timeout"):
        return f"{head}: {message}{where}."
    if kind == "SolutionExited":
        return f"{head}: {message}."
    return f"{head}: {kind}{': ' + message if message else ''}{where}."


def performance_stage(
    run: SandboxRun, smells: list[Finding], spec: PerfSpec | None, config: SandboxConfig, duration_ms: float
) -> StageResult:
    findings = list(smells)
    budget = spec.test_budget_ms if spec and spec.test_budget_ms else config.perf_test_budget_ms
    slow = [
        r for r in run.tests if isinstance(r.get("duration_ms"), (int, float)) and r["duration_ms"] > budget
    ]
    for record in slow:
        findings.append(
            Finding(
                code="SLOW_TEST",
                message=f"{record.get('name')} took {record['duration_ms']:.0f} ms, over the {budget:.0f} ms budget per test.",
                test_name=str(record.get("name")),
            )
        )
    summary = (
        [f"{len(run.tests) - len(slow)}/{len(run.tests)} tests within {budget:.0f} ms"] if run.tests else []
    )
    if spec is not None:
        finding = _growth_finding(run.growth, spec)
        findings.append(finding)
        summary.append(finding.message.split(";")[0])
    if smells:
        summary.append(f"{len(smells)} pattern warning{'s' if len(smells) != 1 else ''}")
    findings.sort(key=lambda f: {"error": 0, "warning": 1, "info": 2}[f.severity])
    return StageResult(
        name="performance",
        passed=not any(f.severity == "error" for f in findings),
        duration_ms=duration_ms,
        summary="; ".join(summary) or "no performance problems found",
        findings=findings,
    )


def _growth_finding(record: dict | None, spec: PerfSpec) -> Finding:
    name = spec.function
    if record is None:
        return Finding(
            code="PERF_GROWTH",
            severity="warning",
            message=f"The growth check of `{name}` did not run (the run ended first).",
        )
    if not record.get("ok"):
        error = record.get("error") or {}
        timeout = bool(error.get("timeout")) or error.get("type") == "Timeout"
        return Finding(
            code="PERF_GROWTH",
            severity="error" if timeout else "warning",
            message=f"The growth check of `{name}` failed: {error.get('type', 'Error')}: {error.get('message', '')}".strip(),
            line=_int(error.get("line")),
            traceback=_str(error.get("traceback"), 8000),
        )
    result = record.get("result") or {}
    exponent, points = result.get("exponent"), result.get("points") or []
    if exponent is None:
        return Finding(
            code="PERF_GROWTH",
            severity="info",
            message=f"`{name}` ran too fast at every size to fit a growth exponent ({len(points)} sizes timed).",
        )
    span = (
        f"n={points[0][0]}..{points[-1][0]}: {points[0][1] * 1000:.3g} ms to {points[-1][1] * 1000:.3g} ms"
        if points
        else ""
    )
    limit = spec.max_exponent + 0.4
    if exponent >= limit and result.get("confirmed"):
        return Finding(
            code="PERF_GROWTH",
            message=f"`{name}` grows like n^{exponent:.2f}, above the allowed n^{spec.max_exponent:g} (confirmed by a second measurement; {span}).",
        )
    return Finding(
        code="PERF_GROWTH",
        severity="info",
        message=f"`{name}` grows like n^{exponent:.2f}; allowed n^{spec.max_exponent:g} ({span}).",
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _column(value) -> int | None:
    """Python reports 0-based columns in tracebacks; findings use 1-based ones."""
    return value + 1 if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _str(value, limit: int = 2000) -> str | None:
    return str(value)[:limit] if value is not None else None
