"""Learning-loop records built from database rows, shared by both backends (as `records.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .ids import format_id
from .learning import (
    ArmCounts,
    DeltaOpRecord,
    ExperimentRecord,
    ObservationRecord,
    ProtocolVersionRecord,
    RuleChange,
    RuleRecord,
    RuleState,
    TaxonomyCategoryRecord,
)
from .records import Decode

Row = Mapping[str, Any]

RULE_COLUMNS = (
    "id, text, scope, status, example_wrong, example_right, pattern_id, insight_id, provenance, "
    "helpful, harmful, created_at, updated_at"
)
EXPERIMENT_COLUMNS = (
    "id, rule_id, family, ordinal, share, alpha, harm_alpha, sample_cap, status, "
    "t_tasks, t_events, t_failures, c_tasks, c_events, c_failures, h_tasks, h_events, h_failures, "
    "e_value, e_max, harm_e_value, started_at, decided_at, decision"
)
OBSERVATION_COLUMNS = "rule_id, task_id, experiment_id, arm, recurred, succeeded, assigned_at, observed_at"
TAXONOMY_COLUMNS = "category, name, description, keywords, error_categories, phase, always, position"

ARM_PREFIX = {"treatment": "t", "control": "c", "holdout": "h"}


def _opt(kind: str, key: int | None) -> str | None:
    return None if key is None else format_id(kind, key)


def state_json(state: RuleState) -> dict[str, Any]:
    return {
        "text": state.text,
        "scope": state.scope,
        "status": state.status,
        "example_wrong": state.example_wrong,
        "example_right": state.example_right,
    }


def state_from(value: Mapping[str, Any] | None) -> RuleState | None:
    if value is None:
        return None
    return RuleState(
        text=value["text"],
        scope=value["scope"],
        status=value["status"],
        example_wrong=value.get("example_wrong"),
        example_right=value.get("example_right"),
    )


def check_change(change: RuleChange) -> None:
    """Refuse malformed delta operations (a programming error, not a client's)."""
    if change.op == "add":
        if change.new is None:
            raise ValueError("an 'add' change needs `new`")
        return
    if change.op not in ("edit", "deprecate", "restore"):
        raise ValueError(f"unknown delta op {change.op!r}")
    if change.rule_id is None or change.after is None:
        raise ValueError(f"a {change.op!r} change needs `rule_id` and `after`")
    if change.op == "deprecate" and change.after.status != "retired":
        raise ValueError("a 'deprecate' change must leave the rule retired")


def rule_record(row: Row, decode: Decode) -> RuleRecord:
    return RuleRecord(
        rule_id=format_id("rule", row["id"]),
        text=row["text"],
        scope=row["scope"],
        status=row["status"],
        example_wrong=row["example_wrong"],
        example_right=row["example_right"],
        pattern_id=_opt("pattern", row["pattern_id"]),
        insight_id=_opt("insight", row["insight_id"]),
        provenance=decode.json(row["provenance"]),
        helpful=row["helpful"],
        harmful=row["harmful"],
        created_at=decode.time(row["created_at"]),
        updated_at=decode.time(row["updated_at"]),
    )


def version_record(row: Row, decode: Decode) -> ProtocolVersionRecord:
    return ProtocolVersionRecord(
        version=row["version"], created_at=decode.time(row["created_at"]), note=row["note"], ops=row["ops"]
    )


def op_record(row: Row, decode: Decode) -> DeltaOpRecord:
    before = row["before"]
    after = state_from(decode.json(row["after"]))
    assert after is not None
    return DeltaOpRecord(
        version=row["version"],
        seq=row["seq"],
        op=row["op"],
        rule_id=format_id("rule", row["rule_id"]),
        before=None if before is None else state_from(decode.json(before)),
        after=after,
        created_at=decode.time(row["created_at"]),
    )


def _arm(row: Row, prefix: str) -> ArmCounts:
    return ArmCounts(
        tasks=row[f"{prefix}_tasks"], events=row[f"{prefix}_events"], failures=row[f"{prefix}_failures"]
    )


def experiment_record(row: Row, decode: Decode) -> ExperimentRecord:
    decided_at = row["decided_at"]
    return ExperimentRecord(
        experiment_id=format_id("experiment", row["id"]),
        rule_id=format_id("rule", row["rule_id"]),
        family=row["family"],
        ordinal=row["ordinal"],
        share=row["share"],
        alpha=row["alpha"],
        harm_alpha=row["harm_alpha"],
        sample_cap=row["sample_cap"],
        status=row["status"],
        treatment=_arm(row, "t"),
        control=_arm(row, "c"),
        holdout=_arm(row, "h"),
        e_value=row["e_value"],
        e_max=row["e_max"],
        harm_e_value=row["harm_e_value"],
        started_at=decode.time(row["started_at"]),
        decided_at=None if decided_at is None else decode.time(decided_at),
        decision=row["decision"],
    )


def _opt_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def observation_record(row: Row, decode: Decode) -> ObservationRecord:
    observed_at = row["observed_at"]
    return ObservationRecord(
        rule_id=format_id("rule", row["rule_id"]),
        task_id=format_id("task", row["task_id"]),
        arm=row["arm"],
        experiment_id=_opt("experiment", row["experiment_id"]),
        recurred=_opt_bool(row["recurred"]),
        succeeded=_opt_bool(row["succeeded"]),
        assigned_at=decode.time(row["assigned_at"]),
        observed_at=None if observed_at is None else decode.time(observed_at),
    )


def taxonomy_record(row: Row, decode: Decode) -> TaxonomyCategoryRecord:
    return TaxonomyCategoryRecord(
        category=row["category"],
        name=row["name"],
        description=row["description"],
        keywords=tuple(decode.json(row["keywords"])),
        error_categories=tuple(decode.json(row["error_categories"])),
        phase=row["phase"],
        always=bool(row["always"]),
        order=row["position"],
    )
