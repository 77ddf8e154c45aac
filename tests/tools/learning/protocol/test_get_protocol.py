"""get_protocol: relevance, arms, hold-out, token budget."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from store.base import Store
from store.learning import NewExperiment, RuleChange
from tools.errors import InvalidInput
from tools.evaluation.pricing import estimate_tokens
from tools.experiments.arms import assign_arm, is_holdout
from tools.experiments.config import LearningConfig
from tools.protocol import AddRuleRequest, ProtocolRequest, add_rule, get_protocol

from ..helpers import confirmed_pattern

pytestmark = pytest.mark.anyio
PARSE_TASK = "Parse a comma-separated string of integers and return their sum."
NO_HOLDOUT = LearningConfig(holdout_share=0.0)


async def rule(store: Store, workspace: str, text: str, scope: str, **kwargs) -> str:
    change = await add_rule(
        AddRuleRequest(text=text, scope=scope, **kwargs), store=store, workspace=workspace
    )
    return change.rules[0].id


async def test_rules_reach_tasks_through_their_scope(store: Store, workspace: str) -> None:
    parse = await rule(store, workspace, "Strip each field before int()", "python.io.parse")
    files = await rule(store, workspace, "Open files with an explicit encoding", "python.io.files")
    everywhere = await rule(store, workspace, "Run the tests before finishing", "python")

    protocol = await get_protocol(ProtocolRequest(task=PARSE_TASK), store=store, workspace=workspace)
    ids = [r.id for r in protocol.rules]
    assert parse in ids and everywhere in ids and files not in ids
    assert protocol.arm == {} and not protocol.holdout

    by_category = await get_protocol(ProtocolRequest(category="python.io"), store=store, workspace=workspace)
    assert {r.id for r in by_category.rules} == {parse, files, everywhere}
    everything = await get_protocol(ProtocolRequest(), store=store, workspace=workspace)
    assert {r.id for r in everything.rules} == {parse, files, everywhere}


async def test_a_rule_reaches_tasks_similar_to_those_where_its_pattern_occurred(
    store: Store, workspace: str
) -> None:
    pattern = await confirmed_pattern(
        store,
        workspace,
        texts=(
            "Compute the median of a histogram of exam grades",
            "Compute the mode of a histogram of exam grades",
        ),
    )
    rule_id = await rule(
        store,
        workspace,
        "Sort before taking the middle element",
        "python.io.files",
        pattern_id=pattern.pattern_id,
    )
    state = (await store.get_rule(workspace, rule_id)).state
    await store.change_protocol(
        workspace,
        [RuleChange("edit", rule_id, after=replace(state, status="adopted"))],
        note="adopted for the test",
    )
    similar = await get_protocol(
        ProtocolRequest(task="Compute the mean of a histogram of exam grades"),
        store=store,
        workspace=workspace,
    )
    unrelated = await get_protocol(
        ProtocolRequest(task="Reverse the words of a sentence"), store=store, workspace=workspace
    )
    assert [r.id for r in similar.rules] == [rule_id] and 0.2 <= similar.rules[0].relevance < 1.0
    assert unrelated.rules == []


async def test_a_trial_rule_is_shown_to_its_treatment_arm_only_and_the_arm_is_stable(
    store: Store, workspace: str
) -> None:
    pattern = await confirmed_pattern(store, workspace)
    rule_id = await rule(
        store,
        workspace,
        "Loop to len(xs) - 1 when reading xs[i + 1]",
        "python.edge_cases",
        pattern_id=pattern.pattern_id,
    )
    seen = {"treatment": 0, "control": 0}
    for i in range(12):
        task = await store.create_task(workspace, f"Pair neighbouring items, variant {i}", domain="python")
        expected = assign_arm(workspace, task.task_id, rule_id, treatment_share=0.5, holdout_share=0.0)
        first = await get_protocol(
            ProtocolRequest(task_id=task.task_id), store=store, workspace=workspace, config=NO_HOLDOUT
        )
        again = await get_protocol(
            ProtocolRequest(task_id=task.task_id), store=store, workspace=workspace, config=NO_HOLDOUT
        )
        assert first.arm == again.arm == {rule_id: expected}
        assert (rule_id in [r.id for r in first.rules]) == (expected == "treatment")
        seen[expected] += 1
        [observation] = await store.list_observations(workspace, task_id=task.task_id)
        assert (observation.arm, observation.recurred) == (expected, None)
    assert seen["treatment"] and seen["control"]


async def test_hold_out_tasks_see_only_the_baseline_protocol(store: Store, workspace: str) -> None:
    config = LearningConfig(holdout_share=0.5)
    adopted = await rule(store, workspace, "Strip each field before int()", "python")
    held = []
    for i in range(30):
        task = await store.create_task(workspace, f"Parse numbers {i}", domain="python")
        if is_holdout(workspace, task.task_id, 0.5):
            held.append(task.task_id)
    assert held
    protocol = await get_protocol(
        ProtocolRequest(task_id=held[0]), store=store, workspace=workspace, config=config
    )
    assert protocol.holdout and protocol.version == 0 and protocol.rules == []
    assert "baseline" in protocol.markdown
    [observation] = await store.list_observations(workspace, task_id=held[0])
    assert (observation.rule_id, observation.arm) == (adopted, "holdout")


async def test_the_protocol_stays_within_its_token_budget_as_rules_accumulate(
    store: Store, workspace: str
) -> None:
    budgets = [150, 400, 1500]
    example = "\n".join(f"value_{i} = int(fields[{i}])" for i in range(12))
    for count in range(1, 61):
        await rule(
            store,
            workspace,
            f"Rule {count}: strip and validate field {count} before converting it, and say which field failed.",
            "python.io.parse",
            example_wrong=example,
            example_right=example.replace("int(", "int_or_none("),
        )
        if count % 15 == 0:
            for budget in budgets:
                protocol = await get_protocol(
                    ProtocolRequest(task=PARSE_TASK, max_tokens=budget), store=store, workspace=workspace
                )
                assert estimate_tokens(protocol.markdown) == protocol.tokens <= budget
                assert len(protocol.rules) + len(protocol.omitted) == count
                assert protocol.rules, "a budget of 150 tokens still fits one rule"
    big = await get_protocol(
        ProtocolRequest(task=PARSE_TASK, max_tokens=1500), store=store, workspace=workspace
    )
    assert big.omitted and any(r.example_wrong for r in big.rules)


async def test_proven_rules_come_first(store: Store, workspace: str) -> None:
    weak = await rule(store, workspace, "Weakly proven rule", "python")
    strong = await rule(store, workspace, "Strongly proven rule", "python")
    never = await rule(store, workspace, "Never measured rule", "python")
    for rule_id, e_value in ((weak, 40.0), (strong, 5000.0)):
        experiment = await store.add_experiment(
            workspace, NewExperiment(rule_id, f"rule:{rule_id}", 1, 0.5, 0.03, 0.05, 400)
        )
        await store.update_experiment_evidence(
            workspace, experiment.experiment_id, e_value=e_value, harm_e_value=1.0
        )
        await store.decide_experiment(
            workspace, experiment.experiment_id, status="adopted", decision="proven"
        )
    protocol = await get_protocol(ProtocolRequest(), store=store, workspace=workspace)
    assert [r.id for r in protocol.rules] == [strong, weak, never]
    assert protocol.rules[0].effectiveness is not None and protocol.rules[2].effectiveness is None


async def test_bad_requests_say_what_is_valid(store: Store, workspace: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape("Unknown task 't-404'. Call decompose")):
        await get_protocol(ProtocolRequest(task_id="t-404"), store=store, workspace=workspace)
    with pytest.raises(InvalidInput, match=re.escape("Unknown category 'python.io.pars'")):
        await get_protocol(ProtocolRequest(category="python.io.pars"), store=store, workspace=workspace)
