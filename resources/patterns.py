"""The pattern library as resource content: a bounded summary and one pattern in full."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from store import NotFound, Store
from store.base import MINING_WAIT_S
from tools.errors import InvalidInput
from tools.find_patterns import PatternQuery, find_patterns

PAGE_SIZE = 50
ERROR_IDS_PAGE = 200


async def library_page(
    cursor: str | None, *, store: Store, workspace: str, mining_wait_s: float = MINING_WAIT_S
) -> dict[str, Any]:
    """One page of pattern summaries; `cursor` is None for the first page."""
    page = await find_patterns(
        PatternQuery(limit=PAGE_SIZE, cursor=unquote(cursor) if cursor else None),
        store=store,
        workspace=workspace,
        mining_wait_s=mining_wait_s,
    )
    return {
        "workspace": workspace,
        "total": page.total,
        "patterns": [
            {
                "id": p.id,
                "title": p.title,
                "category": p.category,
                "status": p.status,
                "frequency": p.frequency,
                "distinct_tasks": p.distinct_tasks,
                "confidence": p.confidence,
                "last_seen": p.last_seen.isoformat(),
                "has_insight": p.insight is not None,
                "uri": f"patterns://{p.id}",
            }
            for p in page.patterns
        ],
        "next": f"patterns://library/after/{quote(page.next_cursor, safe='')}" if page.next_cursor else None,
    }


async def pattern_detail(pattern_id: str, *, store: Store, workspace: str) -> dict[str, Any]:
    """The live pattern (following merges), its examples, insight, member groups and first error ids."""
    pattern = await store.get_pattern(workspace, pattern_id)
    insight = await store.insight_for(workspace, pattern.pattern_id)
    groups = [g for g in await store.signature_groups(workspace) if g.pattern_id == pattern.pattern_id]
    groups.sort(key=lambda g: (-g.count, g.first_seen))
    errors = await store.list_errors(workspace, pattern_id=pattern.pattern_id, limit=ERROR_IDS_PAGE)
    return {
        "id": pattern.pattern_id,
        "requested_id": pattern_id,
        "title": pattern.title,
        "signature": pattern.signature,
        "category": pattern.category,
        "status": pattern.status,
        "frequency": pattern.frequency,
        "distinct_tasks": pattern.distinct_tasks,
        "cohesion": pattern.cohesion,
        "first_seen": pattern.first_seen.isoformat(),
        "last_seen": pattern.last_seen.isoformat(),
        "insight": None
        if insight is None
        else {
            "id": insight.insight_id,
            "rule": insight.rule,
            "example_wrong": insight.example_wrong,
            "example_right": insight.example_right,
            "source": insight.source,
        },
        "examples": [
            {
                "error_id": e.error_id,
                "error_type": e.error_type,
                "message": e.message,
                "task_id": e.task_id,
                "source": e.source,
                "created_at": e.created_at.isoformat(),
                "traceback": e.traceback,
                "code": e.code,
            }
            for e in pattern.examples
        ],
        "provenance": {
            "fingerprints": [
                {
                    "fingerprint": g.fingerprint,
                    "title": g.title,
                    "count": g.count,
                    "distinct_tasks": g.distinct_tasks,
                    "first_seen": g.first_seen.isoformat(),
                    "last_seen": g.last_seen.isoformat(),
                    "features": dict(g.features),
                }
                for g in groups
            ],
        },
        "error_ids": [e.error_id for e in errors],
        "more_error_ids": _next_errors_uri(pattern.pattern_id, errors),
    }


async def pattern_error_ids(pattern_id: str, after: str, *, store: Store, workspace: str) -> dict[str, Any]:
    """A page of the pattern's error ids after error `after` ('start' for the first page)."""
    pattern = await store.get_pattern(workspace, pattern_id)
    after_id = None if after == "start" else after
    try:
        errors = await store.list_errors(
            workspace, pattern_id=pattern.pattern_id, after_id=after_id, limit=ERROR_IDS_PAGE
        )
    except NotFound as exc:
        raise InvalidInput(f"'after' must be an error id like e-12 or 'start' (got {after!r})") from exc
    return {
        "id": pattern.pattern_id,
        "error_ids": [e.error_id for e in errors],
        "next": _next_errors_uri(pattern.pattern_id, errors),
    }


def _next_errors_uri(pattern_id: str, errors: list[Any]) -> str | None:
    if len(errors) < ERROR_IDS_PAGE:
        return None
    return f"patterns://{pattern_id}/errors/{errors[-1].error_id}"
