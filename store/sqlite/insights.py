"""Insights on SQLite: rules learned for a pattern, found again after the pattern is merged."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ..base import InsightRecord, NewInsight
from ..ids import parse_id
from ..records import INSIGHT_COLUMNS, insight_record, qualified
from ..values import clean_optional, clean_text
from .connection import DECODE, SqliteBase, fetch_all_sync, fetch_one_sync, json_list, to_text
from .lookups import live_pattern_key_sync


class SqliteInsights(SqliteBase):
    async def add_insight(self, workspace: str, insight: NewInsight) -> InsightRecord:
        return await self._transact(_add_insight, workspace, insight, to_text(self._now()))

    async def insight_for(self, workspace: str, pattern_id: str) -> InsightRecord | None:
        """Insights written for patterns later merged into this one count as its own."""
        return await self._query(_insight_for, workspace, pattern_id)

    async def insights_for(self, workspace: str, pattern_ids: Sequence[str]) -> dict[str, InsightRecord]:
        keys = [parse_id("pattern", pattern_id) for pattern_id in dict.fromkeys(pattern_ids)]
        if not keys:
            return {}
        return await self._query(_insights_for, workspace, keys)


def _add_insight(conn: sqlite3.Connection, workspace: str, insight: NewInsight, now: str) -> InsightRecord:
    key = live_pattern_key_sync(conn, workspace, insight.pattern_id)
    row = fetch_one_sync(
        conn,
        "INSERT INTO insights (workspace, pattern_id, rule, example_wrong, example_right, source, model, "
        f"tokens, cost_usd, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {INSIGHT_COLUMNS}",
        (
            workspace,
            key,
            clean_text(insight.rule),
            clean_optional(insight.example_wrong),
            clean_optional(insight.example_right),
            clean_text(insight.source),
            clean_optional(insight.model),
            insight.tokens,
            insight.cost_usd,
            now,
        ),
    )
    assert row is not None
    return insight_record(row, DECODE, key)


def _insight_for(conn: sqlite3.Connection, workspace: str, pattern_id: str) -> InsightRecord | None:
    key = live_pattern_key_sync(conn, workspace, pattern_id)
    row = fetch_one_sync(
        conn,
        f"SELECT {INSIGHT_COLUMNS} FROM insights WHERE workspace = ? AND pattern_id IN "
        "(SELECT id FROM patterns WHERE workspace = ? AND (id = ? OR merged_into = ?)) "
        "ORDER BY id DESC LIMIT 1",
        (workspace, workspace, key, key),
    )
    return None if row is None else insight_record(row, DECODE, key)


def _insights_for(conn: sqlite3.Connection, workspace: str, keys: list[int]) -> dict[str, InsightRecord]:
    columns = qualified(INSIGHT_COLUMNS, "i")
    rows = fetch_all_sync(
        conn,
        # Per live pattern, its own insights and those of the patterns merged into it; newest first.
        f"SELECT o.owner, {columns} FROM (SELECT p.id AS owner, p.id AS source FROM patterns p "
        "WHERE p.workspace = ? AND p.id IN (SELECT value FROM json_each(?)) AND p.merged_into IS NULL "
        "UNION ALL SELECT m.merged_into, m.id FROM patterns m "
        "WHERE m.workspace = ? AND m.merged_into IN (SELECT value FROM json_each(?))) o "
        "JOIN insights i ON i.workspace = ? AND i.pattern_id = o.source "
        "ORDER BY o.owner, i.id DESC",
        (workspace, json_list(keys), workspace, json_list(keys), workspace),
    )
    newest: dict[str, InsightRecord] = {}
    for row in rows:
        record = insight_record(row, DECODE, row["owner"])
        newest.setdefault(record.pattern_id, record)
    return newest
