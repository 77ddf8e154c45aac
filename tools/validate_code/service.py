"""`validate_code`: syntax, static analysis, tests in a sandbox and performance, stopping at the first failure."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from functools import partial

import anyio

from store.base import NewExecution, Store
from tools.limits import Limits
from tools.log_error import ErrorReport
from tools.log_error.log import _check_report, _check_task

from .config import SandboxConfig
from .inputs import check_request
from .models import Finding, StageResult, ValidationRequest, ValidationResult
from .reporting import log_failures
from .results import SandboxRun
from .sandbox import run_sandboxed
from .smells import smells
from .static import run_ruff, unreachable
from .syntax import check_syntax
from .testplan import expected_tests
from .verdict import performance_stage, tests_stage

Progress = Callable[[float, float | None, str], Awaitable[None]]


async def validate_code(
    request: ValidationRequest,
    *,
    store: Store,
    workspace: str,
    sandbox: SandboxConfig,
    limits: Limits | None = None,
    progress: Progress | None = None,
) -> ValidationResult:
    """Check code in stages and stop at the first that fails: 1 syntax, 2 static analysis (ruff, bug
    rules only), 3 the given tests in a sandbox, 4 performance (slow tests, quadratic patterns and an
    optional growth check). Every failure is logged as an error; when it repeats a known pattern, the
    answer names the pattern and its insight so the mistake can be fixed the way it was fixed before.
    """
    started = time.perf_counter()
    timeout_s = check_request(request, sandbox)
    await _check_ids(request, store=store, workspace=workspace)
    runs_tests = request.level >= 3
    expected = (
        await anyio.to_thread.run_sync(partial(expected_tests, request.tests, max_tests=sandbox.max_tests))
        if runs_tests and request.tests is not None
        else []
    )
    notes = []
    if request.tests is not None and not runs_tests:
        notes.append(f"tests run from level 3; at level {request.level} they were not run")
    steps = _Steps(progress, total=request.level + len(expected))
    stages: list[StageResult] = []
    isolation = "none"

    clock = time.perf_counter()
    # Parsing and walking a large module takes a while: keep it off the event loop's thread.
    syntax = await anyio.to_thread.run_sync(check_syntax, request.code)
    stages.append(_stage("syntax", syntax.findings, clock, "compiles" if syntax.tree else "does not compile"))
    await steps.advance(f"syntax: {'ok' if stages[-1].passed else 'failed'}")

    if stages[-1].passed and request.level >= 2 and syntax.tree is not None:
        clock = time.perf_counter()
        findings, note = await _static(request.code, syntax.tree, sandbox)
        notes += note
        errors = sum(f.severity == "error" for f in findings)
        summary = f"{errors} error{'s' if errors != 1 else ''}, {len(findings) - errors} warning{'s' if len(findings) - errors != 1 else ''}"
        stages.append(_stage("static", findings, clock, summary))
        await steps.advance(f"static: {summary}")

    if stages[-1].passed and runs_tests and syntax.tree is not None:
        growth = _growth_spec(request, sandbox)

        async def on_record(record: dict) -> None:
            if record.get("kind") == "test":
                await steps.advance(f"test {record.get('name')}: {record.get('outcome')}")

        run = await run_sandboxed(
            request.code,
            request.tests,
            config=sandbox,
            timeout_s=timeout_s,
            growth=growth,
            on_record=on_record,
        )
        isolation = run.isolation
        if run.queued_ms >= 100:
            notes.append(f"waited {run.queued_ms:.0f} ms for a free sandbox")
        if run.hello is not None and run.hello.get("dumpable") is not False:
            notes.append(
                "the test runner could not make itself non-dumpable: a hostile solution could have tampered with the verdict"
            )
        stages.append(tests_stage(run, expected, run.duration_ms - _growth_ms(run)))
        await steps.advance(f"tests: {stages[-1].summary}")
        if stages[-1].passed and request.level >= 4:
            clock = time.perf_counter()
            found = await anyio.to_thread.run_sync(smells, syntax.tree, request.code)
            stage = performance_stage(run, found, request.perf, sandbox, 0.0)
            stage.duration_ms = (time.perf_counter() - clock) * 1000 + _growth_ms(run)
            stages.append(stage)
            await steps.advance(f"performance: {stage.summary}")

    failed = next((s for s in stages if not s.passed), None)
    logged, known = [], []
    if failed is not None:
        logged, known = await log_failures(
            failed,
            request,
            store=store,
            workspace=workspace,
            limits=limits,
            max_logged=sandbox.max_logged_errors,
        )
    duration_ms = (time.perf_counter() - started) * 1000
    if request.task_id is not None:
        await store.add_execution(
            workspace,
            NewExecution(
                task_id=request.task_id,
                kind="validate_code",
                action_id=request.action_id,
                passed=failed is None,
                duration_ms=duration_ms,
                details={
                    "level": request.level,
                    "failed_stage": failed.name if failed else None,
                    "errors": [r.error_id for r in logged],
                },
            ),
        )
    return ValidationResult(
        passed=failed is None,
        level=request.level,
        stages=stages,
        failed_stage=failed.name if failed else None,
        errors_logged=logged,
        known_patterns=known,
        isolation=isolation,
        duration_ms=duration_ms,
        notes=notes,
    )


async def _check_ids(request: ValidationRequest, *, store: Store, workspace: str) -> None:
    """The same checks (and messages) as log_error, before any work is done."""
    if request.task_id is None and request.action_id is None:
        return
    report = ErrorReport(message="validate_code", task_id=request.task_id, action_id=request.action_id)
    _check_report(report)
    await _check_task(report, store=store, workspace=workspace)


async def _static(code: str, tree, config: SandboxConfig) -> tuple[list[Finding], list[str]]:
    notes = []
    try:
        findings = await run_ruff(code, timeout_s=config.ruff_timeout_s)
    except RuntimeError as exc:
        findings = []
        notes.append(f"static analysis with ruff was skipped: {exc}")
    findings += await anyio.to_thread.run_sync(unreachable, tree, code)
    findings.sort(key=lambda f: (f.severity != "error", f.line or 0, f.column or 0))
    return findings, notes


def _growth_spec(request: ValidationRequest, config: SandboxConfig) -> dict | None:
    if request.level < 4 or request.perf is None:
        return None
    perf = request.perf
    return {
        "function": perf.function,
        "input": perf.input,
        "min_n": perf.min_n,
        "max_n": perf.max_n,
        "fail_at": perf.max_exponent + 0.4,
        "budget_s": config.growth_budget_s,
        "max_call_s": 0.25,
    }


def _growth_ms(run: SandboxRun) -> float:
    """Time the sandbox spent on the growth check (reported by the judge, which timed it)."""
    value = (run.growth or {}).get("duration_ms")
    return float(value) if isinstance(value, (int, float)) else 0.0


def _stage(name, findings: list[Finding], clock: float, summary: str) -> StageResult:
    return StageResult(
        name=name,
        passed=not any(f.severity == "error" for f in findings),
        duration_ms=(time.perf_counter() - clock) * 1000,
        summary=summary,
        findings=findings,
    )


class _Steps:
    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = float(total)
        self.done = 0.0

    async def advance(self, message: str) -> None:
        self.done = min(self.done + 1, self.total)
        if self.progress is not None:
            await self.progress(self.done, self.total, message)
