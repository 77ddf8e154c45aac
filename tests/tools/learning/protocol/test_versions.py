"""Delta operations, versions and rollback."""

from __future__ import annotations

import pytest

from store.base import Store
from tools.errors import InvalidInput
from tools.experiments.config import LearningConfig
from tools.protocol import (
    AddRuleRequest,
    DeprecateRuleRequest,
    EditRuleRequest,
    active,
    add_rule,
    deprecate_rule,
    edit_rule,
    protocol_history,
    restore_version,
    states_at,
)

from ..helpers import confirmed_pattern

pytestmark = pytest.mark.anyio
CONFIG = LearningConfig()


async def add(store: Store, workspace: str, text: str, scope: str = "python.io.parse", **kwargs) -> str:
    change = await add_rule(
        AddRuleRequest(text=text, scope=scope, **kwargs), store=store, workspace=workspace
    )
    return change.rules[0].id


async def test_rollback_restores_a_version_exactly_as_a_new_logged_version(
    store: Store, workspace: str
) -> None:
    pattern = await confirmed_pattern(store, workspace)
    first = await add(
        store,
        workspace,
        "Strip each field before int()",
        example_wrong="int(x)",
        example_right="int(x.strip())",
    )
    await add(store, workspace, "Split on the exact separator the spec names")
    version = await store.protocol_version(workspace)
    snapshot = await states_at(store, workspace, version)

    await edit_rule(
        EditRuleRequest(rule_id=first, text="Strip and validate each field before int()"),
        store=store,
        workspace=workspace,
    )
    await add(store, workspace, "Check len() before indexing", scope="python.edge_cases.boundaries")
    trial = await add(
        store, workspace, "Loop to len(xs) - 1 when reading xs[i + 1]", pattern_id=pattern.pattern_id
    )
    await deprecate_rule(
        DeprecateRuleRequest(rule_id=first, reason="superseded"), store=store, workspace=workspace
    )
    assert (await store.get_rule(workspace, trial)).status == "trial"

    restored = await restore_version(version, store=store, workspace=workspace)

    assert restored.version > version
    now = await states_at(store, workspace, restored.version)
    assert active(now) == active(snapshot)
    assert {k: now[k] for k in snapshot} == snapshot
    assert all(state.status == "retired" for k, state in now.items() if k not in snapshot)
    current = {r.rule_id: r.state for r in await store.list_rules(workspace)}
    assert current == now
    # The rule that was on trial is no longer measured.
    assert await store.list_experiments(workspace, statuses=["running"]) == []
    history = await protocol_history(store=store, workspace=workspace)
    assert history.current == restored.version
    assert {op.op for op in history.versions[0].ops} == {"restore"}


async def test_restoring_the_current_version_changes_nothing(store: Store, workspace: str) -> None:
    await add(store, workspace, "Strip each field before int()")
    version = await store.protocol_version(workspace)
    result = await restore_version(version, store=store, workspace=workspace)
    assert (result.version, result.rules) == (version, [])
    assert await store.protocol_version(workspace) == version


async def test_the_protocol_never_collapses_to_nothing(store: Store, workspace: str) -> None:
    only = await add(store, workspace, "Strip each field before int()")
    with pytest.raises(InvalidInput, match="never drops to zero adopted rules"):
        await deprecate_rule(
            DeprecateRuleRequest(rule_id=only, reason="try"), store=store, workspace=workspace
        )
    with pytest.raises(InvalidInput, match="Refused: restoring version 0"):
        await restore_version(0, store=store, workspace=workspace)
    assert (await store.get_rule(workspace, only)).status == "adopted"


async def test_an_edit_keeps_the_rule_id_and_logs_before_and_after(store: Store, workspace: str) -> None:
    rule_id = await add(store, workspace, "Strip each field before int()")
    change = await edit_rule(
        EditRuleRequest(rule_id=rule_id, example_right="int(x.strip())", note="add an example"),
        store=store,
        workspace=workspace,
    )
    assert change.rules[0].id == rule_id and change.rules[0].example_right == "int(x.strip())"
    [op] = [o for o in await store.protocol_ops(workspace) if o.version == change.version]
    assert op.op == "edit" and op.before is not None and op.before.example_right is None


async def test_editing_a_trial_rule_restarts_its_experiment(store: Store, workspace: str) -> None:
    pattern = await confirmed_pattern(store, workspace)
    rule_id = await add(
        store, workspace, "Loop to len(xs) - 1 when reading xs[i + 1]", pattern_id=pattern.pattern_id
    )
    [before] = await store.list_experiments(workspace, rule_id=rule_id)
    await edit_rule(
        EditRuleRequest(rule_id=rule_id, text="Stop the loop one early when reading xs[i + 1]"),
        store=store,
        workspace=workspace,
    )
    experiments = await store.list_experiments(workspace, rule_id=rule_id)
    assert [e.status for e in experiments] == ["stopped", "running"]
    assert experiments[0].experiment_id == before.experiment_id
    assert experiments[1].ordinal == 2  # the family spends its next alpha


@pytest.mark.parametrize(
    ("request_fields", "message"),
    [
        ({"text": "   ", "scope": "python"}, "non-empty"),
        ({"text": "x" * 600, "scope": "python"}, "at most 500 characters"),
        (
            {"text": "ok", "scope": "python.io.prase"},
            "Unknown category 'python.io.prase'. Closest: 'python.io.parse'",
        ),
        ({"text": "ok", "scope": "python", "pattern_id": "p-404"}, "Unknown pattern"),
    ],
)
async def test_bad_rules_are_refused_with_what_is_valid(
    store: Store, workspace: str, request_fields, message
) -> None:
    with pytest.raises(InvalidInput, match=message):
        await add_rule(AddRuleRequest(**request_fields), store=store, workspace=workspace)


async def test_unknown_rules_and_versions_are_refused(store: Store, workspace: str) -> None:
    with pytest.raises(InvalidInput, match="Unknown rule 'r-9'"):
        await deprecate_rule(
            DeprecateRuleRequest(rule_id="r-9", reason="x"), store=store, workspace=workspace
        )
    with pytest.raises(InvalidInput, match="between 0 and 0"):
        await restore_version(3, store=store, workspace=workspace)
