"""Input and output of decompose."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tools.protocol.models import ArmOut, RuleStatusOut


class DecomposeRequest(BaseModel):
    """A coding task to break into steps."""

    model_config = ConfigDict(extra="forbid")

    task: str = Field(
        description="The task as the user gave it: what to build, inputs and outputs, constraints, examples.",
        min_length=1,
        max_length=20_000,
    )
    domain: str = Field(
        "python", description='Taxonomy domain of the task; "python" unless the server was extended.'
    )


class ItemRule(BaseModel):
    id: str = Field(description='Stable rule id ("r-12"); read protocol://current for its evidence.')
    text: str = Field(description="The rule to follow in this step.")
    status: RuleStatusOut = Field(description="adopted (proven to reduce errors) or trial (being measured).")
    example_wrong: str | None = Field(None, description="Code that made the mistake.")
    example_right: str | None = Field(None, description="The same code done right.")


class PitfallInsight(BaseModel):
    rule_id: str = Field(description="The protocol rule that carries this insight.")
    rule: str = Field(description="What to do to avoid the pitfall.")
    example_wrong: str | None = Field(None, description="Code that made the mistake.")
    example_right: str | None = Field(None, description="The same code done right.")


class Pitfall(BaseModel):
    pattern_id: str = Field(description='A confirmed error pattern seen in this kind of step ("p-7").')
    title: str = Field(description="What goes wrong.")
    signature: str = Field(description="What its errors share.")
    frequency: int = Field(description="How many errors it has.")
    distinct_tasks: int = Field(description="In how many tasks it occurred.")
    insight: PitfallInsight | None = Field(
        None, description="How to avoid it, when a rule for it applies to this task."
    )


class ActionItem(BaseModel):
    id: str = Field(
        description='Action item id ("a-40"); pass it as action_id to validate_code and log_error.'
    )
    parent_id: str | None = Field(description="The enclosing item, or null for the task's root item.")
    name: str = Field(description="The step, as an instruction.")
    category: str = Field(description='Action-taxonomy category of the step ("python.io.parse").')
    description: str = Field(description="What doing this step well means for this task.")
    rules: list[ItemRule] = Field(description="Protocol rules for this step.")
    pitfalls: list[Pitfall] = Field(description="Known error patterns of this kind of step.")


class Decomposition(BaseModel):
    task_id: str = Field(description='The new task\'s id ("t-3"); pass it to every later call for this task.')
    domain: str = Field(description="The task's domain.")
    protocol_version: int = Field(description="Protocol version the rules come from.")
    items: list[ActionItem] = Field(description="The steps as a tree (parent_id), in the order to do them.")
    arm: dict[str, ArmOut] = Field(description="This task's experiment arm for each relevant rule on trial.")
    holdout: bool = Field(
        description="True when the task is in the hold-out and sees only the baseline protocol."
    )
    markdown: str = Field(description="The same plan as an indented checklist.")
