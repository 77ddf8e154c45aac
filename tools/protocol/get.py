"""get_protocol: the rules relevant to a task, ranked by proven effect, within a token budget."""

from __future__ import annotations

from store import NotFound, TaskRecord
from store.base import Store
from tools.errors import InvalidInput
from tools.evaluation.pricing import estimate_tokens
from tools.experiments.config import DEFAULT_CONFIG, LearningConfig
from tools.experiments.views import effectiveness
from tools.taxonomy import Taxonomy, taxonomy_for

from .models import Protocol, ProtocolRequest, ProtocolRule, RuleEvidence
from .render import fit
from .select import Candidate, Scope, rank, select_rules


def text_categories(text: str, taxonomy: Taxonomy, *, domain: str = "python") -> list[str]:
    """The steps a decomposition of `text` would have: the always-present ones and those the text reveals."""
    always = [c.id for c in taxonomy.in_domain(domain) if c.always]
    return list(dict.fromkeys([*always, *(d.category.id for d in taxonomy.detect(text, domain=domain))]))


def task_categories(task: TaskRecord, taxonomy: Taxonomy) -> list[str]:
    """The categories of a task's steps; for a task without items, the steps its text reveals."""
    if task.items:
        return list(dict.fromkeys(item.category for item in task.items))
    domain = task.domain if task.domain in taxonomy.domains() else "python"
    return text_categories(task.description, taxonomy, domain=domain)


async def load_task(store: Store, workspace: str, task_id: str) -> TaskRecord:
    try:
        return await store.get_task(workspace, task_id)
    except NotFound as exc:
        raise InvalidInput(
            f"Unknown task {task_id!r}. Call decompose with the task description to create one and get its task_id."
        ) from exc


def check_category(category: str, taxonomy: Taxonomy) -> None:
    if category not in taxonomy:
        closest = taxonomy.closest(category)
        hint = f" Closest: {', '.join(repr(c) for c in closest)}." if closest else ""
        raise InvalidInput(
            f"Unknown category {category!r}.{hint} Read taxonomy://actions for the valid categories."
        )


def protocol_rule(candidate: Candidate) -> ProtocolRule:
    record, state = candidate.record, candidate.state
    provenance = dict(record.provenance) if record is not None else {}
    error_ids = provenance.get("error_ids") or []
    return ProtocolRule(
        id=candidate.rule_id,
        text=state.text,
        scope=state.scope,
        status=state.status,
        effectiveness=None if candidate.experiment is None else effectiveness(candidate.experiment),
        evidence=RuleEvidence(
            pattern_id=None if record is None else record.pattern_id,
            pattern_title=provenance.get("pattern_title"),
            error_ids=[str(e) for e in error_ids][:10],
            insight_id=None if record is None else record.insight_id,
            source=provenance.get("source"),
            helpful=0 if record is None else record.helpful,
            harmful=0 if record is None else record.harmful,
        ),
        example_wrong=state.example_wrong,
        example_right=state.example_right,
        relevance=candidate.relevance,
    )


async def get_protocol(
    request: ProtocolRequest, *, store: Store, workspace: str, config: LearningConfig = DEFAULT_CONFIG
) -> Protocol:
    """The protocol rules relevant to a task (by task_id, category, or description), best-proven first.

    With a task_id the answer is stable: the task keeps its arm for every rule on trial, and sees
    only the baseline protocol if it is in the hold-out.
    """
    taxonomy = await taxonomy_for(store=store, workspace=workspace, taxonomy_file=config.taxonomy_file)
    if request.category is not None:
        check_category(request.category, taxonomy)
    if request.task_id is not None:
        task = await load_task(store, workspace, request.task_id)
        text = task.description if not request.task else f"{task.description}\n{request.task}"
        categories = task_categories(task, taxonomy)
        scope = Scope(categories=categories, text=text, category=request.category, task_id=task.task_id)
    elif request.task:
        scope = Scope(
            categories=text_categories(request.task, taxonomy), text=request.task, category=request.category
        )
    else:
        scope = Scope(category=request.category)
    selection = await select_rules(store=store, workspace=workspace, config=config, scope=scope)
    ranked = [protocol_rule(c) for c in rank(selection.shown)]
    kept, markdown, omitted = fit(
        ranked, version=selection.version, max_tokens=request.max_tokens, holdout=selection.holdout
    )
    return Protocol(
        version=selection.version,
        rules=kept,
        markdown=markdown,
        arm=dict(selection.arms),
        holdout=selection.holdout,
        tokens=estimate_tokens(markdown),
        max_tokens=request.max_tokens,
        omitted=omitted,
    )
