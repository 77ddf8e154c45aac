from collections import Counter

import pytest

from tools.experiments.arms import assign_arm, is_holdout, unit_hash


def test_a_task_always_gets_the_same_arm_for_a_rule():
    arms = {assign_arm("ws", "t-7", "r-3", treatment_share=0.5, holdout_share=0.1) for _ in range(5)}
    assert len(arms) == 1


def test_arms_follow_the_configured_shares():
    counts = Counter(
        assign_arm("ws", f"t-{i}", "r-1", treatment_share=0.3, holdout_share=0.1) for i in range(20_000)
    )
    assert counts["holdout"] / 20_000 == pytest.approx(0.1, abs=0.01)
    # Among tasks outside the hold-out, 30% see the rule.
    assert counts["treatment"] / (counts["treatment"] + counts["control"]) == pytest.approx(0.3, abs=0.015)


def test_arms_of_different_rules_are_independent():
    pairs = Counter(
        (
            assign_arm("ws", f"t-{i}", "r-1", treatment_share=0.5, holdout_share=0.0),
            assign_arm("ws", f"t-{i}", "r-2", treatment_share=0.5, holdout_share=0.0),
        )
        for i in range(20_000)
    )
    for pair in [("treatment", "treatment"), ("treatment", "control"), ("control", "treatment")]:
        assert pairs[pair] / 20_000 == pytest.approx(0.25, abs=0.015)


def test_the_hold_out_depends_on_the_task_only_and_differs_between_workspaces():
    task_ids = [f"t-{i}" for i in range(2_000)]
    held = [t for t in task_ids if is_holdout("ws", t, 0.1)]
    for rule in ("r-1", "r-9"):
        assert all(
            assign_arm("ws", t, rule, treatment_share=0.5, holdout_share=0.1) == "holdout" for t in held
        )
    assert held != [t for t in task_ids if is_holdout("other", t, 0.1)]
    assert not any(is_holdout("ws", t, 0.0) for t in task_ids)


def test_unit_hash_is_in_the_unit_interval_and_salted_by_every_part():
    values = {unit_hash("a", "b"), unit_hash("ab"), unit_hash("a", "b", "")}
    assert len(values) == 3
    assert all(0.0 <= v < 1.0 for v in values)
