"""complete_task: the outcome recorded from the server's own records, and the decisions it triggers."""

from __future__ import annotations

import random

import pytest

from store.base import Store
from tools.complete_task import CompleteTaskRequest, complete_task
from tools.decompose import DecomposeRequest, decompose
from tools.errors import InvalidInput
from tools.experiments.config import LearningConfig
from tools.insights import maybe_auto_insight

from ..helpers import confirmed_pattern, error

pytestmark = pytest.mark.anyio
PAIRS = "Write a function returning the pairs of adjacent items of a list."


async def run_tasks(
    store: Store,
    workspace: str,
    config: LearningConfig,
    *,
    p_treatment: float,
    p_control: float,
    limit: int,
    seed: int = 3,
    fail_on_error: bool = False,
):
    """Tasks whose targeted error occurs at the rate of their arm; stops at the first decision."""
    rng = random.Random(seed)
    for i in range(limit):
        plan = await decompose(
            DecomposeRequest(task=f"{PAIRS} Variant {i}."), store=store, workspace=workspace, config=config
        )
        [arm] = plan.arm.values()
        if rng.random() < (p_treatment if arm == "treatment" else p_control):
            await store.add_error(workspace, error("v1:index", task_id=plan.task_id))
            status = "failed" if fail_on_error else "succeeded"
        else:
            status = "succeeded"
        outcome = await complete_task(
            CompleteTaskRequest(task_id=plan.task_id, status=status, tokens=900, cost_usd=0.004),
            store=store,
            workspace=workspace,
            config=config,
        )
        if outcome.decisions:
            return i + 1, outcome
    return limit, None


async def setup_trial(store: Store, workspace: str, config: LearningConfig) -> str:
    pattern = await confirmed_pattern(store, workspace)
    proposed = await maybe_auto_insight(pattern.pattern_id, store=store, workspace=workspace, config=config)
    assert proposed is not None and proposed.rule.status == "trial"
    return proposed.rule.id


async def test_the_outcome_is_read_from_the_tasks_errors_and_recorded_once(
    store: Store, workspace: str
) -> None:
    config = LearningConfig(holdout_share=0.0)
    rule_id = await setup_trial(store, workspace, config)
    plan = await decompose(DecomposeRequest(task=PAIRS), store=store, workspace=workspace, config=config)
    await store.add_error(workspace, error("v1:index", task_id=plan.task_id))
    await store.add_error(
        workspace, error("v1:review", task_id=plan.task_id, source="review", category="logic.assertion")
    )
    request = CompleteTaskRequest(task_id=plan.task_id, status="failed", tokens=1234, cost_usd=0.02)

    outcome = await complete_task(request, store=store, workspace=workspace, config=config)

    assert (outcome.status, outcome.tokens, outcome.cost_usd, outcome.errors) == ("failed", 1234, 0.02, 1)
    [observation] = outcome.observations
    assert observation.rule_id == rule_id and observation.targeted_pattern_recurred
    assert observation.arm == plan.arm[rule_id] and outcome.decisions == []
    [experiment] = await store.list_experiments(workspace, rule_id=rule_id)
    arm = experiment.treatment if observation.arm == "treatment" else experiment.control
    assert (arm.tasks, arm.events, arm.failures) == (1, 1, 1)
    rule = await store.get_rule(workspace, rule_id)
    assert (rule.helpful, rule.harmful) == ((0, 1) if observation.arm == "treatment" else (0, 0))
    # A retry (the answer was lost) repeats the outcome without counting the task twice.
    again = await complete_task(request, store=store, workspace=workspace, config=config)
    assert again.observations == outcome.observations and (again.tokens, again.errors) == (1234, 1)
    [experiment] = await store.list_experiments(workspace, rule_id=rule_id)
    arm = experiment.treatment if observation.arm == "treatment" else experiment.control
    assert (arm.tasks, arm.events, arm.failures) == (1, 1, 1)
    assert (await store.get_rule(workspace, rule_id)).harmful == rule.harmful
    with pytest.raises(InvalidInput, match="already closed as 'failed'"):
        await complete_task(
            CompleteTaskRequest(task_id=plan.task_id, status="succeeded"),
            store=store,
            workspace=workspace,
            config=config,
        )


