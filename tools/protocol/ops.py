"""Changing the protocol: add, edit, deprecate, restore. Every change is one new version made of
logged delta operations; nothing ever rewrites the protocol wholesale.

The protocol never collapses: a change that would leave no adopted rule when there was one is
refused (the store enforces it inside the transaction, so concurrent changes cannot sneak past).
"""

from __future__ import annotations

from dataclasses import replace

from pydantic import BaseModel, ConfigDict, Field

from store import Conflict, NotFound
from store.base import Store
from store.learning import NewRule, ProtocolChange, ProtocolInvariantError, RuleChange, RuleRecord
from tools.errors import InvalidInput
from tools.experiments.config import DEFAULT_CONFIG, LearningConfig
from tools.experiments.lifecycle import promote_candidates, reconcile
from tools.taxonomy import taxonomy_for

from .get import check_category
from .models import DeltaOpOut, ProtocolChangeOut, ProtocolHistory, RuleOut, VersionOut
from .versions import states_at


class AddRuleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The rule, as an instruction a model can follow.")
    scope: str = Field(description='Taxonomy category it applies to ("python.io.parse").')
    example_wrong: str | None = Field(None, description="Code that makes the mistake.")
    example_right: str | None = Field(None, description="The same code done right.")
    pattern_id: str | None = Field(
        None,
        description="The pattern the rule targets. With one, the rule goes on trial and must prove itself; "
        "without one it is adopted at once (an operator's convention, not a measured rule).",
    )
    note: str | None = Field(None, description="Why the rule is added (kept in the version log).")


class EditRuleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule_id: str = Field(description='The rule to change ("r-12").')
    text: str | None = Field(None, description="New text; omit to keep it.")
    scope: str | None = Field(None, description="New scope; omit to keep it.")
    example_wrong: str | None = Field(None, description="New wrong example; omit to keep it.")
    example_right: str | None = Field(None, description="New right example; omit to keep it.")
    note: str | None = Field(None, description="Why (kept in the version log).")


class DeprecateRuleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule_id: str = Field(description='The rule to retire ("r-12").')
    reason: str = Field(description="Why (kept in the version log).", min_length=1, max_length=500)


def check_rule_text(text: str, config: LearningConfig, *, field: str = "rule") -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidInput(f"'{field}' must be a non-empty instruction (got {text!r}).")
    if len(cleaned) > config.max_rule_chars:
        raise InvalidInput(
            f"'{field}' must be at most {config.max_rule_chars} characters (got {len(cleaned)}). "
            "State one rule briefly; put detail in example_wrong and example_right."
        )
    return cleaned


def check_example(code: str | None, config: LearningConfig, field: str) -> str | None:
    if code is None or not code.strip():
        return None
    if len(code) > config.max_example_chars:
        raise InvalidInput(
            f"'{field}' must be at most {config.max_example_chars} characters (got {len(code)}). "
            "Keep only the few lines that show the mistake."
        )
    return code.strip("\n")


async def _rule(store: Store, workspace: str, rule_id: str) -> RuleRecord:
    try:
        return await store.get_rule(workspace, rule_id)
    except NotFound as exc:
        raise InvalidInput(
            f"Unknown rule {rule_id!r}. Read protocol://current for the ids of the rules."
        ) from exc


def _out(change: ProtocolChange) -> ProtocolChangeOut:
    return ProtocolChangeOut(
        version=change.version.version, note=change.version.note, rules=[RuleOut.of(r) for r in change.rules]
    )


async def _apply(
    store: Store, workspace: str, changes: list[RuleChange], note: str, **kwargs: int
) -> ProtocolChange:
    try:
        return await store.change_protocol(workspace, changes, note=note, **kwargs)
    except ProtocolInvariantError as exc:
        raise InvalidInput(
            f"Refused: {exc}. The protocol never drops to zero adopted rules; adopt a replacement first."
        ) from exc
    except Conflict as exc:
        raise InvalidInput(
            f"The protocol changed while this change was prepared ({exc}); try again."
        ) from exc


async def add_rule(
    request: AddRuleRequest, *, store: Store, workspace: str, config: LearningConfig = DEFAULT_CONFIG
) -> ProtocolChangeOut:
    """Add an operator's rule: adopted at once without a pattern, on trial (when there is room) with one."""
    taxonomy = await taxonomy_for(store=store, workspace=workspace, taxonomy_file=config.taxonomy_file)
    check_category(request.scope, taxonomy)
    text = check_rule_text(request.text, config, field="text")
    pattern_id = None
    if request.pattern_id is not None:
        try:
            pattern_id = (await store.get_pattern(workspace, request.pattern_id)).pattern_id
        except NotFound as exc:
            raise InvalidInput(
                f"Unknown pattern {request.pattern_id!r}. Call find_patterns to list ids."
            ) from exc
    new = NewRule(
        text=text,
        scope=request.scope,
        status="candidate" if pattern_id else "adopted",
        example_wrong=check_example(request.example_wrong, config, "example_wrong"),
        example_right=check_example(request.example_right, config, "example_right"),
        pattern_id=pattern_id,
        provenance={"source": "operator"},
    )
    change = await _apply(
        store, workspace, [RuleChange("add", new=new)], request.note or f"add a rule for {request.scope}"
    )
    if pattern_id:
        await promote_candidates(store, workspace, config)
        change = replace(change, rules=[await store.get_rule(workspace, change.rules[0].rule_id)])
    return _out(change)


