"""Contract: the learning loop's persistence (protocol versions, experiments, observations), on both backends."""

from __future__ import annotations

from dataclasses import replace

import anyio
import pytest

from store import Conflict, NotFound, PatternMerge, Store
from store.learning import (
    ArmCounts,
    Exposure,
    NewExperiment,
    NewRule,
    Outcome,
    ProtocolInvariantError,
    RuleChange,
    RuleState,
    TaxonomyCategoryRecord,
)

from .helpers import new_error

pytestmark = pytest.mark.anyio


def adopted(text: str = "Compare with None using `is`", scope: str = "python.edge_cases.none") -> RuleChange:
    return RuleChange("add", new=NewRule(text, scope, status="adopted", provenance={"source": "operator"}))


def experiment(rule_id: str, *, family: str = "workspace", ordinal: int = 1) -> NewExperiment:
    return NewExperiment(rule_id, family, ordinal, share=0.5, alpha=0.03, harm_alpha=0.05, sample_cap=400)


async def test_each_change_is_a_new_version_with_logged_before_and_after_states(store: Store) -> None:
    assert await store.protocol_version("ws") == 0
    first = await store.change_protocol("ws", [adopted()], note="seed")
    rule = first.rules[0]
    assert (first.version.version, rule.rule_id.startswith("r-"), rule.status) == (1, True, "adopted")
    assert rule.provenance == {"source": "operator"}

    edited = replace(rule.state, text="Compare with None using `is None`")
    second = await store.change_protocol(
        "ws", [RuleChange("edit", rule.rule_id, after=edited)], note="clarify"
    )

    assert second.version.version == 2 and second.rules[0].text == "Compare with None using `is None`"
    assert await store.protocol_version("ws") == 2
    ops = await store.protocol_ops("ws")
    assert [(o.version, o.seq, o.op) for o in ops] == [(1, 1, "add"), (2, 1, "edit")]
    assert ops[0].before is None and ops[0].after == rule.state
    assert ops[1].before == rule.state and ops[1].after == edited
    assert [o.version for o in await store.protocol_ops("ws", through_version=1)] == [1]
    assert [o.version for o in await store.protocol_ops("ws", after_version=1)] == [2]
    versions = await store.protocol_versions("ws")
    assert [(v.version, v.note, v.ops) for v in versions] == [(2, "clarify", 1), (1, "seed", 1)]


async def test_several_ops_in_one_change_share_one_version(store: Store) -> None:
    change = await store.change_protocol("ws", [adopted("a"), adopted("b"), adopted("c")], note="batch")
    assert change.version.ops == 3 and len(change.rules) == 3
    assert [(o.version, o.seq) for o in await store.protocol_ops("ws")] == [(1, 1), (1, 2), (1, 3)]


async def test_a_stale_expectation_or_base_version_is_a_conflict_and_changes_nothing(store: Store) -> None:
    rule = (await store.change_protocol("ws", [adopted()], note="seed")).rules[0]
    stale = replace(rule.state, text="something else")
    with pytest.raises(Conflict):
        await store.change_protocol(
            "ws",
            [RuleChange("edit", rule.rule_id, after=replace(rule.state, scope="python"), expect=stale)],
            note="x",
        )
    with pytest.raises(Conflict):
        await store.change_protocol("ws", [adopted("other")], note="x", base_version=0)
    assert await store.protocol_version("ws") == 1
    assert (await store.get_rule("ws", rule.rule_id)).state == rule.state


async def test_the_last_adopted_rule_cannot_be_deprecated(store: Store) -> None:
    rule = (await store.change_protocol("ws", [adopted()], note="seed")).rules[0]
    retire = RuleChange("deprecate", rule.rule_id, after=replace(rule.state, status="retired"))
    with pytest.raises(ProtocolInvariantError):
        await store.change_protocol("ws", [retire], note="drop")
    assert (await store.get_rule("ws", rule.rule_id)).status == "adopted"
    assert await store.protocol_version("ws") == 1

    other = (await store.change_protocol("ws", [adopted("another")], note="more")).rules[0]
    await store.change_protocol("ws", [retire], note="drop one of two")
    assert [r.rule_id for r in await store.list_rules("ws", statuses=["adopted"])] == [other.rule_id]


