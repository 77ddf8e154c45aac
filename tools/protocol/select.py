"""Which rules a task sees: relevance (taxonomy scope, text similarity), arms, and hold-out.

Relevance is decided before arms and never depends on them, so the comparison between arms stays
fair: a rule relevant to a task is recorded as an exposure (treatment, control or hold-out) the
first time it is relevant, whatever the task is then shown.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from store.learning import Arm, ExperimentRecord, Exposure, LearningStore, RuleRecord, RuleState
from tools.concurrently import concurrently
from tools.experiments.arms import assign_arm, is_holdout
from tools.experiments.config import LearningConfig
from tools.taxonomy import within

from .similarity import max_similarity
from .versions import states_at


@dataclass(frozen=True)
class Candidate:
    rule_id: str
    state: RuleState
    record: RuleRecord | None
    relevance: float
    arm: Arm | None = None
    experiment: ExperimentRecord | None = None
    """The experiment that measures the rule: running for a trial, the deciding one for an adopted rule."""

    @property
    def proven(self) -> float:
        """log of the strongest evidence the rule reduces its pattern (0 when never measured)."""
        if self.experiment is None:
            return 0.0
        return math.log(max(self.experiment.e_max, 1.0))


@dataclass(frozen=True)
class Selection:
    version: int
    holdout: bool
    shown: list[Candidate]
    arms: dict[str, Arm] = field(default_factory=dict)


@dataclass(frozen=True)
class Scope:
    """What a request is about: categories of its steps and/or a text, or one explicit category."""

    categories: Sequence[str] = ()
    text: str | None = None
    category: str | None = None
    task_id: str | None = None

    @property
    def everything(self) -> bool:
        return not self.categories and not self.text and not self.category


def _scope_match(rule_scope: str, scope: Scope) -> bool:
    if scope.category is not None and (
        within(scope.category, rule_scope) or within(rule_scope, scope.category)
    ):
        return True
    return any(within(category, rule_scope) for category in scope.categories)


async def _relevance(
    store: LearningStore,
    workspace: str,
    rules: Sequence[tuple[str, RuleState, str | None]],
    scope: Scope,
    config: LearningConfig,
) -> dict[str, float]:
    if scope.everything:
        return {rule_id: 1.0 for rule_id, _, _ in rules}
    scores = {rule_id: 1.0 if _scope_match(state.scope, scope) else 0.0 for rule_id, state, _ in rules}
    if scope.text:
        patterns = [p for rule_id, _, p in rules if p and scores[rule_id] < 1.0]
        if patterns:
            texts = await store.pattern_task_texts(workspace, patterns, exclude_task_id=scope.task_id)
            similar = max_similarity(scope.text, texts)
            for rule_id, _, pattern in rules:
                if (
                    pattern
                    and scores[rule_id] < 1.0
                    and similar.get(pattern, 0.0) >= config.similarity_threshold
                ):
                    scores[rule_id] = round(similar[pattern], 3)
    return {rule_id: score for rule_id, score in scores.items() if score > 0.0}


def _measuring(experiments: Sequence[ExperimentRecord]) -> dict[str, ExperimentRecord]:
    """Per rule: its running experiment, else its latest decided one."""
    by_rule: dict[str, ExperimentRecord] = {}
    for experiment in experiments:  # id order: later ones win, except that running always wins
        current = by_rule.get(experiment.rule_id)
        if current is None or current.status != "running":
            by_rule[experiment.rule_id] = experiment
    return by_rule


async def _record_arms(
    store: LearningStore,
    workspace: str,
    task_id: str,
    rules: Sequence[RuleRecord],
    experiments: dict[str, ExperimentRecord],
    *,
    holdout: bool,
    config: LearningConfig,
) -> dict[str, Arm]:
    """Each relevant rule's arm for the task, recorded as an exposure (the first recorded arm wins)."""
    exposures = []
    for rule in rules:
        experiment = experiments.get(rule.rule_id)
        running = (
            experiment.experiment_id if experiment is not None and experiment.status == "running" else None
        )
        if holdout:
            arm: Arm = "holdout"
        elif rule.status == "trial":
            arm = assign_arm(
                workspace, task_id, rule.rule_id, treatment_share=config.treatment_share, holdout_share=0.0
            )
        else:
            arm = "treatment"  # an adopted rule is shown to every task outside the hold-out
        exposures.append(Exposure(rule.rule_id, arm, running))
    return {e.rule_id: e.arm for e in await store.record_exposures(workspace, task_id, exposures)}


async def _baseline(
    store: LearningStore,
    workspace: str,
    scope: Scope,
    experiments: dict[str, ExperimentRecord],
    config: LearningConfig,
) -> list[Candidate]:
    """The relevant rules of the baseline protocol (adopted at `holdout_version`), as they were then."""
    states = await states_at(store, workspace, config.holdout_version)
    baseline = {rule_id: s for rule_id, s in states.items() if s.status == "adopted"}
    if not baseline:
        return []
    records = {r.rule_id: r for r in await store.list_rules(workspace, rule_ids=list(baseline))}
    rules = [(k, s, records[k].pattern_id if k in records else None) for k, s in baseline.items()]
    relevant = await _relevance(store, workspace, rules, scope, config)
    return [
        Candidate(k, baseline[k], records.get(k), score, "holdout", experiments.get(k))
        for k, score in relevant.items()
    ]


async def select_rules(
    *, store: LearningStore, workspace: str, config: LearningConfig, scope: Scope
) -> Selection:
    """The rules to show for `scope`, with exposures recorded when it names a task."""
    version, live_rules, all_experiments = await concurrently(
        functools.partial(store.protocol_version, workspace),
        functools.partial(store.list_rules, workspace, statuses=("trial", "adopted")),
        functools.partial(store.list_experiments, workspace),
    )
    live = {r.rule_id: r for r in live_rules}
    experiments = _measuring(all_experiments)
    relevant = await _relevance(
        store, workspace, [(r.rule_id, r.state, r.pattern_id) for r in live.values()], scope, config
    )
    task_id = scope.task_id
    holdout = task_id is not None and is_holdout(workspace, task_id, config.holdout_share)
    arms: dict[str, Arm] = {}
    if task_id is not None and relevant:
        rules = [live[rule_id] for rule_id in relevant]
        arms = await _record_arms(
            store, workspace, task_id, rules, experiments, holdout=holdout, config=config
        )
    trial_arms = {k: a for k, a in arms.items() if live[k].status == "trial"}
    if holdout:
        shown = await _baseline(store, workspace, scope, experiments, config)
        return Selection(version=config.holdout_version, holdout=True, shown=shown, arms=trial_arms)
    shown = []
    for rule_id, score in relevant.items():
        rule = live[rule_id]
        if rule.status == "trial" and arms.get(rule_id) != "treatment":
            continue  # control, or no task to assign an arm to: the rule stays unseen
        shown.append(Candidate(rule_id, rule.state, rule, score, arms.get(rule_id), experiments.get(rule_id)))
    return Selection(version=version, holdout=False, shown=shown, arms=trial_arms)


def rank(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Adopted rules before trials; within each, strongest evidence of effect, then relevance."""
    return sorted(
        candidates,
        key=lambda c: (c.state.status != "adopted", -c.proven, -c.relevance, int(c.rule_id.split("-")[1])),
    )