async def test_a_task_closed_before_its_outcome_was_recorded_gets_it_on_the_retry(
    store: Store, workspace: str
) -> None:
    config = LearningConfig(holdout_share=0.0)
    rule_id = await setup_trial(store, workspace, config)
    plan = await decompose(DecomposeRequest(task=PAIRS), store=store, workspace=workspace, config=config)
    await store.add_error(workspace, error("v1:index", task_id=plan.task_id))
    # The server stopped right after closing the task: nothing was recorded for its rules.
    await store.complete_task(workspace, plan.task_id, status="failed", tokens=10, cost_usd=0.001)
    [experiment] = await store.list_experiments(workspace, rule_id=rule_id)
    assert experiment.treatment.tasks + experiment.control.tasks == 0

    outcome = await complete_task(
        CompleteTaskRequest(task_id=plan.task_id, status="failed", tokens=99),
        store=store,
        workspace=workspace,
        config=config,
    )

    [observation] = outcome.observations
    assert observation.rule_id == rule_id and observation.targeted_pattern_recurred
    assert outcome.tokens == 10  # as first reported
    [experiment] = await store.list_experiments(workspace, rule_id=rule_id)
    arm = experiment.treatment if observation.arm == "treatment" else experiment.control
    assert (arm.tasks, arm.events, arm.failures) == (1, 1, 1)


async def test_an_unknown_task_is_refused(store: Store, workspace: str) -> None:
    with pytest.raises(InvalidInput, match="Unknown task 't-77'"):
        await complete_task(
            CompleteTaskRequest(task_id="t-77", status="succeeded"), store=store, workspace=workspace
        )


async def test_a_rule_that_halves_its_pattern_is_adopted(store: Store, workspace: str) -> None:
    config = LearningConfig(holdout_share=0.1)
    rule_id = await setup_trial(store, workspace, config)
    used, outcome = await run_tasks(store, workspace, config, p_treatment=0.2, p_control=0.6, limit=400)
    assert outcome is not None, f"no decision within {used} tasks"
    [decision] = outcome.decisions
    assert (decision.rule_id, decision.decision, decision.rule_status) == (rule_id, "adopt", "adopted")
    assert (await store.get_rule(workspace, rule_id)).status == "adopted"
    [experiment] = await store.list_experiments(workspace, rule_id=rule_id)
    assert experiment.status == "adopted" and experiment.e_max >= 1 / experiment.alpha
    ops = await store.protocol_ops(workspace)
    assert (ops[-1].op, ops[-1].before.status, ops[-1].after.status) == ("edit", "trial", "adopted")
    assert used < 200


async def test_a_rule_without_effect_is_retired_at_its_sample_cap(store: Store, workspace: str) -> None:
    config = LearningConfig(holdout_share=0.0, sample_cap=40)
    rule_id = await setup_trial(store, workspace, config)
    used, outcome = await run_tasks(store, workspace, config, p_treatment=0.4, p_control=0.4, limit=60)
    assert outcome is not None and used == 40
    [decision] = outcome.decisions
    assert (decision.decision, decision.rule_status) == ("retire_futility", "retired")
    assert "sample cap of 40" in decision.reason
    assert (await store.get_rule(workspace, rule_id)).status == "retired"
    assert [o.op for o in await store.protocol_ops(workspace)][-1] == "deprecate"


async def test_a_harmful_rule_is_retired_early(store: Store, workspace: str) -> None:
    config = LearningConfig(holdout_share=0.0, sample_cap=400)
    rule_id = await setup_trial(store, workspace, config)
    used, outcome = await run_tasks(
        store, workspace, config, p_treatment=0.9, p_control=0.2, limit=400, fail_on_error=True
    )
    assert outcome is not None and used < 100
    [decision] = outcome.decisions
    assert (decision.rule_id, decision.decision, decision.rule_status) == (rule_id, "retire_harm", "retired")


async def test_a_retired_rule_frees_its_slot_for_a_waiting_candidate(store: Store, workspace: str) -> None:
    from tools.insights import ProposeInsightRequest, propose_insight

    config = LearningConfig(holdout_share=0.0, sample_cap=20, max_trials=1)
    first = await setup_trial(store, workspace, config)
    pattern_id = (await store.get_rule(workspace, first)).pattern_id
    waiting = await propose_insight(
        ProposeInsightRequest(pattern_id=pattern_id, rule="Use zip(xs, xs[1:]) for neighbours."),
        store=store,
        workspace=workspace,
        config=config,
    )
    assert waiting.rule.status == "candidate"
    _, outcome = await run_tasks(store, workspace, config, p_treatment=0.4, p_control=0.4, limit=30)
    assert outcome is not None and outcome.decisions[0].rule_id == first
    assert (await store.get_rule(workspace, waiting.rule.id)).status == "trial"
    assert len(await store.list_experiments(workspace, statuses=["running"], rule_id=waiting.rule.id)) == 1
