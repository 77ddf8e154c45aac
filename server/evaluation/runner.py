"""The evaluation loop, driving the real server through tool calls as a client would.

Per task: decompose → (get_protocol) → the executor writes code → validate_code → retry with the
failure as feedback within the attempt budget → complete_task. The learning phase runs tasks with
the learned protocol and, every few tasks, asks the reflector for rules for new patterns
(find_patterns → propose_insight). The evaluation phase runs every held-out instance under each arm
(paired): no protocol, the learned protocol, a placebo of the same length, a corrupted copy.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio

from tools.evaluation.executors.anthropic import AuthenticationFailed
from tools.evaluation.model import (
    Attempt,
    AttemptContext,
    Executor,
    ExecutorError,
    NoMoreAttempts,
    Reflector,
    TaskInstance,
    ValidatedExample,
)
from tools.evaluation.progress import Progress
from tools.evaluation.protocols import corrupt, count_rules, placebo
from tools.evaluation.runs import AttemptRecord, Phase, TaskRun

from .answers import FEEDBACK, first_leaf, rule_id_of, summarise_validation
from .connection import ServerSession, ToolFailed

MAX_TRIES_PER_PATTERN = 2
"""Reflection passes that may try to write a rule for one pattern (more examples may arrive in between)."""

MAX_EXECUTOR_FAILURES = 3
"""Consecutive tasks whose executor failed (API down after retries) before the run stops."""

MAX_VALIDATION_FAILURES = 3
"""Consecutive tasks whose every validate_code call failed (even after retries) before the run stops."""


@dataclass(frozen=True, slots=True)
class RunConfig:
    arms: tuple[str, ...] = ("none", "learned", "placebo")
    max_attempts: int = 3
    protocol_max_tokens: int = 1500
    validate_level: int = 3
    validate_timeout_s: float = 10.0
    reflect_every: int = 6
    min_pattern_frequency: int = 2
    max_cost_usd: float | None = None
    seed: int = 0
    domain: str = "python"
    tool_retry_delays_s: tuple[float, ...] = (1.0, 4.0)
    """Waits before each retry of a validate_code call that failed with a tool error."""


@dataclass(slots=True)
class RunState:
    runs: list[TaskRun] = field(default_factory=list)
    rule_patterns: dict[str, str] = field(default_factory=dict)
    """Rule id -> the pattern it targets, in the order the rules were proposed."""
    insights: list[dict[str, Any]] = field(default_factory=list)
    reflection_cost_usd: float = 0.0
    rules_seen: dict[str, dict[str, Any]] = field(default_factory=dict)
    server_decisions: list[dict[str, Any]] = field(default_factory=list)
    """Adopt/retire decisions complete_task reported, in order."""
    notes: list[str] = field(default_factory=list)
    stopped_early: str | None = None

    @property
    def cost_usd(self) -> float:
        return sum(r.cost_usd for r in self.runs) + self.reflection_cost_usd


class Runner:
    def __init__(
        self,
        session: ServerSession,
        executor: Executor,
        *,
        reflector: Reflector | None = None,
        config: RunConfig | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.session = session
        self.executor = executor
        self.reflector = reflector
        self.config = config or RunConfig()
        self.progress = progress
        self.state = RunState()
        self._examples: dict[str, list[ValidatedExample]] = {}
        self._examples_by_task: dict[str, list[ValidatedExample]] = {}
        self._scopes: dict[str, str] = {}
        self._proposed: set[str] = set()
        self._tries: dict[str, int] = {}
        self.last_markdown = ""
        self._executor_failures = 0
        self._validation_failures = 0
        """The protocol markdown the latest task was run with (the placebo and corrupted arms derive from it)."""

    # one task -----------------------------------------------------------------------------------
    async def run_task(
        self, instance: TaskInstance, arm: str, phase: Phase, *, markdown: str | None = None
    ) -> TaskRun:
        run = TaskRun(
            order=len(self.state.runs) + 1, phase=phase, instance_id=instance.instance_id,
            task_id=instance.task_id, family=instance.family, arm=arm,
        )  # fmt: skip
        started = time.monotonic()
        decomposed = await self.session.call("decompose", task=instance.prompt, domain=self.config.domain)
        run.server_task_id = str(decomposed["task_id"])
        item = first_leaf(decomposed.get("items") or [])
        action_id = item.get("id") if item else None
        category = item.get("category") if item else None
        if arm == "learned":
            protocol = await self.session.call(
                "get_protocol", task_id=run.server_task_id, max_tokens=self.config.protocol_max_tokens
            )
            markdown = protocol.get("markdown") or ""
            run.protocol_version = protocol.get("version")
            run.server_arm = protocol.get("arm")
            for rule in protocol.get("rules") or []:
                if rule.get("id"):
                    rule_id = str(rule["id"])
                    run.rule_ids.append(rule_id)
                    self.state.rules_seen[rule_id] = dict(rule)
                    evidence = rule.get("evidence") if isinstance(rule.get("evidence"), dict) else {}
                    target = rule.get("pattern_id") or evidence.get("pattern_id")
                    if target and rule_id not in self.state.rule_patterns:  # rules the server wrote itself
                        self.state.rule_patterns[rule_id] = str(target)
        markdown = markdown or ""
        self.last_markdown = markdown
        run.protocol_chars = len(markdown)
        run.protocol_rules = len(run.rule_ids) if arm == "learned" else count_rules(markdown)
        feedback: str | None = None
        failed_codes: list[tuple[str, str, list[str]]] = []
        refusal: ToolFailed | None = None
        validated_any = False
        for number in range(1, self.config.max_attempts + 1):
            context = AttemptContext(instance=instance, arm=arm, attempt=number, phase=phase)  # type: ignore[arg-type]
            attempt_started = time.monotonic()
            try:
                attempt: Attempt = await self.executor.solve(
                    instance.prompt, markdown, feedback, context=context
                )
            except NoMoreAttempts:
                break
            except AuthenticationFailed:
                raise
            except ExecutorError as exc:
                run.executor_error = str(exc)
                self._executor_failures += 1
                if self._executor_failures >= MAX_EXECUTOR_FAILURES:
                    raise ExecutorError(
                        f"{MAX_EXECUTOR_FAILURES} tasks in a row failed in the executor; last: {exc}"
                    ) from exc
                break
            self._executor_failures = 0
            try:
                validated = await self._call_with_retries(
                    "validate_code",
                    code=instance.program(attempt.code),
                    tests=instance.tests,
                    level=self.config.validate_level,
                    task_id=run.server_task_id,
                    action_id=action_id,
                    timeout_s=self.config.validate_timeout_s,
                )
            except ToolFailed as exc:
                # Refused code (empty, too large) is this attempt's failure; a server that refuses task
                # after task is down, and the run stops (below, once the task is closed).
                refusal = exc
                validated = {"passed": False, "stages": [], "refused": exc.message}
            else:
                validated_any = True
            passed = bool(validated.get("passed"))
            failure = "" if passed else summarise_validation(validated)
            if "refused" in validated:
                failure = f"validate_code refused the code: {validated['refused']}"
            patterns = [
                str(e["pattern_id"]) for e in validated.get("errors_logged") or [] if e.get("pattern_id")
            ]
            run.attempts.append(
                AttemptRecord(
                    attempt=number, passed=passed, tokens_in=attempt.tokens_in, tokens_out=attempt.tokens_out,
                    cost_usd=attempt.cost_usd, seconds=time.monotonic() - attempt_started, failure=failure,
                    pattern_ids=patterns, estimated=attempt.estimated,
                )
            )  # fmt: skip
            if passed:
                self._remember(run, failed_codes, right=attempt.code, category=category)
                break
            failed_codes.append((attempt.code, failure, patterns))
            feedback = FEEDBACK.format(code=attempt.code.rstrip(), failure=failure)
        if failed_codes:  # never fixed within the budget: wrong code without a right version
            self._remember(run, failed_codes, right=None, category=category)
        run.status = "succeeded" if run.passed else ("failed" if run.attempts else "abandoned")
        outcome = await self.session.call(
            "complete_task",
            task_id=run.server_task_id,
            status=run.status,
            tokens=run.tokens,
            cost_usd=run.cost_usd,
        )
        for decision in outcome.get("decisions") or []:
            if isinstance(decision, dict):
                self.state.server_decisions.append({"after_task": run.order, **decision})
        run.seconds = time.monotonic() - started
        self.state.runs.append(run)
        if validated_any or refusal is None:
            self._validation_failures = 0
        else:
            self._validation_failures += 1
            if self._validation_failures >= MAX_VALIDATION_FAILURES:
                raise refusal
        if self.progress:
            errors = sum(r.error for r in self.state.runs if r.phase == phase and r.arm == arm)
            total = sum(1 for r in self.state.runs if r.phase == phase and r.arm == arm)
            self.progress.advance(f"{phase} {arm}: {errors}/{total} erred, ${self.state.cost_usd:.4f}")
        return run

    async def _call_with_retries(self, name: str, **arguments: Any) -> dict[str, Any]:
        """A tool call retried after a tool error (a busy or briefly failing sandbox must not end a long run)."""
        for delay in (*self.config.tool_retry_delays_s, None):
            try:
                return await self.session.call(name, **arguments)
            except ToolFailed as exc:
                if delay is None:
                    raise
                self.state.notes.append(f"{name} failed and was retried after {delay:g} s: {exc.message}")
                await anyio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _remember(
        self,
        run: TaskRun,
        failed: list[tuple[str, str, list[str]]],
        *,
        right: str | None,
        category: str | None,
    ) -> None:
        """Keep real wrong→right pairs per pattern: the reflector's evidence."""
        for wrong, failure, patterns in failed:
            example = ValidatedExample(instance_id=run.instance_id, wrong=wrong, right=right, failure=failure)
            if run.server_task_id:
                self._examples_by_task.setdefault(run.server_task_id, []).append(example)
            for pattern_id in patterns:
                self._examples.setdefault(pattern_id, []).append(example)
                if category and pattern_id not in self._scopes:
                    self._scopes[pattern_id] = category
        failed.clear()

    def _over_budget(self) -> bool:
        limit = self.config.max_cost_usd
        if limit is not None and self.state.cost_usd >= limit:
            self.state.stopped_early = (
                f"stopped after spending {self.state.cost_usd:.4f} USD (budget {limit} USD)"
            )
            return True
        return False

    # learning -----------------------------------------------------------------------------------
    async def reflect(self) -> None:
        """Propose a rule for each new pattern seen often enough (find_patterns → propose_insight)."""
        if self.reflector is None:
            return
        page = await self.session.call(
            "find_patterns", min_frequency=self.config.min_pattern_frequency, limit=50
        )
        for pattern in page.get("patterns") or []:
            pattern_id = str(pattern.get("id"))
            if pattern_id in self._proposed or pattern.get("insight"):
                continue
            if pattern.get("status", "confirmed") != "confirmed":
                continue  # the server learns rules only for patterns that recurred across tasks: wait for that
            tries = self._tries.get(pattern_id, 0)
            if tries >= MAX_TRIES_PER_PATTERN:
                continue
            self._tries[pattern_id] = tries + 1
            examples = list(self._examples.get(pattern_id, []))
            for example in pattern.get("examples") or []:
                task = example.get("task_id") if isinstance(example, dict) else None
                examples += [e for e in self._examples_by_task.get(str(task), []) if e not in examples]
            examples.sort(key=lambda e: e.right is None)  # fixed examples first: they show the right way
            draft = await self.reflector.write_insight(pattern, examples[:4])
            if draft is None:
                continue
            self.state.reflection_cost_usd += draft.cost_usd
            try:
                proposed = await self.session.call(
                    "propose_insight", pattern_id=pattern_id, rule=draft.rule, example_wrong=draft.example_wrong,
                    example_right=draft.example_right, scope=self._scopes.get(pattern_id),
                )  # fmt: skip
            except ToolFailed as exc:
                self.state.notes.append(f"propose_insight for {pattern_id} was refused: {exc.message}")
                continue
            self._proposed.add(pattern_id)
            rule_id = rule_id_of(proposed)
            if rule_id:
                self.state.rule_patterns[rule_id] = pattern_id
            self.state.insights.append({"pattern_id": pattern_id, "rule_id": rule_id, "rule": draft.rule})

    async def learning_phase(self, instances: Sequence[TaskInstance]) -> None:
        for position, instance in enumerate(instances, start=1):
            if self._over_budget():
                return
            await self.run_task(instance, "learned", "learning")
            if position % self.config.reflect_every == 0:
                await self.reflect()
        if instances:
            await self.reflect()

    # evaluation ---------------------------------------------------------------------------------
    async def evaluation_phase(self, instances: Sequence[TaskInstance]) -> None:
        arms = self.config.arms
        for instance in instances:
            if self._over_budget():
                return
            learned = ""
            if "learned" in arms:
                await self.run_task(instance, "learned", "evaluation")
                learned = self.last_markdown
            rest = [a for a in arms if a != "learned"]
            random.Random(f"{self.config.seed}|{instance.instance_id}|order").shuffle(rest)
            for arm in rest:
                markdown = ""
                if arm == "placebo":
                    markdown = placebo(learned, seed=random.Random(instance.instance_id).randrange(2**31))
                elif arm == "corrupted":
                    markdown = corrupt(learned)
                await self.run_task(instance, arm, "evaluation", markdown=markdown)

    async def finish(self) -> dict[str, Any]:
        """The server's view after the run: patterns found and the rules with their statuses."""
        patterns: list[dict[str, Any]] = []
        try:
            page = await self.session.call("find_patterns", min_frequency=1, limit=100)
            patterns = [dict(p) for p in page.get("patterns") or []]
        except ToolFailed as exc:
            self.state.notes.append(f"find_patterns failed at the end of the run: {exc.message}")
        rules = dict(self.state.rules_seen)
        current = await self.session.read_json("protocol://current")
        if isinstance(current, dict):
            for rule in current.get("rules") or []:
                if isinstance(rule, dict) and rule.get("id"):
                    rules[str(rule["id"])] = dict(rule)
        return {"patterns": patterns, "rules": rules}
