"""The built-in suite checks itself: references pass, every mistake kind genuinely fails, rules are recognisable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tools.evaluation.executors.simulated import targeting
from tools.evaluation.protocols import PLACEBO_RULES, corrupt
from tools.evaluation.tasks import FAMILIES, all_kinds, families, task_spec
from tools.evaluation.tasks.generate import make_instance
from tools.evaluation.tasks.local import run_tests
from tools.evaluation.tasks.spec import render, slot_snippets

TASKS = [(family, spec) for family in FAMILIES for spec in family.tasks]
SEEDS = range(8)


def test_the_suite_has_at_least_forty_tasks_in_at_least_ten_families() -> None:
    assert len(FAMILIES) >= 10
    assert len(TASKS) >= 40
    assert len({spec.name for _, spec in TASKS}) == len(TASKS)
    assert sum(f.convention for f in FAMILIES) >= 3


@pytest.mark.parametrize(("family", "spec"), TASKS, ids=[f"{f.name}.{s.name}" for f, s in TASKS])
def test_reference_passes_and_every_mistake_kind_fails_its_hidden_tests(family, spec) -> None:
    assert spec.kinds, "a task needs at least one mistake kind"
    assert set(spec.kinds) <= set(family.kinds)
    for seed in SEEDS:
        instance = make_instance(family, spec, seed)
        assert run_tests(instance.program(instance.reference), instance.tests) == [], (spec.name, seed)
        for kind in spec.kinds:
            wrong = render(spec, instance.params, frozenset({kind}))
            assert wrong != instance.reference
            assert run_tests(instance.program(wrong), instance.tests), (
                f"{spec.name} seed {seed}: {kind} passes"
            )
        everything = render(spec, instance.params, frozenset(spec.kinds))
        assert run_tests(instance.program(everything), instance.tests)


@pytest.mark.parametrize(("family", "spec"), TASKS, ids=[f"{f.name}.{s.name}" for f, s in TASKS])
def test_instances_differ_in_their_inputs_but_repeat_for_a_seed(family, spec) -> None:
    tests = {make_instance(family, spec, seed).tests for seed in SEEDS}
    assert len(tests) >= 3
    assert make_instance(family, spec, 5).tests == make_instance(family, spec, 5).tests


def test_every_mistake_kind_of_a_family_occurs_in_some_task() -> None:
    for family in FAMILIES:
        used = {kind for spec in family.tasks for kind in spec.kinds}
        assert used == set(family.kinds), family.name


def test_each_kind_rule_targets_its_own_kind_only_and_corruption_makes_it_misleading() -> None:
    kinds = all_kinds()
    for name, kind in kinds.items():
        rule = f"- {kind.rule}"
        assert targeting(rule, kind) == "correct", name
        assert targeting(corrupt(rule), kind) == "misleading", name
        others = [other for other, k in kinds.items() if other != name and targeting(rule, k)]
        assert others == [], f"the rule for {name} also reads as a rule for {others}"


def test_placebo_rules_target_no_mistake_kind() -> None:
    markdown = "\n".join(f"- {rule}" for rule in PLACEBO_RULES)
    assert [name for name, kind in all_kinds().items() if targeting(markdown, kind)] == []


def test_convention_prompts_do_not_give_the_convention_away() -> None:
    for family in (f for f in FAMILIES if f.convention):
        for spec in family.tasks:
            prompt = make_instance(family, spec, 0).prompt
            for kind in family.kinds.values():
                assert not any(fix in prompt for fix in kind.fix if len(fix) > 3), (spec.name, kind.fix)


def test_slot_snippets_show_the_minimal_difference_of_a_mistake() -> None:
    _, spec = task_spec("builtin/house_errors.parse_port")
    wrong, right = slot_snippets(spec, {"max_port": 65535}, "builtin_exception")
    assert "ValueError" in wrong and "ValidationError('text', text)" in right


def test_unknown_families_and_tasks_are_named_in_the_error() -> None:
    with pytest.raises(ValueError, match="unknown task family"):
        families(["money", "nope"])
    with pytest.raises(KeyError):
        task_spec("builtin/money.nope")


def test_reference_solutions_are_clean_under_the_validators_lint_rules(tmp_path: Path) -> None:
    for family, spec in TASKS:
        instance = make_instance(family, spec, 1)
        (tmp_path / f"{family.name}__{spec.name}.py").write_text(instance.reference)
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--output-format", "json",
         "--select", "F,E4,E7,E9,B,PLE,PLW,ARG,RET503", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    findings = json.loads(done.stdout or "[]")
    assert [(Path(f["filename"]).name, f["code"], f["message"]) for f in findings] == []
