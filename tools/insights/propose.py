"""propose_insight: validate an insight, store it, and put its rule on trial.

A rule never enters the protocol as proven: it starts as a candidate, goes on trial when there is
room, and is adopted only when its experiment shows it reduces the pattern (tools.experiments).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from store import Conflict, NewInsight, NotFound, PatternRecord
from store.base import Store
from store.learning import NewRule, RuleChange, RuleRecord
from tools.errors import Busy, InvalidInput
from tools.experiments.config import DEFAULT_CONFIG, LearningConfig
from tools.experiments.lifecycle import promote_candidates
from tools.experiments.views import experiment_out
from tools.protocol.get import check_category
from tools.protocol.models import RuleOut
from tools.protocol.ops import check_example, check_rule_text
from tools.taxonomy import Taxonomy, taxonomy_for

from .examples import best_wrong_example
from .library import match_builtin
from .models import ProposedInsight, ProposeInsightRequest


async def load_pattern(store: Store, workspace: str, pattern_id: str) -> PatternRecord:
    try:
        return await store.get_pattern(workspace, pattern_id)
    except NotFound as exc:
        ids = await store.pattern_ids(workspace)
        closest = difflib.get_close_matches(pattern_id, ids, n=3, cutoff=0.5)
        hint = f"; closest: {', '.join(repr(c) for c in closest)}" if closest else ""
        raise InvalidInput(f"Unknown pattern {pattern_id!r}. Call find_patterns to list ids{hint}.") from exc


def default_scope(pattern: PatternRecord, taxonomy: Taxonomy) -> str:
    """The step the pattern's errors come from: their recorded action category, else the mapping of
    the error category."""
    for example in pattern.examples:
        if example.action_category and example.action_category in taxonomy:
            return example.action_category
    return taxonomy.for_error(pattern.category)[0]


def _same(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


_ROOM_ATTEMPTS = 8


def _check_room(
    pattern: PatternRecord, rule: str, existing: Sequence[RuleRecord], config: LearningConfig
) -> None:
    for other in existing:
        if _same(other.text, rule):
            raise InvalidInput(
                f"This rule was already proposed for {pattern.pattern_id} as {other.rule_id!r} (status {other.status}). "
                "Propose a different rule, or read protocol://current."
            )
    live = [r for r in existing if r.status != "retired"]
    if len(live) >= config.max_rules_per_pattern:
        raise InvalidInput(
            f"Pattern {pattern.pattern_id} already has {len(live)} live rules "
            f"({', '.join(r.rule_id for r in live)}); at most {config.max_rules_per_pattern}. "
            "Wait for their experiments to decide, or propose for another pattern."
        )


async def propose(
    pattern: PatternRecord,
    *,
    rule: str,
    example_wrong: str | None,
    example_right: str | None,
    scope: str,
    source: str,
    store: Store,
    workspace: str,
    config: LearningConfig,
    model: str | None = None,
    tokens: int = 0,
    cost_usd: float = 0.0,
) -> ProposedInsight:
    """Store an already validated insight and its candidate rule, then start trials if there is room."""
    insight = None
    for _ in range(_ROOM_ATTEMPTS):
        # The room check and the add form one optimistic transaction: the add names the protocol
        # version it checked, so a concurrent proposal makes it check again instead of overfilling.
        base_version = await store.protocol_version(workspace)
        existing = await store.list_rules(workspace, pattern_id=pattern.pattern_id)
        _check_room(pattern, rule, existing, config)
        real = best_wrong_example(pattern.examples)
        wrong = example_wrong or (real[0] if real else None)
        if insight is None:
            insight = await store.add_insight(
                workspace,
                NewInsight(
                    pattern_id=pattern.pattern_id,
                    rule=rule,
                    source=source,
                    example_wrong=wrong,
                    example_right=example_right,
                    model=model,
                    tokens=tokens,
                    cost_usd=cost_usd,
                ),
            )
        provenance = {
            "source": source,
            "pattern_title": pattern.title,
            "pattern_signature": pattern.signature,
            "error_ids": [e.error_id for e in pattern.examples],
            "wrong_example_error_id": real[1] if real and wrong == real[0] else None,
            "model": model,
        }
        new = NewRule(
            text=rule,
            scope=scope,
            status="candidate",
            example_wrong=wrong,
            example_right=example_right,
            pattern_id=pattern.pattern_id,
            insight_id=insight.insight_id,
            provenance=provenance,
        )
        try:
            change = await store.change_protocol(
                workspace,
                [RuleChange("add", new=new)],
                note=f"add a {source} rule for {pattern.pattern_id}",
                base_version=base_version,
            )
            break
        except Conflict as exc:
            if await store.protocol_version(workspace) != base_version:
                continue
            raise InvalidInput(
                f"This rule was already proposed for {pattern.pattern_id}; read protocol://current."
            ) from exc
    else:
        raise Busy("The protocol is changing too fast to add this rule now; retry in a moment.")
    rule_id = change.rules[0].rule_id
    await promote_candidates(store, workspace, config)
    record = await store.get_rule(workspace, rule_id)
    running = await store.list_experiments(workspace, statuses=("running",), rule_id=rule_id)
    if running:
        message = (
            f"Rule {rule_id} is on trial ({running[0].experiment_id}): it is shown to about "
            f"{config.treatment_share:.0%} of tasks it applies to and adopted only if the pattern recurs "
            "measurably less often with it."
        )
    else:
        message = (
            f"Rule {rule_id} waits as a candidate until one of the {config.max_trials} trial slots frees up."
        )
    return ProposedInsight(
        insight_id=insight.insight_id,
        pattern_id=pattern.pattern_id,
        rule=RuleOut.of(record),
        experiment=experiment_out(running[0]) if running else None,
        message=message,
    )


async def propose_insight(
    request: ProposeInsightRequest,
    *,
    store: Store,
    workspace: str,
    config: LearningConfig = DEFAULT_CONFIG,
    source: str = "client",
) -> ProposedInsight:
    """Store an insight for a confirmed pattern and put its rule on trial (when a slot is free)."""
    taxonomy = await taxonomy_for(store=store, workspace=workspace, taxonomy_file=config.taxonomy_file)
    rule = check_rule_text(request.rule, config)
    if request.scope is not None:
        check_category(request.scope, taxonomy)
    wrong = check_example(request.example_wrong, config, "example_wrong")
    right = check_example(request.example_right, config, "example_right")
    pattern = await load_pattern(store, workspace, request.pattern_id)
    if pattern.status != "confirmed":
        raise InvalidInput(
            f"Pattern {pattern.pattern_id} is still {pattern.status} (seen in {pattern.distinct_tasks} task(s)); rules are "
            "learned only for confirmed patterns, which recur across tasks. Call find_patterns to list confirmed ones."
        )
    return await propose(
        pattern,
        rule=rule,
        example_wrong=wrong,
        example_right=right,
        scope=request.scope or default_scope(pattern, taxonomy),
        source=source,
        store=store,
        workspace=workspace,
        config=config,
    )


async def maybe_auto_insight(
    pattern_id: str, *, store: Store, workspace: str, config: LearningConfig = DEFAULT_CONFIG
) -> ProposedInsight | None:
    """When a confirmed pattern has no insight yet and the built-in library knows its signature,
    create the insight and its candidate rule. None when nothing was created."""
    try:
        pattern = await store.get_pattern(workspace, pattern_id)
    except NotFound:
        return None
    if pattern.status != "confirmed" or await store.insight_for(workspace, pattern.pattern_id) is not None:
        return None
    if await store.list_rules(workspace, pattern_id=pattern.pattern_id):
        return None
    entry = match_builtin(pattern)
    if entry is None:
        return None
    taxonomy = await taxonomy_for(store=store, workspace=workspace, taxonomy_file=config.taxonomy_file)
    scope = entry.scope if entry.scope in taxonomy else default_scope(pattern, taxonomy)
    real = best_wrong_example(pattern.examples)
    try:
        return await propose(
            pattern,
            rule=entry.rule,
            example_wrong=real[0] if real else entry.example_wrong,
            example_right=entry.example_right,
            scope=scope,
            source="builtin",
            store=store,
            workspace=workspace,
            config=config,
        )
    except InvalidInput:
        return None  # a concurrent call created it first
