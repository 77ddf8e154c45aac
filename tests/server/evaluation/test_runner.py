"""The MCP-driving loop against a server that speaks the tools' public contract (see contract_double)."""

from __future__ import annotations

import pytest
from mcp import Client

from server.evaluation.connection import MissingTools, ServerSession, ToolFailed
from server.evaluation.runner import RunConfig, Runner, first_leaf, summarise_validation
from tools.evaluation.executors.anthropic import AuthenticationFailed
from tools.evaluation.executors.simulated import SimConfig, SimulatedExecutor, SimulatedReflector
from tools.evaluation.model import Attempt, ExecutorError
from tools.evaluation.suites import builtin_instances
from tools.evaluation.tasks import families

from .contract_double import build_contract_double

pytestmark = pytest.mark.anyio

MONEY = builtin_instances(families(["money", "text"]), 8, seed=1, stream="evaluation")


class Scripted:
    """An executor that returns the given codes in turn and remembers what it was shown."""

    name = "scripted"

    def __init__(self, *codes: str) -> None:
        self.codes = list(codes)
        self.seen: list[tuple[str, str | None]] = []

    async def solve(self, task_prompt, protocol_markdown, feedback, *, context=None) -> Attempt:
        self.seen.append((protocol_markdown, feedback))
        return Attempt(self.codes.pop(0), tokens_in=10, tokens_out=5, cost_usd=0.01)


async def test_a_task_is_decomposed_validated_retried_with_feedback_and_completed() -> None:
    double = build_contract_double()
    instance = MONEY[0]
    wrong = instance.reference.replace("round_half_even(", "(lambda n, d: n // d)(")
    executor = Scripted(wrong, instance.reference)
    async with Client(double) as client:
        runner = Runner(ServerSession(client), executor, config=RunConfig(max_attempts=3))
        run = await runner.run_task(instance, "none", "evaluation")
    assert double.double_state["calls"] == ["decompose", "validate_code", "validate_code", "complete_task"]
    assert run.error and run.passed and run.status == "succeeded"
    assert [a.passed for a in run.attempts] == [False, True]
    assert run.attempts[0].pattern_ids and run.tokens == 30 and run.cost_usd == pytest.approx(0.02)
    assert executor.seen[0] == ("", None)
    assert "Your previous attempt" in executor.seen[1][1] and "failed validation" in executor.seen[1][1]
    assert double.double_state["tasks"][run.server_task_id]["status"] == "succeeded"


async def test_the_learned_arm_reads_the_protocol_and_other_arms_never_call_get_protocol() -> None:
    double = build_contract_double()
    instance = MONEY[0]
    async with Client(double) as client:
        session = ServerSession(client)
        await session.call("propose_insight", pattern_id="p-9", rule="Use integer cents.")
        runner = Runner(session, Scripted(instance.reference, instance.reference))
        learned = await runner.run_task(instance, "learned", "evaluation")
        none = await runner.run_task(instance, "none", "evaluation")
    assert double.double_state["calls"].count("get_protocol") == 1
    assert learned.rule_ids == ["r-1"] and learned.protocol_chars > 0 and none.protocol_chars == 0
    assert runner.executor.seen[0][0].startswith("## Protocol") and runner.executor.seen[1][0] == ""


async def test_a_task_that_never_passes_is_completed_as_failed_within_the_attempt_budget() -> None:
    double = build_contract_double()
    instance = MONEY[1]
    async with Client(double) as client:
        runner = Runner(
            ServerSession(client), Scripted("x = (", "x = (", "x = ("), config=RunConfig(max_attempts=2)
        )
        run = await runner.run_task(instance, "none", "evaluation")
    assert len(run.attempts) == 2 and not run.passed and run.status == "failed"


async def test_learning_proposes_rules_for_recurring_patterns_and_evaluation_pairs_every_arm() -> None:
    double = build_contract_double()
    instances = builtin_instances(families(["money"]), 12, seed=3, stream="learning")
    evaluation = builtin_instances(families(["money"]), 4, seed=3, stream="evaluation")
    executor = SimulatedExecutor(SimConfig(base_rate=0.9, effect=0.1, hardness_sd=0.0))
    config = RunConfig(
        arms=("none", "learned", "placebo", "corrupted"), reflect_every=3, min_pattern_frequency=1
    )
    async with Client(double) as client:
        runner = Runner(
            ServerSession(client),
            executor,
            reflector=SimulatedReflector(instances + evaluation),
            config=config,
        )
        await runner.learning_phase(instances)
        await runner.evaluation_phase(evaluation)
    state = runner.state
    assert state.insights and set(state.rule_patterns) == {i["rule_id"] for i in state.insights}
    assert all("integer cents" in i["rule"] or "fractional cents" in i["rule"] for i in state.insights)
    by_arm = {arm: [r for r in state.runs if r.phase == "evaluation" and r.arm == arm] for arm in config.arms}
    assert all(len(runs) == 4 for runs in by_arm.values())
    for learned, placebo in zip(by_arm["learned"], by_arm["placebo"], strict=True):
        assert learned.instance_id == placebo.instance_id
        assert placebo.protocol_chars >= 0.9 * learned.protocol_chars
    assert sum(r.error for r in by_arm["learned"]) < sum(r.error for r in by_arm["none"])


