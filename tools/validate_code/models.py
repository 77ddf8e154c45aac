"""Input and output of `validate_code`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from tools.log_error.models import InsightOut

StageName = Literal["syntax", "static", "tests", "performance"]
Severity = Literal["error", "warning", "info"]


class PerfSpec(BaseModel):
    """How to check that a function scales: time it at doubling input sizes and fit the exponent."""

    model_config = ConfigDict(extra="forbid")

    function: str = Field(
        description='Name of a top-level function in the code to time, e.g. "find_duplicates".',
        min_length=1,
        max_length=200,
    )
    input: str = Field(
        description=(
            "A Python expression in `n` that builds the arguments for one call of size n. A tuple "
            "means several positional arguments, anything else is the single argument: "
            '"list(range(n))", "([random.randrange(n) for _ in range(n)], n // 2)". '
            "`random` (seeded) and `math` are available."
        ),
        min_length=1,
        max_length=2000,
    )
    max_exponent: float = Field(
        1.0,
        description=(
            "Largest acceptable growth exponent: 1.0 for linear or n log n, 2.0 for quadratic. "
            "The stage fails when the measured exponent is at least this plus 0.4, confirmed by a second measurement."
        ),
        ge=0.0,
        le=4.0,
    )
    min_n: int = Field(64, description="Smallest input size timed; sizes then double.", ge=1, le=1_000_000)
    max_n: int = Field(
        1 << 17,
        description="Largest input size timed (sizes stop earlier when a call gets slow).",
        ge=2,
        le=1 << 22,
    )
    test_budget_ms: float | None = Field(
        None,
        description="At level 4, a test slower than this (milliseconds) fails the performance stage. Default: the server's budget (1000 ms).",
        gt=0,
        le=30_000,
    )


class ValidationRequest(BaseModel):
    """Code to check, and optionally the tests it must pass."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        description="The complete Python module to validate (up to 200 KB). It is imported as module `solution`; the standard library is available, third-party packages are not.",
    )
    tests: str | None = Field(
        None,
        description=(
            "Python tests to run against the code: `def test_...():` functions with plain asserts (pytest style; "
            "`pytest.raises`, `pytest.approx`, `pytest.mark.parametrize` and simple fixtures work), or bare "
            "top-level assert statements. The code's names are already in scope; `from solution import f` also works. "
            "Omit to only check that the module imports."
        ),
    )
    level: int = Field(
        3,
        description="How far to go: 1 syntax, 2 + static analysis (ruff), 3 + tests in a sandbox, 4 + performance. Stages run in order and stop at the first failure.",
        ge=1,
        le=4,
    )
    task_id: str | None = Field(
        None, description='Task from decompose ("t-3"); failures are logged against it.'
    )
    action_id: str | None = Field(None, description='Action item from decompose ("a-12"); needs task_id.')
    timeout_s: float | None = Field(
        None,
        description="Wall-clock budget of the sandboxed run, in seconds (1 to 30; default 10). Each test also has its own 2 s budget.",
    )
    perf: PerfSpec | None = Field(
        None,
        description="At level 4, a growth check for one function. Without it, level 4 checks test durations and code patterns only.",
    )


class Finding(BaseModel):
    code: str = Field(
        description=(
            'What was found: an exception type ("AssertionError", "ZeroDivisionError", "Timeout", "SolutionExited"), '
            'a ruff rule ("F821"), a syntax problem ("SyntaxError") or a performance check ("RMO201", "PERF_GROWTH").'
        )
    )
    message: str = Field(description="What is wrong, in a sentence or two, with the values involved.")
    line: int | None = Field(
        None, description="1-based line in the submitted code, when the problem is there."
    )
    column: int | None = Field(None, description="1-based column in the submitted code.")
    end_line: int | None = Field(None, description="Last line of the flagged code.")
    end_column: int | None = Field(None, description="Column just past the flagged code.")
    severity: Severity = Field(
        "error",
        description="error fails the stage; warning is likely a bug but does not fail; info is a measurement.",
    )
    source_line: str | None = Field(None, description="The submitted code's line the finding points at.")
    test_name: str | None = Field(None, description="The failing test, for test findings.")
    test_line: int | None = Field(None, description="Line in the tests where the test failed.")
    assert_source: str | None = Field(
        None, description="The failing assert statement, as written in the tests."
    )
    expected: str | None = Field(None, description="repr() of the value the test expected.")
    actual: str | None = Field(None, description="repr() of the value the code produced.")
    traceback: str | None = Field(
        None, description="Traceback through the tests and the code, when an exception was raised."
    )
    fix: str | None = Field(None, description="A suggested fix, when the checker offers one.")
    _evidence: dict = PrivateAttr(default_factory=dict)
    """Facts kept for the error log but not shown to the client (assert operator, operand types)."""


class StageResult(BaseModel):
    name: StageName = Field(description="syntax, static, tests or performance.")
    passed: bool = Field(description="False when any finding has severity error.")
    duration_ms: float = Field(description="Time the stage took.")
    summary: str = Field(description='One line, e.g. "10 tests: 8 passed, 2 failed".')
    findings: list[Finding] = Field(
        default_factory=list, description="Problems and measurements, errors first."
    )
    tests_total: int | None = Field(None, description="Tests found (tests stage only).")
    tests_passed: int | None = Field(None, description="Tests that passed (tests stage only).")
    output: str | None = Field(
        None, description="The end of what the code printed (tests stage, when it failed)."
    )


class LoggedRef(BaseModel):
    error_id: str = Field(description='Id of the logged error ("e-41").')
    fingerprint: str = Field(description="Its fingerprint; equal fingerprints mean the same mistake.")
    pattern_id: str = Field(description='The pattern it belongs to ("p-7").')
    stage: StageName = Field(description="Stage whose finding was logged.")
    finding: int = Field(description="Index of that finding in the stage's findings.")
    new_pattern: bool = Field(description="True when this is the first error of its kind in the workspace.")


class KnownPattern(BaseModel):
    pattern_id: str = Field(
        description='A pattern this failure matched ("p-7"); read patterns://p-7 for its examples.'
    )
    title: str = Field(description="Short title of the pattern.")
    frequency: int = Field(description="How often it has happened, this time included.")
    status: str = Field(description="emerging, or confirmed once it recurred across tasks.")
    insight: InsightOut | None = Field(
        None, description="The learned rule that avoids this mistake, when there is one: apply it."
    )


class ValidationResult(BaseModel):
    passed: bool = Field(description="True when every stage up to the requested level passed.")
    level: int = Field(description="The level that was requested.")
    stages: list[StageResult] = Field(
        description="The stages that ran, in order; the last one failed when passed is false."
    )
    failed_stage: StageName | None = Field(None, description="The stage that failed, if any.")
    errors_logged: list[LoggedRef] = Field(
        default_factory=list, description="Failures recorded in the error log (the first few per call)."
    )
    known_patterns: list[KnownPattern] = Field(
        default_factory=list,
        description="Known mistakes this failure repeats, with their insights. Read them before fixing.",
    )
    isolation: str = Field(
        description=(
            'How the tests were sandboxed: "bwrap+uid+netns+pidns" (strongest), "bwrap+userns+netns+pidns" (server not root), '
            '"unshare+uid+netns+pidns", "rlimits+uid" or "rlimits" (weakest); "none" when no code ran.'
        )
    )
    duration_ms: float = Field(description="Time the whole call took.")
    notes: list[str] = Field(
        default_factory=list, description="Anything about how the validation ran that matters."
    )