async def test_rules_filter_by_status_pattern_and_id_and_unknown_ids_are_not_found(store: Store) -> None:
    pattern_id = (await store.add_error("ws", new_error())).pattern_id
    trial = NewRule(
        "Check len() first", "python.edge_cases.boundaries", status="trial", pattern_id=pattern_id
    )
    change = await store.change_protocol("ws", [adopted(), RuleChange("add", new=trial)], note="two")
    a, t = change.rules
    assert t.pattern_id == pattern_id
    assert [r.rule_id for r in await store.list_rules("ws", statuses=["trial"])] == [t.rule_id]
    assert [r.rule_id for r in await store.list_rules("ws", pattern_id=pattern_id)] == [t.rule_id]
    assert [r.rule_id for r in await store.list_rules("ws", rule_ids=[a.rule_id])] == [a.rule_id]
    with pytest.raises(NotFound):
        await store.get_rule("ws", "r-999")
    with pytest.raises(NotFound):
        await store.get_rule("other", a.rule_id)
    with pytest.raises(NotFound):
        await store.change_protocol(
            "ws", [RuleChange("add", new=NewRule("x", "python", pattern_id="p-999"))], note="bad"
        )


async def test_the_same_rule_text_for_the_same_pattern_is_stored_once(store: Store) -> None:
    pattern_id = (await store.add_error("ws", new_error())).pattern_id
    new = RuleChange("add", new=NewRule("Check len() first", "python", pattern_id=pattern_id))
    await store.change_protocol("ws", [new], note="one")
    with pytest.raises(Conflict):
        await store.change_protocol("ws", [new], note="again")


async def test_votes_add_to_the_counters_atomically(store: Store) -> None:
    rule = (await store.change_protocol("ws", [adopted()], note="seed")).rules[0]
    async with anyio.create_task_group() as tg:
        for _ in range(10):
            tg.start_soon(store.vote_rules, "ws", {rule.rule_id: (1, 2)})
    stored = await store.get_rule("ws", rule.rule_id)
    assert (stored.helpful, stored.harmful) == (10, 20)


async def test_exposures_of_several_rules_are_recorded_together_and_all_or_nothing(store: Store) -> None:
    first, second = (
        await store.change_protocol(
            "ws", [adopted("Rule one", "python.a"), adopted("Rule two", "python.b")], note="seed"
        )
    ).rules
    task = await store.create_task("ws", "a task", domain="python")
    with pytest.raises(NotFound, match="r-999"):
        await store.record_exposures(
            "ws",
            task.task_id,
            [Exposure(first.rule_id, "treatment", None), Exposure("r-999", "control", None)],
        )
    # Nothing of the refused call was kept: the first rule's arm is still open.
    stored = await store.record_exposures(
        "ws",
        task.task_id,
        [
            Exposure(second.rule_id, "control", None),
            Exposure(first.rule_id, "treatment", None),
            Exposure(second.rule_id, "treatment", None),
        ],
    )
    assert stored == [Exposure(second.rule_id, "control", None), Exposure(first.rule_id, "treatment", None)]


