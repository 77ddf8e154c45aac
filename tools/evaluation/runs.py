"""What a run records: one `TaskRun` per (task instance, arm), with its attempts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Phase = Literal["learning", "evaluation"]


@dataclass(slots=True)
class AttemptRecord:
    attempt: int
    passed: bool
    tokens_in: int
    tokens_out: int
    cost_usd: float
    seconds: float
    """Executor time plus validation time of this attempt."""
    failure: str = ""
    """Short summary of what validation reported (empty when it passed)."""
    pattern_ids: list[str] = field(default_factory=list)
    """Patterns of the errors validate_code logged for this attempt."""
    estimated: bool = False


@dataclass(slots=True)
class TaskRun:
    order: int
    """Position in the whole run (learning then evaluation), for learning curves."""
    phase: Phase
    instance_id: str
    task_id: str
    family: str
    arm: str
    server_task_id: str | None = None
    protocol_chars: int = 0
    protocol_rules: int = 0
    protocol_version: Any = None
    server_arm: Any = None
    """The `arm` field get_protocol returned (the server's own experiment arm), when it was called."""
    rule_ids: list[str] = field(default_factory=list)
    """Ids of the rules get_protocol returned for this task."""
    attempts: list[AttemptRecord] = field(default_factory=list)
    status: str = "failed"
    executor_error: str | None = None
    seconds: float = 0.0
    """Wall time of the whole task: decompose to complete_task."""

    @property
    def error(self) -> bool:
        """An error occurred: the first attempt failed validation (or no attempt could be made)."""
        return not self.attempts or not self.attempts[0].passed

    @property
    def passed(self) -> bool:
        return any(a.passed for a in self.attempts)

    @property
    def tokens(self) -> int:
        return sum(a.tokens_in + a.tokens_out for a in self.attempts)

    @property
    def cost_usd(self) -> float:
        return sum(a.cost_usd for a in self.attempts)

    @property
    def patterns(self) -> set[str]:
        return {p for a in self.attempts for p in a.pattern_ids}

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(error=self.error, passed=self.passed, tokens=self.tokens, cost_usd=self.cost_usd)
        return data
