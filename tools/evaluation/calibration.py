"""Calibrating the decision machinery on simulated outcomes, without a server.

The simulated agent's outcomes are what validation would report (each mistake kind is a genuine
test failure; the suite's self-check proves it), so its first-attempt mistakes can stand in for
full runs when the question is about the statistics: how often does the gate adopt a rule, or call
the learned protocol better, when the rules do nothing (false adoptions), and how often when they
help (power)?
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .analysis import AnalysisSettings, rule_gates
from .executors.simulated import SimConfig, SimulatedAgent
from .model import TaskInstance
from .runs import AttemptRecord, TaskRun
from .stats import gate, paired_table
from .tasks.spec import Family


def full_protocol(families: Sequence[Family]) -> tuple[str, dict[str, str]]:
    """The protocol a perfect learner would end with: every kind's rule, and rule id -> targeted kind."""
    rules = [(f"{f.name}/{name}", kind.rule) for f in families for name, kind in f.kinds.items()]
    markdown = "## Protocol\n\n" + "\n".join(f"- {rule}" for _, rule in rules) + "\n"
    return markdown, {f"r-{i}": target for i, (target, _) in enumerate(rules, start=1)}


def simulated_runs(agent: SimulatedAgent, instances: Sequence[TaskInstance], markdown: str) -> list[TaskRun]:
    """First-attempt outcomes of the none and learned arms, as evaluation-phase task runs.

    A run's patterns are the ``family/kind`` names of the mistakes made, so a rule targeting a kind can
    be checked against whether that kind recurred.
    """
    runs = []
    for instance in instances:
        for arm, text in (("none", ""), ("learned", markdown)):
            made = agent.mistakes(instance, text, arm=arm, phase="evaluation", attempt=1)
            run = TaskRun(order=len(runs) + 1, phase="evaluation", instance_id=instance.instance_id,
                          task_id=instance.task_id, family=instance.family, arm=arm)  # fmt: skip
            run.attempts.append(
                AttemptRecord(
                    1, not made, 0, 0, 0.0, 0.0, pattern_ids=[f"{instance.family}/{k}" for k in sorted(made)]
                )
            )
            runs.append(run)
    return runs


@dataclass(frozen=True, slots=True)
class Calibration:
    seeds: int
    protocol_called_better: int
    """Seeds in which the learned protocol passed the primary gate (learned vs none)."""
    any_rule_adopted: int
    """Seeds in which at least one rule passed its (alpha-spending) gate."""

    def rate(self, count: int) -> float:
        return count / self.seeds


def calibrate(
    config: SimConfig,
    instances: Sequence[TaskInstance],
    families: Sequence[Family],
    *,
    seeds: Sequence[int],
    alpha: float = 0.05,
) -> Calibration:
    markdown, rule_patterns = full_protocol(families)
    better = adopted = 0
    settings = AnalysisSettings(alpha=alpha)
    for seed in seeds:
        runs = simulated_runs(SimulatedAgent(replace(config, seed=seed)), instances, markdown)
        by_instance: dict[str, dict[str, bool]] = {}
        for run in runs:
            by_instance.setdefault(run.instance_id, {})[run.arm] = run.error
        table = paired_table((arms["none"], arms["learned"]) for arms in by_instance.values())
        better += gate(table, alpha).passed
        adopted += any(g["adopted"] for g in rule_gates(runs, rule_patterns, settings))
    return Calibration(seeds=len(seeds), protocol_called_better=better, any_rule_adopted=adopted)