async def test_an_experiment_counts_each_outcome_once_and_only_while_running(store: Store) -> None:
    rule = (await store.change_protocol("ws", [adopted()], note="seed")).rules[0]
    started = await store.add_experiment("ws", experiment(rule.rule_id))
    assert (started.status, started.treatment, started.e_value, started.p_value) == (
        "running",
        ArmCounts(),
        1.0,
        1.0,
    )
    tasks = [await store.create_task("ws", f"task {i}", domain="python") for i in range(3)]
    arms = ["treatment", "control", "holdout"]
    for task, arm in zip(tasks, arms, strict=True):
        stored = await store.record_exposures(
            "ws", task.task_id, [Exposure(rule.rule_id, arm, started.experiment_id)]
        )
        assert stored == [Exposure(rule.rule_id, arm, started.experiment_id)]
    # The first arm recorded wins.
    again = await store.record_exposures("ws", tasks[0].task_id, [Exposure(rule.rule_id, "control", None)])
    assert again == [Exposure(rule.rule_id, "treatment", started.experiment_id)]

    filled = await store.record_outcomes(
        "ws", tasks[0].task_id, [Outcome(rule.rule_id, recurred=True, succeeded=False)]
    )
    assert [(o.arm, o.recurred, o.succeeded) for o in filled] == [("treatment", True, False)]
    assert await store.record_outcomes("ws", tasks[0].task_id, [Outcome(rule.rule_id, False, True)]) == []
    await store.record_outcomes("ws", tasks[1].task_id, [Outcome(rule.rule_id, False, True)])
    await store.record_outcomes("ws", tasks[2].task_id, [Outcome(rule.rule_id, True, True)])

    current = await store.get_experiment("ws", started.experiment_id)
    assert current.treatment == ArmCounts(1, 1, 1)
    assert current.control == ArmCounts(1, 0, 0)
    assert current.holdout == ArmCounts(1, 1, 0)

    await store.update_experiment_evidence("ws", started.experiment_id, e_value=8.0, harm_e_value=0.5)
    await store.update_experiment_evidence("ws", started.experiment_id, e_value=2.0, harm_e_value=0.7)
    current = await store.get_experiment("ws", started.experiment_id)
    assert (current.e_value, current.e_max, current.harm_e_value, current.p_value) == (2.0, 8.0, 0.7, 0.125)

    assert await store.decide_experiment(
        "ws", started.experiment_id, status="adopted", decision="e >= 1/alpha"
    )
    assert not await store.decide_experiment("ws", started.experiment_id, status="retired", decision="late")
    later = await store.create_task("ws", "later", domain="python")
    await store.record_exposures(
        "ws", later.task_id, [Exposure(rule.rule_id, "control", started.experiment_id)]
    )
    await store.record_outcomes("ws", later.task_id, [Outcome(rule.rule_id, True, False)])
    decided = await store.get_experiment("ws", started.experiment_id)
    assert (decided.status, decided.decision, decided.control) == (
        "adopted",
        "e >= 1/alpha",
        ArmCounts(1, 0, 0),
    )
    assert decided.decided_at is not None
    observations = await store.list_observations("ws", rule_id=rule.rule_id, arm="control")
    assert [o.task_id for o in observations] == [tasks[1].task_id, later.task_id]


async def test_a_rule_has_one_running_experiment_and_ordinals_are_unique_per_family(store: Store) -> None:
    a, b = (await store.change_protocol("ws", [adopted("a"), adopted("b")], note="two")).rules
    first = await store.add_experiment("ws", experiment(a.rule_id, ordinal=1))
    with pytest.raises(Conflict):
        await store.add_experiment("ws", experiment(a.rule_id, ordinal=2))
    with pytest.raises(Conflict):
        await store.add_experiment("ws", experiment(b.rule_id, ordinal=1))
    await store.add_experiment("ws", experiment(b.rule_id, ordinal=1, family="rule:b"))
    await store.decide_experiment("ws", first.experiment_id, status="stopped", decision="edited")
    await store.add_experiment("ws", experiment(a.rule_id, ordinal=2))
    assert [e.ordinal for e in await store.list_experiments("ws", family="workspace")] == [1, 2]
    assert len(await store.list_experiments("ws", statuses=["running"])) == 2
    assert len(await store.list_experiments("ws", rule_id=a.rule_id)) == 2
    with pytest.raises(NotFound):
        await store.get_experiment("ws", "ex-999")


async def test_task_summaries_count_errors_except_reviews_and_list_their_patterns(store: Store) -> None:
    task = await store.create_task("ws", "parse numbers", domain="python")
    open_task = await store.create_task("ws", "still open", domain="python")
    index = await store.add_error("ws", new_error("v1:a", task_id=task.task_id))
    await store.add_error("ws", new_error("v1:a", task_id=task.task_id))
    await store.add_error("ws", new_error("v1:b", task_id=task.task_id, source="review"))
    await store.complete_task("ws", task.task_id, status="failed", tokens=300, cost_usd=0.02)

    [summary] = await store.task_error_summaries("ws")
    assert (summary.task_id, summary.status, summary.errors, summary.tokens) == (
        task.task_id,
        "failed",
        2,
        300,
    )
    assert summary.pattern_ids == (index.pattern_id,)
    assert {s.task_id for s in await store.task_error_summaries("ws", closed_only=False)} == {
        task.task_id,
        open_task.task_id,
    }


