"""Insights on SQLite: rules learned for a pattern, found again after the pattern is merged."""

from __future__ import annotations

import sqlite3

from ..base import InsightRecord, NewInsight
from ..records import INSIGHT_COLUMNS, insight_record
from ..values import clean_optional, clean_text
from .connection import DECODE, SqliteBase, fetch_one_sync, to_text
from .lookups import live_pattern_key_sync


class SqliteInsights(SqliteBase):
    async def add_insight(self, workspace: str, insight: NewInsight) -> InsightRecord:
        return await self._transact(_add_insight, workspace, insight, to_text(self._now()))

    async def insight_for(self, workspace: str, pattern_id: str) -> InsightRecord | None:
        """Insights written for patterns later merged into this one count as its own."""
        return await self._query(_insight_for, workspace, pattern_id)


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
