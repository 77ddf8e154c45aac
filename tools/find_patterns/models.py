"""Input and output of `find_patterns`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class PatternQuery(BaseModel):
    """Which patterns to list. Every filter is optional; the default lists the 20 most frequent."""

    model_config = ConfigDict(extra="forbid")

    category: str | None = Field(
        None,
        max_length=200,
        description='Only patterns whose error category starts with this, e.g. "runtime", "runtime.index" or "logic.assertion".',
    )
    min_frequency: int = Field(
        1, ge=1, le=1_000_000_000, description="Only patterns with at least this many errors."
    )
    since: datetime | None = Field(
        None,
        description='Only patterns seen at or after this time, ISO 8601 (e.g. "2025-03-01T00:00:00Z"); a time without a zone is UTC.',
    )
    status: Literal["emerging", "confirmed"] | None = Field(
        None,
        description="emerging: seen in one task so far; confirmed: recurred across two or more distinct tasks.",
    )
    limit: int = Field(20, ge=1, le=100, description="How many patterns to return (1 to 100).")
    cursor: str | None = Field(
        None, max_length=500, description="next_cursor from a previous call, to read the next page."
    )

    @field_validator("category", "cursor")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        return value or None

    @field_validator("since")
    @classmethod
    def _naive_is_utc(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class PatternExample(BaseModel):
    error_id: str = Field(description='Id of the example error ("e-41").')
    message: str = Field(description="The error message as stored (secrets removed).")
    error_type: str | None = Field(None, description='Exception class or finding tool, e.g. "IndexError".')
    task_id: str | None = Field(None, description="Task the error came from, if any.")
    created_at: datetime = Field(description="When the error was logged (UTC).")
    code_excerpt: str | None = Field(
        None, description="A few numbered lines of the code around the failing line, when code was logged."
    )


class PatternOut(BaseModel):
    id: str = Field(description='Pattern id ("p-7"); read patterns://p-7 for all its errors.')
    title: str = Field(description="Short human title of the mistake.")
    signature: str = Field(
        description='What the pattern\'s errors share, e.g. "IndexError: list index out of range".'
    )
    category: str = Field(description='Error category, e.g. "runtime.index" or "logic.assertion".')
    frequency: int = Field(description="Number of errors in the pattern.")
    distinct_tasks: int = Field(description="Number of different tasks those errors came from.")
    fingerprints: int = Field(description="Number of distinct fingerprints merged into the pattern.")
    confidence: float = Field(
        description="0 to 1: how sure the server is this is a recurring mistake (grows with distinct tasks, frequency and cohesion)."
    )
    first_seen: datetime = Field(description="When the first error of the pattern was logged (UTC).")
    last_seen: datetime = Field(description="When the latest error of the pattern was logged (UTC).")
    examples: list[PatternExample] = Field(description="Representative errors, most frequent variant first.")
    insight: str | None = Field(
        None,
        description="The learned rule for this pattern, or null; write one with the reflect_on_pattern prompt.",
    )
    status: Literal["emerging", "confirmed", "merged"] = Field(
        description="emerging (one task so far) or confirmed (recurred across tasks)."
    )


class PatternList(BaseModel):
    patterns: list[PatternOut] = Field(description="Patterns, most frequent first, then most recent.")
    next_cursor: str | None = Field(
        None, description="Pass as 'cursor' to get the next page; null on the last page."
    )
    total: int = Field(description="Number of patterns matching the filters, over all pages.")
    mined_groups: int = Field(
        0, description="Fingerprint groups the mining pass before this listing compared with the library."
    )
    merged_patterns: int = Field(0, description="Patterns that mining pass folded into others.")
