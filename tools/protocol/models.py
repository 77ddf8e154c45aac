"""Inputs and outputs of get_protocol and of the protocol's delta operations."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from store.learning import RuleRecord
from tools.experiments.views import Effectiveness

RuleStatusOut = Literal["candidate", "trial", "adopted", "retired"]
ArmOut = Literal["treatment", "control", "holdout"]


class ProtocolRequest(BaseModel):
    """Which rules to return: for a task (best), a category, or a task description."""

    model_config = ConfigDict(extra="forbid")

    task_id: str | None = Field(
        None,
        description='Id of the task from decompose ("t-3"). Gives the rules for every step of that task and '
        "records which rules the task saw, so the server can measure whether they help.",
    )
    category: str | None = Field(
        None,
        description='Action-taxonomy category ("python.io.parse"); returns rules scoped to it, its parents and its '
        "sub-categories. See taxonomy://actions.",
    )
    task: str | None = Field(
        None,
        description="Task description, when there is no task_id: rules are chosen by the steps it mentions and by "
        "similarity to tasks where the rules' patterns occurred.",
        max_length=20_000,
    )
    max_tokens: int = Field(
        1500,
        description="Budget for the returned protocol; rules are cut, weakest evidence first, to fit "
        "(tokens estimated as characters / 4).",
        ge=100,
        le=20_000,
    )


class RuleEvidence(BaseModel):
    pattern_id: str | None = Field(description="The error pattern this rule targets (read patterns://{id}).")
    pattern_title: str | None = Field(description="Title of that pattern when the rule was made.")
    error_ids: list[str] = Field(description="Ids of real errors the rule was learned from.")
    insight_id: str | None = Field(description="The insight the rule came from.")
    source: str | None = Field(description="Who wrote it: builtin, client, sampling, anthropic or operator.")
    helpful: int = Field(description="Tasks shown the rule that succeeded without the targeted pattern.")
    harmful: int = Field(description="Tasks shown the rule in which the targeted pattern recurred anyway.")


class ProtocolRule(BaseModel):
    id: str = Field(description='Stable rule id ("r-12").')
    text: str = Field(description="The rule to follow.")
    scope: str = Field(description="Taxonomy category the rule applies to (and its sub-categories).")
    status: RuleStatusOut = Field(description="adopted (proven) or trial (being measured).")
    effectiveness: Effectiveness | None = Field(
        description="The measured effect on the targeted pattern, with intervals; null for rules never measured."
    )
    evidence: RuleEvidence = Field(description="Where the rule came from.")
    example_wrong: str | None = Field(None, description="Code that made the mistake.")
    example_right: str | None = Field(None, description="The same code done right.")
    relevance: float = Field(
        description="1.0 when the rule's scope covers a step of the task; else text similarity."
    )


class Protocol(BaseModel):
    version: int = Field(description="Protocol version these rules come from.")
    rules: list[ProtocolRule] = Field(description="Rules relevant to the request, strongest evidence first.")
    markdown: str = Field(description="The same rules as markdown, ready to follow; within max_tokens.")
    arm: dict[str, ArmOut] = Field(
        description="For each rule on trial that is relevant to this task: whether the task sees it (treatment), "
        "does not (control), or is in the hold-out. Empty without a task_id."
    )
    holdout: bool = Field(
        description="True when this task is in the hold-out and sees only the baseline protocol."
    )
    tokens: int = Field(description="Estimated tokens of markdown (characters / 4, rounded up).")
    max_tokens: int = Field(description="The budget that was applied.")
    omitted: list[str] = Field(description="Ids of relevant rules left out to stay within the budget.")


class RuleOut(BaseModel):
    id: str = Field(description='Stable rule id ("r-12").')
    text: str = Field(description="The rule.")
    scope: str = Field(description="Taxonomy category it applies to.")
    status: RuleStatusOut = Field(description="candidate (waiting for a trial), trial, adopted or retired.")
    example_wrong: str | None = Field(description="Code that made the mistake.")
    example_right: str | None = Field(description="The same code done right.")
    pattern_id: str | None = Field(description="The pattern the rule targets.")
    insight_id: str | None = Field(description="The insight it came from.")
    helpful: int = Field(description="Attribution counter: shown and the task succeeded without the pattern.")
    harmful: int = Field(description="Attribution counter: shown and the pattern recurred anyway.")
    created_at: datetime = Field(description="When the rule was added (UTC).")
    updated_at: datetime = Field(description="When it last changed (UTC).")

    @classmethod
    def of(cls, rule: RuleRecord) -> RuleOut:
        return cls(
            id=rule.rule_id,
            text=rule.text,
            scope=rule.scope,
            status=rule.status,
            example_wrong=rule.example_wrong,
            example_right=rule.example_right,
            pattern_id=rule.pattern_id,
            insight_id=rule.insight_id,
            helpful=rule.helpful,
            harmful=rule.harmful,
            created_at=rule.created_at,
            updated_at=rule.updated_at,
        )


class DeltaOpOut(BaseModel):
    version: int = Field(description="Version the operation created.")
    op: Literal["add", "edit", "deprecate", "restore"] = Field(description="The delta operation.")
    rule_id: str = Field(description="The rule it changed.")
    before_status: RuleStatusOut | None = Field(description="The rule's status before (null for add).")
    after_status: RuleStatusOut = Field(description="The rule's status after.")
    text_changed: bool = Field(description="Whether the rule's text, scope or examples changed.")


class ProtocolChangeOut(BaseModel):
    version: int = Field(description="The new protocol version.")
    note: str = Field(description="Why the change was made.")
    rules: list[RuleOut] = Field(description="The rules the change touched, as they are now.")


class VersionOut(BaseModel):
    version: int = Field(description="Version number (0 is the empty protocol).")
    created_at: datetime = Field(description="When it was made (UTC).")
    note: str = Field(description="Why.")
    ops: list[DeltaOpOut] = Field(description="The delta operations that made it.")


class ProtocolHistory(BaseModel):
    current: int = Field(description="The current version.")
    versions: list[VersionOut] = Field(description="Recent versions, newest first.")
