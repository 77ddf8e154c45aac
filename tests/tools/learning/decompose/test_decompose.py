"""decompose with a store: the task, its items, their rules and pitfalls."""

from __future__ import annotations

import pytest

from store.base import Store
from tools.decompose import DecomposeRequest, decompose
from tools.errors import InvalidInput
from tools.experiments.arms import is_holdout
from tools.experiments.config import LearningConfig
from tools.insights import maybe_auto_insight
from tools.protocol import AddRuleRequest, add_rule

from ..helpers import confirmed_pattern

pytestmark = pytest.mark.anyio
NO_HOLDOUT = LearningConfig(holdout_share=0.0)
PAIRS = "Write a function returning the pairs of adjacent items of a list; return [] for an empty list."


async def test_decompose_creates_the_task_and_its_tree(store: Store, workspace: str) -> None:
    result = await decompose(DecomposeRequest(task=PAIRS), store=store, workspace=workspace)
    task = await store.get_task(workspace, result.task_id)
    assert task.description == PAIRS and task.protocol_version == 0
    assert [i.id for i in result.items] == [i.action_id for i in sorted(task.items, key=lambda i: i.position)]
    root = result.items[0]
    assert root.parent_id is None and root.category == "python"
    assert all(item.parent_id is not None for item in result.items[1:])
    assert "- [ ] Handle empty input" in result.markdown


async def test_rules_attach_to_the_outermost_items_in_their_scope(store: Store, workspace: str) -> None:
    edge = (
        await add_rule(
            AddRuleRequest(text="List the edge cases first", scope="python.edge_cases"),
            store=store,
            workspace=workspace,
        )
    ).rules[0]
    general = (
        await add_rule(
            AddRuleRequest(text="Run the tests before finishing", scope="python"),
            store=store,
            workspace=workspace,
        )
    ).rules[0]
    files = (
        await add_rule(
            AddRuleRequest(text="Open files with an encoding", scope="python.io.files"),
            store=store,
            workspace=workspace,
        )
    ).rules[0]
    result = await decompose(
        DecomposeRequest(task=PAIRS), store=store, workspace=workspace, config=NO_HOLDOUT
    )
    where = {rule.id: item.category for item in result.items for rule in item.rules}
    assert where == {edge.id: "python.edge_cases", general.id: "python"}
    assert files.id not in where


async def test_pitfalls_show_confirmed_patterns_of_a_step_and_their_insight_only_when_its_rule_is_shown(
    store: Store, workspace: str
) -> None:
    pattern = await confirmed_pattern(store, workspace)
    proposed = await maybe_auto_insight(
        pattern.pattern_id, store=store, workspace=workspace, config=NO_HOLDOUT
    )
    assert proposed is not None and proposed.rule.status == "trial"
    arms_seen = set()
    for i in range(8):
        result = await decompose(
            DecomposeRequest(task=f"{PAIRS} Variant {i}."),
            store=store,
            workspace=workspace,
            config=NO_HOLDOUT,
        )
        arm = result.arm[proposed.rule.id]
        arms_seen.add(arm)
        [item] = [item for item in result.items if item.pitfalls]
        assert item.category == "python.edge_cases.boundaries"
        [pitfall] = item.pitfalls
        assert pitfall.pattern_id == pattern.pattern_id and pitfall.distinct_tasks == 2
        shown = any(rule.id == proposed.rule.id for i2 in result.items for rule in i2.rules)
        assert shown == (arm == "treatment")
        assert (pitfall.insight is not None) == shown
    assert arms_seen == {"treatment", "control"}


async def test_hold_out_tasks_get_steps_but_nothing_learned(store: Store, workspace: str) -> None:
    config = LearningConfig(holdout_share=0.5)
    pattern = await confirmed_pattern(store, workspace)
    rule = (
        await add_rule(
            AddRuleRequest(text="Check len() first", scope="python"), store=store, workspace=workspace
        )
    ).rules[0]
    assert pattern and rule.status == "adopted"
    outcomes = set()
    for i in range(12):
        result = await decompose(
            DecomposeRequest(task=f"{PAIRS} {i}"), store=store, workspace=workspace, config=config
        )
        assert result.holdout == is_holdout(workspace, result.task_id, 0.5)
        learned = [x for item in result.items for x in (*item.rules, *item.pitfalls)]
        assert (learned == []) == result.holdout
        outcomes.add(result.holdout)
    assert outcomes == {True, False}


async def test_the_items_carry_rules_within_the_configured_budget(store: Store, workspace: str) -> None:
    for n in range(30):
        await add_rule(
            AddRuleRequest(
                text=f"Edge-case rule number {n}: " + "check it carefully " * 10, scope="python.edge_cases"
            ),
            store=store,
            workspace=workspace,
        )
    config = LearningConfig(holdout_share=0.0, protocol_max_tokens=300)
    result = await decompose(DecomposeRequest(task=PAIRS), store=store, workspace=workspace, config=config)
    shown = [rule for item in result.items for rule in item.rules]
    assert 0 < len(shown) < 30


async def test_unknown_domains_and_blank_tasks_are_refused(store: Store, workspace: str) -> None:
    with pytest.raises(InvalidInput, match="Unknown domain 'rust'"):
        await decompose(DecomposeRequest(task="x", domain="rust"), store=store, workspace=workspace)
    with pytest.raises(InvalidInput, match="whitespace"):
        await decompose(DecomposeRequest(task="   "), store=store, workspace=workspace)


async def test_a_workspace_category_extends_the_plan(store: Store, workspace: str) -> None:
    from tools.taxonomy import CategoryIn, add_category

    await add_category(
        CategoryIn(
            id="python.io.http",
            name="Call the HTTP API",
            description="Set timeouts; check status codes.",
            keywords=["http", "endpoint"],
            error_categories=["runtime.http"],
            phase="python.core.implement",
        ),
        store=store,
        workspace=workspace,
    )
    result = await decompose(
        DecomposeRequest(task="Fetch JSON from the HTTP endpoint"), store=store, workspace=workspace
    )
    [http] = [item for item in result.items if item.category == "python.io.http"]
    parent = next(item for item in result.items if item.id == http.parent_id)
    assert parent.category == "python.core.implement"
