"""Records built from database rows, shared by both backends.

Both backends select the same column aliases; they differ only in how a timestamp and a JSON
value come back from the driver (ISO text and JSON text in SQLite, native values in PostgreSQL),
so each passes its `Decode`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .base import ActionItemRecord, InsightRecord, PatternRecord, SignatureGroup, StoredError, TaskRecord
from .ids import format_id

Row = Mapping[str, Any]

# Columns of `errors e` joined with `signatures s` that `stored_error` reads.
ERROR_COLUMNS = (
    "e.id, e.message, e.fingerprint, e.fingerprint_version, e.category, e.source, e.error_type, "
    "e.traceback, e.code, e.task_id, e.action_id, e.action_category, e.details, e.created_at, s.pattern_id"
)
PATTERN_COLUMNS = (
    "id, title, signature, category, status, frequency, distinct_tasks, fingerprints, cohesion, "
    "first_seen, last_seen, merged_into"
)
TASK_COLUMNS = "id, description, domain, status, created_at, completed_at, tokens, cost_usd, duration_s, protocol_version"
ITEM_COLUMNS = "id, task_id, parent_id, name, category, description, position"
INSIGHT_COLUMNS = "id, pattern_id, rule, example_wrong, example_right, source, created_at"
SIGNATURE_COLUMNS = (
    "fingerprint, pattern_id, category, title, features, count, distinct_tasks, first_seen, last_seen, mined"
)


def qualified(columns: str, table: str) -> str:
    """``"id, rule"`` read from `table` (an alias) in a join: ``"i.id, i.rule"``."""
    return ", ".join(f"{table}.{column.strip()}" for column in columns.split(","))


@dataclass(frozen=True, slots=True)
class Decode:
    time: Callable[[Any], datetime]
    json: Callable[[Any], Any]


def _opt_id(kind: str, key: int | None) -> str | None:
    return None if key is None else format_id(kind, key)


def stored_error(row: Row, decode: Decode) -> StoredError:
    return StoredError(
        error_id=format_id("error", row["id"]),
        message=row["message"],
        fingerprint=row["fingerprint"],
        fingerprint_version=row["fingerprint_version"],
        category=row["category"],
        source=row["source"],
        error_type=row["error_type"],
        traceback=row["traceback"],
        code=row["code"],
        task_id=_opt_id("task", row["task_id"]),
        action_id=_opt_id("action", row["action_id"]),
        action_category=row["action_category"],
        details=decode.json(row["details"]),
        created_at=decode.time(row["created_at"]),
        pattern_id=format_id("pattern", row["pattern_id"]),
    )


def pattern_record(row: Row, decode: Decode, examples: Sequence[StoredError] = ()) -> PatternRecord:
    return PatternRecord(
        pattern_id=format_id("pattern", row["id"]),
        title=row["title"],
        signature=row["signature"],
        category=row["category"],
        status=row["status"],
        frequency=row["frequency"],
        distinct_tasks=row["distinct_tasks"],
        fingerprints=row["fingerprints"],
        cohesion=row["cohesion"],
        first_seen=decode.time(row["first_seen"]),
        last_seen=decode.time(row["last_seen"]),
        examples=tuple(examples),
        merged_into=_opt_id("pattern", row["merged_into"]),
    )


def item_record(row: Row) -> ActionItemRecord:
    return ActionItemRecord(
        action_id=format_id("action", row["id"]),
        task_id=format_id("task", row["task_id"]),
        parent_id=_opt_id("action", row["parent_id"]),
        name=row["name"],
        category=row["category"],
        description=row["description"],
        position=row["position"],
    )


def task_record(row: Row, decode: Decode, items: Sequence[Row]) -> TaskRecord:
    completed_at = row["completed_at"]
    return TaskRecord(
        task_id=format_id("task", row["id"]),
        description=row["description"],
        domain=row["domain"],
        status=row["status"],
        created_at=decode.time(row["created_at"]),
        completed_at=None if completed_at is None else decode.time(completed_at),
        tokens=row["tokens"],
        cost_usd=row["cost_usd"],
        duration_s=row["duration_s"],
        protocol_version=row["protocol_version"],
        items=tuple(item_record(item) for item in items),
    )


def insight_record(row: Row, decode: Decode, pattern_key: int) -> InsightRecord:
    """`pattern_key` is the live pattern the insight now targets (after merges)."""
    return InsightRecord(
        insight_id=format_id("insight", row["id"]),
        pattern_id=format_id("pattern", pattern_key),
        rule=row["rule"],
        example_wrong=row["example_wrong"],
        example_right=row["example_right"],
        source=row["source"],
        created_at=decode.time(row["created_at"]),
    )


def signature_group(row: Row, decode: Decode) -> SignatureGroup:
    return SignatureGroup(
        fingerprint=row["fingerprint"],
        pattern_id=format_id("pattern", row["pattern_id"]),
        category=row["category"],
        title=row["title"],
        features=decode.json(row["features"]),
        count=row["count"],
        distinct_tasks=row["distinct_tasks"],
        first_seen=decode.time(row["first_seen"]),
        last_seen=decode.time(row["last_seen"]),
        mined=bool(row["mined"]),
    )


def group_examples(rows: Sequence[Row], decode: Decode) -> dict[int, list[StoredError]]:
    """Example errors by pattern key, from rows of ERROR_COLUMNS in example order."""
    examples: dict[int, list[StoredError]] = {}
    for row in rows:
        examples.setdefault(row["pattern_id"], []).append(stored_error(row, decode))
    return examples
