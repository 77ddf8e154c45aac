"""Input and output of propose_insight."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tools.experiments.views import ExperimentOut
from tools.protocol.models import RuleOut


class ProposeInsightRequest(BaseModel):
    """A rule that would have prevented a pattern's errors, with a wrong -> right example."""

    model_config = ConfigDict(extra="forbid")

    pattern_id: str = Field(description='The confirmed pattern the rule targets ("p-7"); see find_patterns.')
    rule: str = Field(
        description="One instruction a model can follow while coding, specific to the pattern's mistake "
        '("Split on the exact separator and strip each field before int()"). At most a few sentences.',
        max_length=4000,
    )
    example_wrong: str | None = Field(
        None,
        description="A few lines of code that make the mistake. Omit to use the code of one of the pattern's real errors.",
        max_length=20_000,
    )
    example_right: str | None = Field(None, description="The same lines done right.", max_length=20_000)
    scope: str | None = Field(
        None,
        description='Taxonomy category of the step the rule belongs to ("python.io.parse"). Omit to use the '
        "step the pattern's errors come from. See taxonomy://actions.",
    )


class ProposedInsight(BaseModel):
    insight_id: str = Field(description='The stored insight ("i-4").')
    pattern_id: str = Field(description="The pattern it targets.")
    rule: RuleOut = Field(description="The protocol rule made from it (candidate or trial).")
    experiment: ExperimentOut | None = Field(
        description="The experiment measuring the rule; null while it waits for a free trial slot."
    )
    message: str = Field(description="What happens next.")
