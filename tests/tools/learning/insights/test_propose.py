"""propose_insight and the automatic built-in insight."""

from __future__ import annotations

import re

import pytest

from store.base import Store
from tools.errors import InvalidInput
from tools.experiments.config import LearningConfig
from tools.insights import ProposeInsightRequest, maybe_auto_insight, propose_insight

from ..helpers import INDEX_CODE, confirmed_pattern, error, task

pytestmark = pytest.mark.anyio
RULE = "When reading xs[i + 1], loop to len(xs) - 1."


async def test_a_proposal_stores_the_insight_and_puts_its_rule_on_trial(store: Store, workspace: str) -> None:
    pattern = await confirmed_pattern(store, workspace)
    proposed = await propose_insight(
        ProposeInsightRequest(
            pattern_id=pattern.pattern_id, rule=RULE, example_right="for i in range(len(xs) - 1): ..."
        ),
        store=store,
        workspace=workspace,
    )
    insight = await store.insight_for(workspace, pattern.pattern_id)
    assert insight is not None and insight.insight_id == proposed.insight_id and insight.source == "client"
    # Without a wrong example of its own, the rule carries the real code of one of the pattern's errors.
    assert proposed.rule.example_wrong == INDEX_CODE.rstrip()
    assert proposed.rule.status == "trial" and proposed.rule.scope == "python.edge_cases.boundaries"
    assert proposed.experiment is not None and proposed.experiment.rule_id == proposed.rule.id
    assert proposed.experiment.alpha == pytest.approx(0.05 * 6 / 3.14159265**2, rel=1e-6)
    rule = await store.get_rule(workspace, proposed.rule.id)
    assert rule.provenance["error_ids"] == [e.error_id for e in pattern.examples]
    assert rule.provenance["wrong_example_error_id"] == pattern.examples[0].error_id
    assert "on trial" in proposed.message


async def test_a_second_rule_for_the_same_pattern_spends_the_next_alpha(store: Store, workspace: str) -> None:
    pattern = await confirmed_pattern(store, workspace)
    first = await propose_insight(
        ProposeInsightRequest(pattern_id=pattern.pattern_id, rule=RULE), store=store, workspace=workspace
    )
    second = await propose_insight(
        ProposeInsightRequest(pattern_id=pattern.pattern_id, rule="Use zip(xs, xs[1:]) for neighbours."),
        store=store,
        workspace=workspace,
    )
    assert first.experiment is not None and second.experiment is not None
    assert second.experiment.alpha == pytest.approx(first.experiment.alpha / 4)


async def test_proposals_wait_as_candidates_when_every_trial_slot_is_taken(
    store: Store, workspace: str
) -> None:
    config = LearningConfig(max_trials=1)
    pattern = await confirmed_pattern(store, workspace)
    await propose_insight(
        ProposeInsightRequest(pattern_id=pattern.pattern_id, rule=RULE),
        store=store,
        workspace=workspace,
        config=config,
    )
    waiting = await propose_insight(
        ProposeInsightRequest(pattern_id=pattern.pattern_id, rule="Use zip(xs, xs[1:]) for neighbours."),
        store=store,
        workspace=workspace,
        config=config,
    )
    assert waiting.rule.status == "candidate" and waiting.experiment is None
    assert "candidate" in waiting.message


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rule": "  "}, "non-empty"),
        ({"rule": "x" * 501}, "at most 500 characters"),
        ({"rule": RULE, "scope": "python.edge"}, "Unknown category 'python.edge'"),
        ({"rule": RULE, "example_wrong": "x" * 1501}, "'example_wrong' must be at most 1500"),
    ],
)
async def test_bad_proposals_are_refused_with_what_is_valid(
    store: Store, workspace: str, fields, message
) -> None:
    pattern = await confirmed_pattern(store, workspace)
    with pytest.raises(InvalidInput, match=re.escape(message)):
        await propose_insight(
            ProposeInsightRequest(pattern_id=pattern.pattern_id, **fields), store=store, workspace=workspace
        )


