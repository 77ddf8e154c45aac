"""complete_task: close a task, then feed its outcome to the experiments on the rules it saw."""

from __future__ import annotations

from store import Conflict, NotFound
from store.base import Store
from tools.errors import InvalidInput
from tools.experiments.arms import is_holdout
from tools.experiments.config import DEFAULT_CONFIG, LearningConfig
from tools.experiments.lifecycle import reconcile
from tools.experiments.outcomes import record_task_outcome, task_patterns

from .models import CompleteTaskRequest, RuleDecisionOut, RuleObservation, TaskOutcome


async def complete_task(
    request: CompleteTaskRequest, *, store: Store, workspace: str, config: LearningConfig = DEFAULT_CONFIG
) -> TaskOutcome:
    """Close the task (once) and record its outcome for every rule it was exposed to; returns the
    outcome with any rule adopted or retired as a result.

    Closing again with the same status is a retry, not a mistake: a client whose answer was lost,
    or a server that stopped between closing the task and recording its outcome, gets the rest
    done and the same outcome (tokens and cost stay as first reported). Another status is refused.
    """
    try:
        task = await store.complete_task(
            workspace,
            request.task_id,
            status=request.status,
            tokens=request.tokens,
            cost_usd=request.cost_usd,
        )
    except NotFound as exc:
        raise InvalidInput(
            f'Unknown task {request.task_id!r}. Use the task_id that decompose returned ("t-3").'
        ) from exc
    except Conflict as exc:
        task = await store.get_task(workspace, request.task_id)
        if task.status != request.status:
            raise InvalidInput(
                f"Task {request.task_id!r} is already closed as {task.status!r}; a task is completed once "
                f"(closing it again as {task.status!r} only repeats that outcome)."
            ) from exc
    errors, patterns = await task_patterns(store, workspace, task.task_id)
    filled, decisions = await record_task_outcome(store, workspace, task, config, seen=patterns)
    if decisions:
        await reconcile(store, workspace, config)
    return TaskOutcome(
        task_id=task.task_id,
        status=request.status,
        completed_at=task.completed_at,
        duration_s=task.duration_s,
        tokens=task.tokens,
        cost_usd=task.cost_usd,
        errors=errors,
        pattern_ids=sorted(patterns, key=lambda p: int(p.split("-")[1])),
        protocol_version=task.protocol_version,
        holdout=is_holdout(workspace, task.task_id, config.holdout_share),
        observations=[
            RuleObservation(
                rule_id=o.rule_id,
                arm=o.arm,
                targeted_pattern_recurred=bool(o.recurred),
                experiment_id=o.experiment_id,
            )
            for o in filled
        ],
        decisions=[
            RuleDecisionOut(
                rule_id=d.rule_id,
                experiment_id=d.experiment_id,
                decision=d.action,
                rule_status=d.rule_status,
                reason=d.reason,
            )
            for d in decisions
            if d.action != "continue"
        ],
    )