async def test_a_missing_tool_is_named_before_anything_runs() -> None:
    async with Client(build_contract_double()) as client:
        with pytest.raises(MissingTools, match="'no_such_tool'"):
            await ServerSession(client).require(("decompose", "no_such_tool"))


async def test_a_tool_error_surfaces_with_the_servers_message() -> None:
    async with Client(build_contract_double(fail_tools=frozenset({"validate_code"}))) as client:
        with pytest.raises(ToolFailed) as caught:
            await ServerSession(client).call("validate_code", code="x = 1")
    assert caught.value.tool == "validate_code"


def test_validation_feedback_lists_failing_stages_and_findings() -> None:
    result = {
        "passed": False,
        "stages": [
            {"name": "syntax", "passed": True, "findings": []},
            {"name": "tests", "passed": False, "findings": [
                {"code": "AssertionError", "message": "expected 3, got 4", "line": 7, "test_name": "test_add_1"}]},
        ],
    }  # fmt: skip
    assert (
        summarise_validation(result)
        == "tests failed:\n  - [AssertionError] test_add_1: expected 3, got 4 (line 7)"
    )


def test_the_first_leaf_item_is_the_step_validation_is_attributed_to() -> None:
    items = [
        {"id": "a-1", "parent_id": None},
        {"id": "a-2", "parent_id": "a-1"},
        {"id": "a-3", "parent_id": "a-1"},
    ]
    assert first_leaf(items)["id"] == "a-2"
    assert first_leaf([]) is None


class Failing:
    name = "failing"

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def solve(self, task_prompt, protocol_markdown, feedback, *, context=None) -> Attempt:
        raise self.error


async def test_an_executor_failure_abandons_the_task_and_repeated_failures_stop_the_run() -> None:
    async with Client(build_contract_double()) as client:
        runner = Runner(ServerSession(client), Failing(ExecutorError("API down")))
        first = await runner.run_task(MONEY[0], "none", "evaluation")
        assert first.status == "abandoned" and first.executor_error == "API down" and first.error
        await runner.run_task(MONEY[1], "none", "evaluation")
        with pytest.raises(ExecutorError, match="3 tasks in a row"):
            await runner.run_task(MONEY[2], "none", "evaluation")


async def test_a_rejected_api_key_stops_the_run_at_the_first_task() -> None:
    async with Client(build_contract_double()) as client:
        runner = Runner(ServerSession(client), Failing(AuthenticationFailed("bad key")))
        with pytest.raises(AuthenticationFailed):
            await runner.run_task(MONEY[0], "none", "evaluation")


async def test_the_cost_budget_stops_new_tasks() -> None:
    instance = MONEY[0]
    async with Client(build_contract_double()) as client:
        runner = Runner(
            ServerSession(client),
            Scripted(*[instance.reference] * 5),
            config=RunConfig(arms=("none",), max_cost_usd=0.015),
        )
        await runner.evaluation_phase(MONEY[:5])
    assert len(runner.state.runs) == 2 and "budget 0.015 USD" in runner.state.stopped_early


async def test_a_failed_validation_call_is_retried_and_a_server_that_refuses_every_task_stops_the_run() -> (
    None
):
    instance = MONEY[0]
    double = build_contract_double(fail_tools=frozenset({"validate_code"}))
    async with Client(double) as client:
        runner = Runner(
            ServerSession(client),
            Scripted(*[instance.reference] * 9),
            config=RunConfig(max_attempts=3, tool_retry_delays_s=(0.0, 0.0)),
        )
        first = await runner.run_task(instance, "none", "evaluation")
        assert first.error and first.attempts[0].failure.startswith("validate_code refused the code")
        assert (
            double.double_state["calls"].count("validate_code") == 3 * 3
        )  # three attempts, each tried 3 times
        assert first.status == "failed" and double.double_state["calls"][-1] == "complete_task"
        await runner.run_task(instance, "none", "evaluation")
        with pytest.raises(ToolFailed):
            await runner.run_task(instance, "none", "evaluation")
    assert double.double_state["calls"][-1] == "complete_task"  # the last task was closed before stopping
    assert len([n for n in runner.state.notes if "retried" in n]) == 2 * 9
