"""Input and output of complete_task."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.protocol.models import ArmOut, RuleStatusOut


class CompleteTaskRequest(BaseModel):
    """Close a task and report what it cost."""

    model_config = ConfigDict(extra="forbid")

    task_id: str = Field(description='The task from decompose ("t-3").')
    status: Literal["succeeded", "failed", "abandoned"] = Field(
        description="succeeded: the final code passed validation; failed: it did not; abandoned: the task was dropped."
    )
    tokens: int = Field(0, description="Tokens the client spent on the task, if known.", ge=0, le=10**10)
    cost_usd: float = Field(0.0, description="What the task cost in US dollars, if known.", ge=0.0, le=10**6)


class RuleObservation(BaseModel):
    rule_id: str = Field(description="A rule this task was exposed to.")
    arm: ArmOut = Field(description="treatment (shown), control (withheld) or holdout (baseline only).")
    targeted_pattern_recurred: bool = Field(
        description="Whether the rule's pattern occurred in this task's errors."
    )
    experiment_id: str | None = Field(
        description="The experiment the outcome counts for, if the rule is on trial."
    )


class RuleDecisionOut(BaseModel):
    rule_id: str = Field(description="The rule decided on.")
    experiment_id: str = Field(description="Its experiment.")
    decision: Literal["adopt", "retire_harm", "retire_futility"] = Field(
        description="What the evidence said."
    )
    rule_status: RuleStatusOut = Field(description="The rule's status now.")
    reason: str = Field(description="The numbers behind the decision.")


class TaskOutcome(BaseModel):
    task_id: str = Field(description="The task.")
    status: Literal["succeeded", "failed", "abandoned"] = Field(description="How it ended.")
    completed_at: datetime | None = Field(description="When it was closed (UTC).")
    duration_s: float | None = Field(description="Seconds from decompose to completion.")
    tokens: int = Field(description="Tokens recorded for the task.")
    cost_usd: float = Field(description="Cost recorded for the task, in US dollars.")
    errors: int = Field(description="Errors recorded for the task (validation and tracebacks).")
    pattern_ids: list[str] = Field(description="Patterns those errors belong to.")
    protocol_version: int | None = Field(description="Protocol version current when the task started.")
    holdout: bool = Field(description="Whether the task was in the hold-out.")
    observations: list[RuleObservation] = Field(
        description="The outcome recorded for each rule the task was exposed to."
    )
    decisions: list[RuleDecisionOut] = Field(description="Rules adopted or retired because of this outcome.")
