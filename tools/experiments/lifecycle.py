"""Starting, deciding and repairing experiments, and the protocol changes their decisions make.

Invariants kept here (and repaired by `reconcile` if a crash interrupts a two-step change):
every ``trial`` rule has exactly one running experiment; no other rule has one; a decided
experiment's verdict is reflected in its rule's status.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from store import Conflict, NotFound
from store.learning import (
    ExperimentRecord,
    LearningStore,
    NewExperiment,
    RuleChange,
    RuleRecord,
    RuleStatus,
)

from .config import LearningConfig
from .gate import Action, alpha_for, evaluate


@dataclass(frozen=True, slots=True)
class Decision:
    rule_id: str
    experiment_id: str
    action: Action
    rule_status: RuleStatus
    reason: str
    e_value: float


def spending_family(rule: RuleRecord, config: LearningConfig) -> str:
    if config.alpha_spending == "workspace":
        return "workspace"
    if config.alpha_spending == "pattern" and rule.pattern_id:
        return f"pattern:{rule.pattern_id}"
    return f"rule:{rule.rule_id}"


async def start_experiment(
    store: LearningStore, workspace: str, rule: RuleRecord, config: LearningConfig
) -> ExperimentRecord:
    """The rule's running experiment, started now (with the next alpha of its family) if it has none."""
    family = spending_family(rule, config)
    for _ in range(8):
        running = await store.list_experiments(workspace, statuses=("running",), rule_id=rule.rule_id)
        if running:
            return running[0]
        ordinal = len(await store.list_experiments(workspace, family=family)) + 1
        try:
            return await store.add_experiment(
                workspace,
                NewExperiment(
                    rule_id=rule.rule_id,
                    family=family,
                    ordinal=ordinal,
                    share=config.treatment_share,
                    alpha=alpha_for(ordinal, config.alpha, spend=config.alpha_spending != "none"),
                    harm_alpha=config.harm_alpha,
                    sample_cap=config.sample_cap,
                ),
            )
        except Conflict:
            continue  # another writer took this ordinal or started the experiment; look again
    raise Conflict(f"could not start an experiment for {rule.rule_id!r}: concurrent writers kept winning")


async def set_status(
    store: LearningStore, workspace: str, rule: RuleRecord, status: RuleStatus, note: str
) -> RuleRecord | None:
    """Change a rule's status by a logged delta op; None when the rule changed under us meanwhile."""
    op = "deprecate" if status == "retired" else "edit"
    change = RuleChange(op, rule.rule_id, after=replace(rule.state, status=status), expect=rule.state)
    try:
        result = await store.change_protocol(workspace, [change], note=note)
    except Conflict:
        return None
    return result.rules[0]


async def promote_candidates(
    store: LearningStore, workspace: str, config: LearningConfig
) -> list[ExperimentRecord]:
    """Put waiting candidates on trial while there is room (oldest first)."""
    trials = await store.list_rules(workspace, statuses=("trial",))
    room = config.max_trials - len(trials)
    started: list[ExperimentRecord] = []
    if room <= 0:
        return started
    for rule in await store.list_rules(workspace, statuses=("candidate",)):
        if room <= 0:
            break
        if rule.pattern_id is None:
            continue  # nothing to measure it against; an operator adopts such rules by hand
        promoted = await set_status(store, workspace, rule, "trial", f"start the trial of {rule.rule_id}")
        if promoted is not None:
            started.append(await start_experiment(store, workspace, promoted, config))
            room -= 1
    return started


async def stop_experiments(store: LearningStore, workspace: str, rule_id: str, reason: str) -> None:
    for experiment in await store.list_experiments(workspace, statuses=("running",), rule_id=rule_id):
        await store.decide_experiment(workspace, experiment.experiment_id, status="stopped", decision=reason)


async def apply_gate(store: LearningStore, workspace: str, experiment: ExperimentRecord) -> Decision | None:
    """Run the gate on a running experiment's counts; adopt or retire its rule when it says so."""
    result = evaluate(
        experiment.treatment,
        experiment.control,
        share=experiment.share,
        alpha=experiment.alpha,
        harm_alpha=experiment.harm_alpha,
        sample_cap=experiment.sample_cap,
    )
    await store.update_experiment_evidence(
        workspace,
        experiment.experiment_id,
        e_value=result.e_value,
        harm_e_value=max(result.harm_e_value, result.failure_harm_e_value),
    )
    if result.action == "continue":
        return None
    status: RuleStatus = "adopted" if result.action == "adopt" else "retired"
    # Deciding the experiment first makes exactly one concurrent caller the one that acts.
    if not await store.decide_experiment(
        workspace, experiment.experiment_id, status=status, decision=result.reason
    ):
        return None
    rule = await store.get_rule(workspace, experiment.rule_id)
    if rule.status == "trial":
        await set_status(
            store,
            workspace,
            rule,
            status,
            f"{rule.rule_id} {status} by {experiment.experiment_id}: {result.reason}",
        )
    return Decision(
        rule_id=rule.rule_id,
        experiment_id=experiment.experiment_id,
        action=result.action,
        rule_status=status,
        reason=result.reason,
        e_value=result.e_value,
    )


async def reconcile(store: LearningStore, workspace: str, config: LearningConfig) -> None:
    """Restore the invariants above after an interrupted change or a protocol restore."""
    running = await store.list_experiments(workspace, statuses=("running",))
    running_rules: set[str] = set()
    for experiment in running:
        try:
            rule = await store.get_rule(workspace, experiment.rule_id)
        except NotFound:
            rule = None
        if rule is None or rule.status != "trial" or experiment.rule_id in running_rules:
            status = "missing" if rule is None else rule.status
            await store.decide_experiment(
                workspace,
                experiment.experiment_id,
                status="stopped",
                decision=f"stopped: the rule is {status}",
            )
        else:
            running_rules.add(experiment.rule_id)
    for rule in await store.list_rules(workspace, statuses=("trial",)):
        if rule.rule_id in running_rules:
            continue
        history = await store.list_experiments(workspace, rule_id=rule.rule_id)
        last = history[-1] if history else None
        if (
            last is not None
            and last.status in ("adopted", "retired")
            and last.decided_at is not None
            and last.decided_at >= rule.updated_at
        ):
            # Decided, but the rule's status change was lost: finish it.
            await set_status(
                store, workspace, rule, last.status, f"{rule.rule_id} {last.status} by {last.experiment_id}"
            )
        else:
            await start_experiment(store, workspace, rule, config)
