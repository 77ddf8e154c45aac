"""Task suites and how a run draws its learning and evaluation instances from them.

A suite spec on the command line is ``builtin``, ``builtin:family,family``, ``humaneval:PATH`` or
``mbpp:PATH``. Built-in instances are generated, so learning and evaluation use disjoint seeds of the
same tasks (new inputs, same conventions); fixed suites are shuffled once by the run seed and split
into disjoint learning and evaluation tasks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from .loaders import DatasetError, load_humaneval, load_mbpp
from .model import TaskInstance
from .tasks import families as select_families
from .tasks.generate import make_instance
from .tasks.spec import Family

SuiteKind = Literal["builtin", "humaneval", "mbpp"]


@dataclass(frozen=True, slots=True)
class SuiteSpec:
    kind: SuiteKind
    argument: str | None = None

    @property
    def label(self) -> str:
        return self.kind if self.argument is None else f"{self.kind}:{self.argument}"


def parse_suite(text: str) -> SuiteSpec:
    kind, sep, argument = text.partition(":")
    if kind == "builtin":
        return SuiteSpec("builtin", argument or None)
    if kind in ("humaneval", "mbpp"):
        if not sep or not argument:
            raise ValueError(f"--suite {kind} needs a file: '{kind}:path/to/file.jsonl' (got {text!r})")
        return SuiteSpec(kind, argument)  # type: ignore[arg-type]
    raise ValueError(f"--suite must be builtin[:families], humaneval:PATH or mbpp:PATH (got {text!r})")


@dataclass(frozen=True, slots=True)
class Split:
    learning: list[TaskInstance]
    evaluation: list[TaskInstance]


def builtin_instances(
    chosen: tuple[Family, ...], count: int, *, seed: int, stream: str
) -> list[TaskInstance]:
    """`count` instances dealt round-robin over families, then over each family's tasks.

    Instance seeds come from (run seed, stream, position), so the learning and evaluation streams never
    share an instance and the same run seed always yields the same instances.
    """
    out = []
    for position in range(count):
        family = chosen[position % len(chosen)]
        spec = family.tasks[(position // len(chosen)) % len(family.tasks)]
        instance_seed = random.Random(f"{seed}|{stream}|{position}").randrange(2**31)
        out.append(make_instance(family, spec, instance_seed))
    return out


def draw(spec: SuiteSpec, *, learning: int, evaluation: int | None, seed: int) -> Split:
    """The learning and evaluation instances of a run. `evaluation` None means all that remain (fixed suites)."""
    if learning < 0 or (evaluation is not None and evaluation < 0):
        raise ValueError("instance counts must be >= 0")
    if spec.kind == "builtin":
        chosen = select_families(spec.argument.split(",") if spec.argument else None)
        wanted = evaluation if evaluation is not None else 2 * sum(len(f.tasks) for f in chosen)
        return Split(
            builtin_instances(chosen, learning, seed=seed, stream="learning"),
            builtin_instances(chosen, wanted, seed=seed, stream="evaluation"),
        )
    assert spec.argument is not None
    loaded = load_humaneval(spec.argument) if spec.kind == "humaneval" else load_mbpp(spec.argument)
    if not loaded:
        raise DatasetError(f"{spec.argument!r} holds no problems")
    order = list(loaded)
    random.Random(f"{seed}|{spec.kind}").shuffle(order)
    learn = order[:learning]
    rest = order[learning:]
    return Split(learn, rest if evaluation is None else rest[:evaluation])
