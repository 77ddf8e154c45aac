"""`find_patterns`: bring the pattern library up to date, then list it."""

from __future__ import annotations

from store.base import MINING_WAIT_S, InsightRecord, NotFound, PatternRecord, Store, StoredError
from tools.errors import InvalidInput

from .confidence import confidence
from .mine import mine_patterns
from .models import PatternExample, PatternList, PatternOut, PatternQuery

_EXCERPT_LINES_BEFORE = 2
_EXCERPT_LINES_AFTER = 1
_EXCERPT_LINE_CHARS = 120


async def find_patterns(
    query: PatternQuery, *, store: Store, workspace: str, mining_wait_s: float = MINING_WAIT_S
) -> PatternList:
    """List recurring mistakes: fingerprint groups merged into patterns, most frequent first.

    Errors logged since the last call are mined first (compared with the library and merged into
    the pattern they belong to), so the list is always current. Mining takes the workspace's turn
    among all server processes; waiting longer than `mining_wait_s` for it raises `Busy`.
    """
    report = await mine_patterns(store, workspace, wait_s=mining_wait_s)
    try:
        page = await store.list_patterns(
            workspace,
            category=query.category,
            min_frequency=query.min_frequency,
            since=query.since,
            status=query.status,
            limit=query.limit,
            cursor=query.cursor,
        )
    except NotFound as exc:  # the only argument a store can fail to find is the cursor
        raise InvalidInput(
            f"'cursor' must be a next_cursor value from a previous find_patterns call (got {query.cursor!r}). "
            "Call find_patterns without a cursor to start from the first page."
        ) from exc
    insights = await store.insights_for(workspace, [record.pattern_id for record in page.patterns])
    patterns = [_pattern_out(record, insights.get(record.pattern_id)) for record in page.patterns]
    return PatternList(
        patterns=patterns,
        next_cursor=page.next_cursor,
        total=page.total,
        mined_groups=report.groups_mined,
        merged_patterns=report.patterns_merged,
    )


def _pattern_out(record: PatternRecord, insight: InsightRecord | None) -> PatternOut:
    return PatternOut(
        id=record.pattern_id,
        title=record.title,
        signature=record.signature,
        category=record.category,
        frequency=record.frequency,
        distinct_tasks=record.distinct_tasks,
        fingerprints=record.fingerprints,
        confidence=confidence(
            frequency=record.frequency, distinct_tasks=record.distinct_tasks, cohesion=record.cohesion
        ),
        first_seen=record.first_seen,
        last_seen=record.last_seen,
        examples=[_example(error) for error in record.examples],
        insight=insight.rule if insight else None,
        status=record.status,
    )


def _example(error: StoredError) -> PatternExample:
    return PatternExample(
        error_id=error.error_id,
        message=error.message,
        error_type=error.error_type,
        task_id=error.task_id,
        created_at=error.created_at,
        code_excerpt=code_excerpt(error.code, error.details.get("line")),
    )


def code_excerpt(code: str | None, line: object) -> str | None:
    """Numbered lines around `line` (or the first lines when it is unknown), ``>`` at the failing one."""
    if not code:
        return None
    lines = code.split("\n")
    if isinstance(line, int) and 1 <= line <= len(lines):
        start, end = max(1, line - _EXCERPT_LINES_BEFORE), min(len(lines), line + _EXCERPT_LINES_AFTER)
    else:
        line, start, end = None, 1, min(len(lines), 4)
    width = len(str(end))
    excerpt = [
        f"{'>' if number == line else ' '} {number:>{width}} | {lines[number - 1][:_EXCERPT_LINE_CHARS]}"
        for number in range(start, end + 1)
    ]
    return "\n".join(excerpt).rstrip() or None
