from __future__ import annotations

import pytest

from tools.evaluation.executors.simulated import (
    DISCLAIMER,
    SimConfig,
    SimulatedAgent,
    SimulatedExecutor,
    SimulatedReflector,
    targeting,
)
from tools.evaluation.model import AttemptContext, ExecutorError, ValidatedExample
from tools.evaluation.protocols import corrupt
from tools.evaluation.suites import builtin_instances
from tools.evaluation.tasks import families, task_spec
from tools.evaluation.tasks.local import run_tests
from tools.evaluation.tasks.spec import render

pytestmark = pytest.mark.anyio

MONEY = families(["money"])
INSTANCES = builtin_instances(MONEY, 40, seed=0, stream="evaluation")
RULES = "## Protocol\n\n" + "\n".join(f"- {k.rule}" for k in MONEY[0].kinds.values())


def first_attempt_error_rate(config: SimConfig, markdown: str) -> float:
    agent = SimulatedAgent(config)
    made = [agent.mistakes(i, markdown, arm="learned", phase="evaluation", attempt=1) for i in INSTANCES]
    return sum(bool(m) for m in made) / len(made)


def test_mistakes_are_a_pure_function_of_seed_instance_arm_and_attempt() -> None:
    agent = SimulatedAgent(SimConfig(base_rate=0.5, seed=7))
    instance = INSTANCES[0]
    first = [agent.mistakes(instance, "", arm="none", phase="evaluation", attempt=a) for a in (1, 2, 3)]
    again = [agent.mistakes(instance, "", arm="none", phase="evaluation", attempt=a) for a in (1, 2, 3)]
    assert first == again
    assert first[1] <= first[0] and first[2] <= first[1]  # retries only ever fix mistakes


def test_arms_draw_independently_but_share_the_instance_difficulty() -> None:
    agent = SimulatedAgent(SimConfig(base_rate=0.5))
    outcomes = {arm: [bool(agent.mistakes(i, "", arm=arm, phase="evaluation", attempt=1)) for i in INSTANCES]
                for arm in ("none", "placebo")}  # fmt: skip
    assert outcomes["none"] != outcomes["placebo"]
    assert agent.hardness(INSTANCES[0].instance_id) == agent.hardness(INSTANCES[0].instance_id)


def test_a_helpful_effect_lowers_and_a_harmful_one_raises_the_error_rate_only_with_a_targeting_rule() -> None:
    base = first_attempt_error_rate(SimConfig(base_rate=0.4), "")
    assert first_attempt_error_rate(SimConfig(base_rate=0.4, effect=0.1), RULES) < base / 2
    assert first_attempt_error_rate(SimConfig(base_rate=0.4, effect=2.0), RULES) > base
    assert first_attempt_error_rate(SimConfig(base_rate=0.4, effect=0.1), "- Write docstrings.") == base


def test_a_corrupted_rule_applies_the_misleading_effect() -> None:
    helpful_but_corrupted = SimConfig(base_rate=0.4, effect=0.1, misleading_effect=2.0)
    assert targeting(corrupt(RULES), MONEY[0].kinds["half_up"]) == "misleading"
    assert first_attempt_error_rate(helpful_but_corrupted, corrupt(RULES)) > first_attempt_error_rate(
        SimConfig(base_rate=0.4), ""
    )


def test_per_family_rates_override_the_base_rate() -> None:
    assert first_attempt_error_rate(SimConfig(base_rate=0.9, rates={"money": 0.0}), "") == 0.0


def test_bad_configuration_is_refused_with_the_field_name() -> None:
    with pytest.raises(ValueError, match="'fix_rate'"):
        SimConfig(fix_rate=1.5)
    with pytest.raises(ValueError, match="'effect'"):
        SimConfig(effect=-1)


async def test_executor_writes_the_template_with_its_mistakes_and_estimates_cost() -> None:
    executor = SimulatedExecutor(SimConfig(base_rate=1.0, hardness_sd=0.0))
    instance = INSTANCES[0]
    attempt = await executor.solve(instance.prompt, "", None, context=AttemptContext(instance, "none", 1))
    assert attempt.estimated and attempt.tokens_in > 0 and attempt.cost_usd > 0
    assert run_tests(instance.program(attempt.code), instance.tests)  # every mistake made: it must fail
    assert "simulated" in executor.description.lower() and "not evidence" in DISCLAIMER


async def test_executor_refuses_tasks_it_has_no_template_for() -> None:
    executor = SimulatedExecutor(SimConfig())
    with pytest.raises(ExecutorError, match="built-in suite"):
        await executor.solve("Write f", "", None)


async def test_reflector_recognises_the_mistake_in_real_wrong_code_and_writes_its_rule() -> None:
    instance = INSTANCES[0]
    _, spec = task_spec(instance.task_id)
    wrong = render(spec, instance.params, frozenset({"half_up"}))
    example = ValidatedExample(instance.instance_id, wrong, instance.reference, "AssertionError")
    draft = await SimulatedReflector(INSTANCES).write_insight({"id": "p-1"}, [example])
    assert draft is not None and draft.rule == MONEY[0].kinds["half_up"].rule
    assert "//" in draft.example_wrong and "round_half_even" in draft.example_right


async def test_reflector_ignores_code_it_did_not_write() -> None:
    example = ValidatedExample(INSTANCES[0].instance_id, "def f():\n    pass\n", None, "boom")
    assert await SimulatedReflector(INSTANCES).write_insight({"id": "p-1"}, [example]) is None


async def test_reflector_addresses_the_most_frequent_mistakes_when_a_pattern_lumps_several_families() -> None:
    text_instances = builtin_instances(families(["text"]), 4, seed=0, stream="evaluation")
    examples = []
    for instance, kind in [
        (INSTANCES[0], "half_up"),
        (text_instances[1], "unstripped"),
        (text_instances[2], "unstripped"),
    ]:
        _, spec = task_spec(instance.task_id)
        examples.append(
            ValidatedExample(
                instance.instance_id, render(spec, instance.params, frozenset({kind})), None, "x"
            )
        )
    draft = await SimulatedReflector(INSTANCES + text_instances).write_insight({"id": "p-3"}, examples)
    unstripped, half_up = families(["text"])[0].kinds["unstripped"].rule, MONEY[0].kinds["half_up"].rule
    assert (
        draft is not None and draft.rule.startswith(unstripped) and half_up in draft.rule
    )  # most frequent first
