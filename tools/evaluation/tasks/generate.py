"""Turn a task spec and a seed into a task instance with its hidden tests."""

from __future__ import annotations

import ast
import copy
import random
from collections.abc import Sequence
from typing import Any

from ..model import TaskInstance
from .housekit import preamble
from .local import installed_module, outcome
from .spec import Case, Family, TaskSpec, fill_params, render

TEST_HEADER = '''\
"""Hidden tests for {task}: each test calls {entry} with inputs of this instance."""

from solution import {entry}


def _raised(call):
    try:
        call()
    except Exception as exc:
        return f"{{type(exc).__module__}}.{{type(exc).__qualname__}}: {{exc}}"
    return "no exception"
'''


def _literal(value: Any, what: str) -> str:
    text = repr(value)
    try:
        same = ast.literal_eval(text) == value
    except (ValueError, SyntaxError):
        same = False
    if not same:
        raise ValueError(f"{what} {text} does not round-trip as a Python literal")
    return text


def _expected(value: Any) -> tuple[str, str]:
    """How to wrap the call and the literal it is compared with (floats compared after rounding)."""
    if isinstance(value, float):
        return "round({call}, 9)", _literal(round(value, 9), "expected value")
    return "{call}", _literal(value, "expected value")


def _test_function(spec: TaskSpec, fn: Any, index: int, case: Case) -> str:
    entry = spec.entry_point
    args_text = ", ".join(_literal(a, "argument") for a in case.args)
    call = f"{entry}({args_text})"
    name = f"test_{spec.name}_{index}"
    if case.style == "value":
        kind, result = outcome(lambda: fn(*copy.deepcopy(case.args)))
        if kind == "raised":
            return f"def {name}():\n    assert _raised(lambda: {call}) == {result!r}\n"
        wrap, literal = _expected(result)
        return f"def {name}():\n    assert {wrap.format(call=call)} == {literal}\n"
    if case.style == "unchanged":
        kind, result = outcome(lambda: fn(*copy.deepcopy(case.args)))
        if kind == "raised":
            raise ValueError(f"{spec.name}: an 'unchanged' case must return, the reference raised {result}")
        args_tuple = _literal(tuple(case.args), "arguments")
        wrap, literal = _expected(result)
        return (
            f"def {name}():\n    args = {args_tuple}\n"
            f"    assert {wrap.format(call=f'{entry}(*args)')} == {literal}\n"
            f"    assert args == {args_tuple}, 'the arguments were modified'\n"
        )
    # "twice": the second call must not see state left by the first
    fn(*copy.deepcopy(case.args))
    kind, result = outcome(lambda: fn(*copy.deepcopy(case.args)))
    if kind == "raised":
        raise ValueError(f"{spec.name}: a 'twice' case must return, the reference raised {result}")
    wrap, literal = _expected(result)
    return f"def {name}():\n    {call}\n    assert {wrap.format(call=call)} == {literal}\n"


def hidden_tests(spec: TaskSpec, program: str, cases: Sequence[Case]) -> str:
    """A tests module whose expected values are what `program` (the reference) actually does."""
    with installed_module("solution", program) as module:
        fn = getattr(module, spec.entry_point)
        bodies = [_test_function(spec, fn, i, case) for i, case in enumerate(cases, start=1)]
    header = TEST_HEADER.format(task=spec.name, entry=spec.entry_point)
    return header + "\n\n" + "\n\n".join(bodies)


def make_instance(family: Family, spec: TaskSpec, seed: int) -> TaskInstance:
    """The instance of `spec` for `seed`: same seed, same inputs, same tests."""
    rng = random.Random(f"{family.name}.{spec.name}#{seed}")
    params = spec.params(rng)
    cases = list(spec.cases(rng, params))
    code_preamble = preamble(family.preamble_modules)
    reference = render(spec, params)
    tests = hidden_tests(spec, f"{code_preamble}\n{reference}", cases)
    prompt = fill_params(spec.prompt, params).strip()
    if family.intro:
        prompt = f"{family.intro.strip()}\n\n{prompt}"
    task_id = f"builtin/{family.name}.{spec.name}"
    return TaskInstance(
        instance_id=f"{task_id}#{seed}",
        task_id=task_id,
        family=family.name,
        prompt=prompt,
        tests=tests,
        entry_point=spec.entry_point,
        preamble=code_preamble,
        reference=reference,
        params=params,
        seed=seed,
    )
