"""Property: after any sequence of delta operations, restoring any version recreates it exactly."""

from __future__ import annotations

import anyio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import open_store
from tools.errors import InvalidInput
from tools.protocol import (
    AddRuleRequest,
    DeprecateRuleRequest,
    EditRuleRequest,
    active,
    add_rule,
    deprecate_rule,
    edit_rule,
    restore_version,
    states_at,
)

SCOPES = ["python", "python.io.parse", "python.edge_cases", "python.tests.write"]
operations = st.lists(
    st.tuples(st.sampled_from(["add", "edit", "deprecate"]), st.integers(0, 20), st.sampled_from(SCOPES)),
    min_size=1,
    max_size=12,
)


async def scenario(ops: list[tuple[str, int, str]], target_seed: int) -> None:
    store = await open_store("sqlite:///:memory:")
    try:
        rule_ids: list[str] = []
        for n, (op, pick, scope) in enumerate(ops):
            try:
                if op == "add" or not rule_ids:
                    change = await add_rule(
                        AddRuleRequest(text=f"rule {n}", scope=scope), store=store, workspace="ws"
                    )
                    rule_ids.append(change.rules[0].id)
                elif op == "edit":
                    rule_id = rule_ids[pick % len(rule_ids)]
                    await edit_rule(
                        EditRuleRequest(rule_id=rule_id, text=f"edited {n}", scope=scope),
                        store=store,
                        workspace="ws",
                    )
                else:
                    rule_id = rule_ids[pick % len(rule_ids)]
                    await deprecate_rule(
                        DeprecateRuleRequest(rule_id=rule_id, reason="x"), store=store, workspace="ws"
                    )
            except InvalidInput:
                pass  # retired rules cannot be edited; the last adopted rule cannot be deprecated
        current = await store.protocol_version("ws")
        target = 1 + target_seed % current
        expected = await states_at(store, "ws", target)
        adopted_now = [r for r in await store.list_rules("ws") if r.status == "adopted"]
        try:
            result = await restore_version(target, store=store, workspace="ws")
        except InvalidInput:
            # Only refused when it would leave no adopted rule where there is one now.
            assert adopted_now and not [s for s in expected.values() if s.status == "adopted"]
            assert await store.protocol_version("ws") == current
            return
        restored = await states_at(store, "ws", result.version)
        assert active(restored) == active(expected)
        assert {k: restored[k] for k in expected} == expected
        assert {r.rule_id: r.state for r in await store.list_rules("ws")} == restored
    finally:
        await store.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations, st.integers(0, 1000))
def test_any_version_can_be_restored_exactly(ops, target_seed):
    anyio.run(scenario, ops, target_seed)