async def test_pattern_task_texts_follow_merges_and_can_leave_a_task_out(store: Store) -> None:
    first = await store.create_task("ws", "split a csv line", domain="python")
    second = await store.create_task("ws", "parse a date string", domain="python")
    a = await store.add_error("ws", new_error("v1:a", task_id=first.task_id))
    b = await store.add_error("ws", new_error("v1:b", task_id=second.task_id))
    await store.merge_patterns("ws", [PatternMerge(into=b.pattern_id, absorbed=[a.pattern_id])])

    texts = await store.pattern_task_texts("ws", [a.pattern_id, "p-999", "nonsense", b.pattern_id])
    assert sorted(texts[a.pattern_id]) == ["parse a date string", "split a csv line"]
    assert texts[b.pattern_id] == ["parse a date string", "split a csv line"]  # newest task first
    assert texts["p-999"] == texts["nonsense"] == []
    left_out = await store.pattern_task_texts("ws", [b.pattern_id], exclude_task_id=second.task_id)
    assert left_out[b.pattern_id] == ["split a csv line"]


async def test_taxonomy_categories_are_upserted_per_workspace(store: Store) -> None:
    category = TaxonomyCategoryRecord(
        "python.io.http", "Call the HTTP API", "Timeouts and status codes.", ("http",)
    )
    await store.put_taxonomy_category("ws", category)
    await store.put_taxonomy_category(
        "ws", replace(category, keywords=("http", "requests"), always=True, order=7)
    )
    [stored] = await store.taxonomy_categories("ws")
    assert (stored.keywords, stored.always, stored.order) == (("http", "requests"), True, 7)
    assert await store.taxonomy_categories("other") == []


async def test_learning_rows_of_one_workspace_are_invisible_to_another(store: Store) -> None:
    rule = (await store.change_protocol("ws", [adopted()], note="seed")).rules[0]
    await store.add_experiment("ws", experiment(rule.rule_id))
    assert await store.protocol_version("other") == 0
    assert await store.list_rules("other") == []
    assert await store.list_experiments("other") == []
    assert await store.protocol_ops("other") == []
    with pytest.raises(NotFound):
        await store.get_rule("other", rule.rule_id)


async def test_rule_text_round_trips_hostile_characters(store: Store) -> None:
    text = "Never \x00 use\ud800 `eval` — ünïcode ok"
    rule = (await store.change_protocol("ws", [adopted(text)], note="n\x00te")).rules[0]
    stored = await store.get_rule("ws", rule.rule_id)
    assert stored.text == "Never \ufffd use\ufffd `eval` — ünïcode ok"
    [op] = await store.protocol_ops("ws")
    assert op.after.text == stored.text


async def test_changes_without_operations_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="at least one change"):
        await store.change_protocol("ws", [], note="nothing")
    with pytest.raises(ValueError, match="retired"):
        await store.change_protocol(
            "ws", [RuleChange("deprecate", "r-1", after=RuleState("x", "python", "adopted"))], note="bad"
        )


async def test_concurrent_deprecations_cannot_remove_the_last_adopted_rule(store: Store) -> None:
    a, b = (await store.change_protocol("ws", [adopted("a"), adopted("b")], note="two")).rules
    results: list[str] = []

    async def retire(rule) -> None:
        try:
            await store.change_protocol(
                "ws",
                [RuleChange("deprecate", rule.rule_id, after=replace(rule.state, status="retired"))],
                note="drop",
            )
            results.append("retired")
        except ProtocolInvariantError:
            results.append("refused")

    async with anyio.create_task_group() as tg:
        tg.start_soon(retire, a)
        tg.start_soon(retire, b)
    assert sorted(results) == ["refused", "retired"]
    assert len(await store.list_rules("ws", statuses=["adopted"])) == 1
    assert [v.version for v in await store.protocol_versions("ws")] == [2, 1]


async def test_concurrent_completions_count_an_outcome_once(store: Store) -> None:
    rule = (await store.change_protocol("ws", [adopted()], note="seed")).rules[0]
    started = await store.add_experiment("ws", experiment(rule.rule_id))
    task = await store.create_task("ws", "task", domain="python")
    await store.record_exposures(
        "ws", task.task_id, [Exposure(rule.rule_id, "control", started.experiment_id)]
    )
    filled: list[int] = []

    async def record() -> None:
        filled.append(
            len(await store.record_outcomes("ws", task.task_id, [Outcome(rule.rule_id, True, False)]))
        )

    async with anyio.create_task_group() as tg:
        for _ in range(6):
            tg.start_soon(record)
    assert sorted(filled) == [0, 0, 0, 0, 0, 1]
    assert (await store.get_experiment("ws", started.experiment_id)).control == ArmCounts(1, 1, 1)
