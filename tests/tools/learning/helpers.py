"""Building the records the learning loop reads: errors, confirmed patterns, closed tasks."""

from __future__ import annotations

from typing import Any

from store import NewError, PatternRecord, StoredError, TaskRecord
from store.base import Store

INDEX_CODE = "def last_pairs(xs):\n    out = []\n    for i in range(len(xs)):\n        out.append((xs[i], xs[i + 1]))\n    return out\n"


def error(
    fingerprint: str,
    *,
    task_id: str | None,
    category: str = "runtime.index",
    error_type: str = "IndexError",
    message: str = "IndexError: list index out of range",
    code: str | None = INDEX_CODE,
    source: str = "runtime",
    **fields: Any,
) -> NewError:
    return NewError(
        message=message,
        fingerprint=fingerprint,
        fingerprint_version=1,
        category=category,
        source=source,
        title=fields.pop("title", f"{error_type} in last_pairs"),
        features=fields.pop("features", {"error_type": error_type, "template": message}),
        error_type=error_type,
        code=code,
        task_id=task_id,
        **fields,
    )


async def task(
    store: Store, workspace: str, text: str = "Pair up neighbouring items of a list"
) -> TaskRecord:
    return await store.create_task(workspace, text, domain="python")


async def confirmed_pattern(
    store: Store,
    workspace: str,
    fingerprint: str = "v1:index",
    *,
    texts: tuple[str, str] = (
        "Pair up neighbouring items of a list",
        "Compare each element with the next one",
    ),
    **error_fields: Any,
) -> PatternRecord:
    """A pattern confirmed by errors in two distinct (closed) tasks."""
    added = None
    for text in texts:
        t = await task(store, workspace, text)
        added = await store.add_error(workspace, error(fingerprint, task_id=t.task_id, **error_fields))
        await store.complete_task(workspace, t.task_id, status="failed", tokens=100, cost_usd=0.01)
    assert added is not None
    pattern = await store.get_pattern(workspace, added.pattern_id)
    assert pattern.status == "confirmed"
    return pattern


def stored_example(**fields: Any) -> StoredError:
    from datetime import UTC, datetime

    base: dict[str, Any] = {
        "error_id": "e-1",
        "message": "IndexError: list index out of range",
        "fingerprint": "v1:x",
        "fingerprint_version": 1,
        "category": "runtime.index",
        "source": "runtime",
        "error_type": "IndexError",
        "traceback": None,
        "code": None,
        "task_id": "t-1",
        "action_id": None,
        "action_category": None,
        "details": {},
        "created_at": datetime(2024, 5, 1, tzinfo=UTC),
        "pattern_id": "p-1",
    }
    base.update(fields)
    return StoredError(**base)


def pattern_record(
    *, title: str, signature: str, category: str, examples: tuple[StoredError, ...]
) -> PatternRecord:
    from datetime import UTC, datetime

    now = datetime(2024, 5, 1, tzinfo=UTC)
    return PatternRecord(
        pattern_id="p-1",
        title=title,
        signature=signature,
        category=category,
        status="confirmed",
        frequency=4,
        distinct_tasks=3,
        fingerprints=1,
        cohesion=1.0,
        first_seen=now,
        last_seen=now,
        examples=examples,
    )