async def edit_rule(
    request: EditRuleRequest, *, store: Store, workspace: str, config: LearningConfig = DEFAULT_CONFIG
) -> ProtocolChangeOut:
    """Edit a rule's text, scope or examples. A rule on trial restarts its trial: what is measured changed."""
    rule = await _rule(store, workspace, request.rule_id)
    if rule.status == "retired":
        raise InvalidInput(
            f"Rule {rule.rule_id!r} is retired; restore a version that has it, or add a new rule."
        )
    after = rule.state
    if request.text is not None:
        after = replace(after, text=check_rule_text(request.text, config, field="text"))
    if request.scope is not None:
        taxonomy = await taxonomy_for(store=store, workspace=workspace, taxonomy_file=config.taxonomy_file)
        check_category(request.scope, taxonomy)
        after = replace(after, scope=request.scope)
    if request.example_wrong is not None:
        after = replace(after, example_wrong=check_example(request.example_wrong, config, "example_wrong"))
    if request.example_right is not None:
        after = replace(after, example_right=check_example(request.example_right, config, "example_right"))
    if after == rule.state:
        raise InvalidInput(
            f"Nothing to change: give text, scope, example_wrong or example_right for {rule.rule_id!r}."
        )
    edit = RuleChange("edit", rule.rule_id, after=after, expect=rule.state)
    change = await _apply(store, workspace, [edit], request.note or f"edit {rule.rule_id}")
    if rule.status == "trial":
        for experiment in await store.list_experiments(
            workspace, statuses=("running",), rule_id=rule.rule_id
        ):
            await store.decide_experiment(
                workspace, experiment.experiment_id, status="stopped", decision="stopped: the rule was edited"
            )
        await reconcile(store, workspace, config)
    return _out(change)


async def deprecate_rule(
    request: DeprecateRuleRequest, *, store: Store, workspace: str, config: LearningConfig = DEFAULT_CONFIG
) -> ProtocolChangeOut:
    """Retire a rule by a logged deprecation (refused if it is the last adopted rule)."""
    rule = await _rule(store, workspace, request.rule_id)
    if rule.status == "retired":
        raise InvalidInput(f"Rule {rule.rule_id!r} is already retired.")
    after = replace(rule.state, status="retired")
    deprecation = RuleChange("deprecate", rule.rule_id, after=after, expect=rule.state)
    change = await _apply(store, workspace, [deprecation], f"deprecate {rule.rule_id}: {request.reason}")
    await reconcile(store, workspace, config)
    await promote_candidates(store, workspace, config)
    return _out(change)


async def restore_version(
    version: int,
    *,
    store: Store,
    workspace: str,
    config: LearningConfig = DEFAULT_CONFIG,
    note: str | None = None,
) -> ProtocolChangeOut:
    """Make the protocol exactly what it was at `version`, as a new logged version.

    Every rule gets the state it had then; rules added since are retired. Trials resume as new
    experiments (fresh alpha), trials that end are stopped. Refused when it would leave no
    adopted rule where there is one now (restoring a version before the first adoption).
    """
    for _ in range(5):
        current = await store.protocol_version(workspace)
        if not 0 <= version <= current:
            raise InvalidInput(f"'version' must be between 0 and {current} (got {version!r}).")
        target = await states_at(store, workspace, version)
        changes = []
        for rule in await store.list_rules(workspace):
            want = target.get(rule.rule_id) or replace(rule.state, status="retired")
            if want != rule.state:
                changes.append(RuleChange("restore", rule.rule_id, after=want, expect=rule.state))
        if not changes:
            return ProtocolChangeOut(
                version=current, note=f"already identical to version {version}", rules=[]
            )
        try:
            change = await store.change_protocol(
                workspace, changes, note=note or f"restore version {version}", base_version=current
            )
        except ProtocolInvariantError as exc:
            raise InvalidInput(
                f"Refused: restoring version {version} {exc}. Restore a later version, or adopt a rule first."
            ) from exc
        except Conflict:
            continue  # someone changed the protocol meanwhile: diff again against the new version
        await reconcile(store, workspace, config)
        return _out(change)
    raise InvalidInput("The protocol kept changing during the restore; try again.")


async def protocol_history(*, store: Store, workspace: str, limit: int = 20) -> ProtocolHistory:
    """Recent versions with their delta operations, newest first."""
    versions = await store.protocol_versions(workspace, limit=limit)
    current = versions[0].version if versions else 0
    oldest = versions[-1].version if versions else 0
    ops = await store.protocol_ops(workspace, after_version=oldest - 1) if versions else []
    by_version: dict[int, list[DeltaOpOut]] = {}
    for op in ops:
        by_version.setdefault(op.version, []).append(
            DeltaOpOut(
                version=op.version,
                op=op.op,
                rule_id=op.rule_id,
                before_status=None if op.before is None else op.before.status,
                after_status=op.after.status,
                text_changed=op.before is None or replace(op.before, status=op.after.status) != op.after,
            )
        )
    return ProtocolHistory(
        current=current,
        versions=[
            VersionOut(
                version=v.version, created_at=v.created_at, note=v.note, ops=by_version.get(v.version, [])
            )
            for v in versions
        ],
    )