async def test_unknown_and_unconfirmed_patterns_are_refused(store: Store, workspace: str) -> None:
    pattern = await confirmed_pattern(store, workspace)
    with pytest.raises(InvalidInput, match=re.escape(f"Unknown pattern 'p-{pattern.pattern_id[2:]}0'")):
        await propose_insight(
            ProposeInsightRequest(pattern_id=pattern.pattern_id + "0", rule=RULE),
            store=store,
            workspace=workspace,
        )
    t = await task(store, workspace)
    once = await store.add_error(
        workspace, error("v1:once", task_id=t.task_id, category="runtime.key", error_type="KeyError")
    )
    with pytest.raises(InvalidInput, match="still emerging"):
        await propose_insight(
            ProposeInsightRequest(pattern_id=once.pattern_id, rule=RULE), store=store, workspace=workspace
        )


async def test_the_same_rule_twice_is_refused(store: Store, workspace: str) -> None:
    pattern = await confirmed_pattern(store, workspace)
    await propose_insight(
        ProposeInsightRequest(pattern_id=pattern.pattern_id, rule=RULE), store=store, workspace=workspace
    )
    with pytest.raises(InvalidInput, match="already proposed"):
        await propose_insight(
            ProposeInsightRequest(pattern_id=pattern.pattern_id, rule=RULE.upper()),
            store=store,
            workspace=workspace,
        )


async def test_a_confirmed_well_known_pattern_gets_a_builtin_insight_once(
    store: Store, workspace: str
) -> None:
    pattern = await confirmed_pattern(store, workspace)
    proposed = await maybe_auto_insight(pattern.pattern_id, store=store, workspace=workspace)
    assert proposed is not None
    assert proposed.rule.text.startswith("Check both ends of every index")
    assert proposed.rule.example_wrong == INDEX_CODE.rstrip()  # the real mistake
    assert "range(len(xs) - 1)" in (proposed.rule.example_right or "")  # the library's fix
    assert (await store.insight_for(workspace, pattern.pattern_id)).source == "builtin"
    assert await maybe_auto_insight(pattern.pattern_id, store=store, workspace=workspace) is None


async def test_no_builtin_insight_for_unknown_or_unconfirmed_patterns(store: Store, workspace: str) -> None:
    unknown = await confirmed_pattern(
        store,
        workspace,
        "v1:assert",
        category="logic.assertion",
        error_type="AssertionError",
        message="assert f(2) == 4",
    )
    assert await maybe_auto_insight(unknown.pattern_id, store=store, workspace=workspace) is None
    t = await task(store, workspace)
    once = await store.add_error(
        workspace, error("v1:once", task_id=t.task_id, category="runtime.key", error_type="KeyError")
    )
    assert await maybe_auto_insight(once.pattern_id, store=store, workspace=workspace) is None
    assert await maybe_auto_insight("p-999", store=store, workspace=workspace) is None


async def test_concurrent_proposals_never_exceed_the_rules_per_pattern_cap(
    store: Store, workspace: str
) -> None:
    import anyio

    from tools.errors import InvalidInput

    pattern = await confirmed_pattern(store, workspace)
    outcomes: list[str] = []

    async def propose(n: int) -> None:
        request = ProposeInsightRequest(
            pattern_id=pattern.pattern_id, rule=f"Rule number {n}: check neighbour {n * 7} before indexing."
        )
        try:
            await propose_insight(request, store=store, workspace=workspace)
            outcomes.append("added")
        except InvalidInput:
            outcomes.append("refused")

    async with anyio.create_task_group() as group:
        for n in range(8):
            group.start_soon(propose, n)
    live = [
        r for r in await store.list_rules(workspace, pattern_id=pattern.pattern_id) if r.status != "retired"
    ]
    assert len(live) == 3
    assert outcomes.count("added") == 3 and outcomes.count("refused") == 5
