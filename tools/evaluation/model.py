"""The harness's vocabulary: task instances, executor attempts and the seams executors plug into."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

Arm = Literal["none", "learned", "placebo", "corrupted"]
ARMS: tuple[Arm, ...] = ("none", "learned", "placebo", "corrupted")


class ExecutorError(RuntimeError):
    """The executor cannot produce an attempt; the message says why and what the operator can do."""


class NoMoreAttempts(ExecutorError):
    """The executor has no further attempt to offer (a replay has only its recorded output)."""


@dataclass(frozen=True, slots=True)
class TaskInstance:
    """One concrete task: what the executor sees, the hidden tests, and where it comes from."""

    instance_id: str
    """Unique within a run: ``builtin/house_errors.parse_port#7`` or ``HumanEval/12``."""
    task_id: str
    """The task the instance was generated from (equal to instance_id for fixed suites)."""
    family: str
    """Cluster for the bootstrap: instances of one family share conventions and mistakes."""
    prompt: str
    tests: str
    """Hidden tests: a module of ``test_*`` functions that imports the solution from ``solution``."""
    entry_point: str | None = None
    preamble: str = ""
    """Project code the solution is appended to before validation (installs helper packages)."""
    reference: str | None = None
    """A known-good solution body, when the suite has one."""
    params: Mapping[str, Any] = field(default_factory=dict)
    seed: int = 0

    def program(self, code: str) -> str:
        """The module validate_code receives: the project preamble followed by the executor's code."""
        return f"{self.preamble}\n{code}" if self.preamble else code


@dataclass(frozen=True, slots=True)
class Attempt:
    """What an executor produced for one try, with what it cost."""

    code: str
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    estimated: bool = False
    """True when tokens and cost are estimates (simulated or replayed), not read from an API."""


@dataclass(frozen=True, slots=True)
class AttemptContext:
    """Where an attempt sits in the run; executors that generate from a model may ignore it."""

    instance: TaskInstance
    arm: Arm
    attempt: int
    """1 for the first try."""
    phase: Literal["learning", "evaluation"] = "evaluation"


@runtime_checkable
class Executor(Protocol):
    """Writes code for a task: the stand-in for the client's model."""

    name: str

    async def solve(
        self,
        task_prompt: str,
        protocol_markdown: str,
        feedback: str | None,
        *,
        context: AttemptContext | None = None,
    ) -> Attempt:
        """Return the solution module for `task_prompt`, following `protocol_markdown` (may be empty).

        `feedback` is None on the first try and describes the failed validation on retries.
        """
        ...


@dataclass(frozen=True, slots=True)
class ValidatedExample:
    """A real wrong→right pair from the run: code that failed validation and code that then passed.

    Both are the executor's code as written, without the project preamble validation prepends.
    """

    instance_id: str
    wrong: str
    right: str | None
    failure: str
    """What validation reported for the wrong code."""


@dataclass(frozen=True, slots=True)
class InsightDraft:
    """A rule proposed for a pattern, with a minimal wrong→right example."""

    rule: str
    example_wrong: str | None = None
    example_right: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0


@runtime_checkable
class Reflector(Protocol):
    """Turns a recurring error pattern into a candidate rule (the client model's reflection step)."""

    async def write_insight(
        self, pattern: Mapping[str, Any], examples: Sequence[ValidatedExample]
    ) -> InsightDraft | None:
        """A rule for `pattern` (a `find_patterns` entry), or None when there is nothing to say."""
        ...
