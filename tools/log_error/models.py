"""Input and output of `log_error`, and the evidence validate_code attaches to the errors it finds."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Source = Literal["runtime", "test", "static", "syntax", "performance", "review", "ci", "other"]


class ErrorReport(BaseModel):
    """An error the client saw: a traceback from running code, a failing test, a linter finding."""

    model_config = ConfigDict(extra="forbid")

    message: str = Field(
        description='The error message as printed, e.g. "IndexError: list index out of range" or just the text after the colon.',
    )
    error_type: str | None = Field(
        None,
        description='Exception class or finding kind, e.g. "KeyError", "AssertionError". Inferred from the message or traceback when omitted.',
    )
    traceback: str | None = Field(
        None,
        description="The full Python traceback text, if there is one. Used for the fingerprint (frames by function and source line).",
    )
    code: str | None = Field(None, description="The source code that produced the error, if available.")
    task_id: str | None = Field(
        None, description='Id of the task from decompose ("t-3"), if the error belongs to one.'
    )
    action_id: str | None = Field(
        None, description='Id of the action item from decompose ("a-12"), if known.'
    )
    category: str | None = Field(
        None,
        description='Action-taxonomy category of the step that failed, e.g. "python.io.parse". Taken from the action item when omitted.',
    )
    source: Source = Field(
        "runtime",
        description="Where the error was seen: runtime, test, static, syntax, performance, review, ci or other.",
    )
    explain: bool = Field(
        False,
        description="Also answer with fingerprint_components: what went into the fingerprint and what was left out.",
    )


class Evidence(BaseModel):
    """Structured facts validate_code already knows, so fingerprinting need not re-derive them."""

    model_config = ConfigDict(extra="forbid")

    stage: str | None = Field(
        None, description="Validation stage that found the error: syntax, static, tests, performance."
    )
    rule_code: str | None = Field(
        None, description='Linter rule code of a static finding ("B006", "F821", "call-arg").'
    )
    line: int | None = Field(None, description="1-based line of the submitted code where the error is.")
    assert_source: str | None = Field(None, description="Source of the failing assert statement.")
    assert_op: str | None = Field(
        None, description='Comparison operator of the failing assert ("==", "in", "is"...).'
    )
    expected: str | None = Field(None, description="repr() of the expected operand, truncated.")
    actual: str | None = Field(None, description="repr() of the actual operand, truncated.")
    expected_type: str | None = Field(None, description="Type name of the expected operand.")
    actual_type: str | None = Field(None, description="Type name of the actual operand.")
    test_name: str | None = Field(None, description="Name of the failing test function.")
    details: dict[str, Any] = Field(
        default_factory=dict,
        description='Anything else worth keeping: tool ("ruff"), signal, exponent, duration_ms...',
    )


class FingerprintComponent(BaseModel):
    name: str = Field(description="Component name: error_type, frames, template, rule_code, assert_shape...")
    value: str | list[str] = Field(description="The normalised value that went into the hash.")
    contributed: bool = Field(
        description="False when the component was available but ignored, with the reason in note."
    )
    note: str | None = Field(None, description="Why the component was left out, or what it means.")


class InsightOut(BaseModel):
    insight_id: str = Field(description='Id of the insight ("i-4").')
    rule: str = Field(description="The rule to follow so this mistake does not happen again.")
    example_wrong: str | None = Field(None, description="Code that made the mistake.")
    example_right: str | None = Field(None, description="The same code done right.")
    source: str = Field(description="Who wrote the insight: builtin, client, sampling or anthropic.")


class LoggedError(BaseModel):
    error_id: str = Field(description='Id of the stored error ("e-41").')
    fingerprint: str = Field(
        description='Versioned fingerprint, e.g. "v1:3f9c..."; equal fingerprints mean the same error.'
    )
    category: str = Field(
        description='Error category assigned by the server, e.g. "runtime.index" or "logic.assertion".'
    )
    error_type: str | None = Field(
        None,
        description="Exception class or finding tool, as given or as inferred from the message or traceback.",
    )
    title: str = Field(
        "", description='Short human title of this error, e.g. "IndexError in median: s[len(s) // <num>]".'
    )
    pattern_id: str = Field(
        description='The pattern this error belongs to ("p-7"); read patterns://p-7 for details.'
    )
    pattern_title: str = Field(description="Short human title of that pattern.")
    pattern_frequency: int = Field(description="How many errors the pattern has, this one included.")
    pattern_status: str = Field(
        "emerging", description="emerging until the pattern recurs across two or more tasks, then confirmed."
    )
    new_pattern: bool = Field(description="True when this error is the first of its kind in the workspace.")
    insight: InsightOut | None = Field(
        None, description="The learned rule for this pattern, when one exists."
    )
    # Empty unless asked for: the answer is read by the client's model on every call, and the
    # explanation is several times the size of everything else in it.
    fingerprint_components: list[FingerprintComponent] = Field(
        default_factory=list,
        description="With explain=true: what went into the fingerprint and what was left out, and why.",
    )
    notes: list[str] = Field(
        default_factory=list, description="Truncations or secrets removed from the report."
    )
