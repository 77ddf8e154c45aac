"""Experiment invariants and their repair after an interrupted change."""

from __future__ import annotations

from dataclasses import replace

import pytest

from store.base import Store
from store.learning import RuleChange
from tools.experiments.config import LearningConfig
from tools.experiments.lifecycle import reconcile, spending_family, start_experiment
from tools.insights import maybe_auto_insight

from ..helpers import confirmed_pattern

pytestmark = pytest.mark.anyio


async def trial_rule(store: Store, workspace: str):
    pattern = await confirmed_pattern(store, workspace)
    proposed = await maybe_auto_insight(pattern.pattern_id, store=store, workspace=workspace)
    assert proposed is not None
    return await store.get_rule(workspace, proposed.rule.id)


async def test_starting_an_experiment_twice_returns_the_running_one(store: Store, workspace: str) -> None:
    rule = await trial_rule(store, workspace)
    first = await start_experiment(store, workspace, rule, LearningConfig())
    again = await start_experiment(store, workspace, rule, LearningConfig())
    assert first.experiment_id == again.experiment_id


async def test_spending_families_follow_the_configuration(store: Store, workspace: str) -> None:
    rule = await trial_rule(store, workspace)
    assert spending_family(rule, LearningConfig()) == f"pattern:{rule.pattern_id}"
    assert spending_family(rule, LearningConfig(alpha_spending="workspace")) == "workspace"
    assert spending_family(rule, LearningConfig(alpha_spending="none")) == f"rule:{rule.rule_id}"


async def test_reconcile_stops_experiments_of_rules_no_longer_on_trial(store: Store, workspace: str) -> None:
    rule = await trial_rule(store, workspace)
    # A crash between the status change and stopping the experiment leaves this state.
    await store.change_protocol(
        workspace,
        [RuleChange("deprecate", rule.rule_id, after=replace(rule.state, status="retired"))],
        note="x",
    )
    await reconcile(store, workspace, LearningConfig())
    [experiment] = await store.list_experiments(workspace, rule_id=rule.rule_id)
    assert experiment.status == "stopped" and "retired" in (experiment.decision or "")


async def test_reconcile_finishes_a_decision_whose_status_change_was_lost(
    store: Store, workspace: str
) -> None:
    rule = await trial_rule(store, workspace)
    [experiment] = await store.list_experiments(workspace, rule_id=rule.rule_id)
    await store.decide_experiment(workspace, experiment.experiment_id, status="adopted", decision="proven")
    await reconcile(store, workspace, LearningConfig())
    assert (await store.get_rule(workspace, rule.rule_id)).status == "adopted"


async def test_reconcile_starts_an_experiment_for_a_trial_rule_without_one(
    store: Store, workspace: str
) -> None:
    rule = await trial_rule(store, workspace)
    [experiment] = await store.list_experiments(workspace, rule_id=rule.rule_id)
    await store.decide_experiment(workspace, experiment.experiment_id, status="stopped", decision="edited")
    await reconcile(store, workspace, LearningConfig())
    running = await store.list_experiments(workspace, statuses=["running"], rule_id=rule.rule_id)
    assert len(running) == 1 and running[0].ordinal == 2
