"""Insights on PostgreSQL: rules learned for a pattern, found again after the pattern is merged."""

from __future__ import annotations

from ..base import InsightRecord, NewInsight
from ..records import INSIGHT_COLUMNS, insight_record
from ..values import clean_optional, clean_text
from .connection import DECODE, PostgresBase
from .lookups import live_pattern_key


class PostgresInsights(PostgresBase):
    async def add_insight(self, workspace: str, insight: NewInsight) -> InsightRecord:
        async with self._write() as conn:
            key = await live_pattern_key(conn, workspace, insight.pattern_id)
            row = await conn.fetchrow(
                "INSERT INTO insights (workspace, pattern_id, rule, example_wrong, example_right, source, model, "
                f"tokens, cost_usd, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {INSIGHT_COLUMNS}",
                workspace,
                key,
                clean_text(insight.rule),
                clean_optional(insight.example_wrong),
                clean_optional(insight.example_right),
                clean_text(insight.source),
                clean_optional(insight.model),
                insight.tokens,
                insight.cost_usd,
                self._now(),
            )
        return insight_record(row, DECODE, key)

    async def insight_for(self, workspace: str, pattern_id: str) -> InsightRecord | None:
        """Insights written for patterns later merged into this one count as its own."""
        async with self._read() as conn:
            key = await live_pattern_key(conn, workspace, pattern_id)
            row = await conn.fetchrow(
                # Two index lookups (the pattern, and those merged into it), not a scan of the workspace.
                f"SELECT {INSIGHT_COLUMNS} FROM insights WHERE workspace = $1 AND pattern_id = ANY (ARRAY("
                "SELECT $2::bigint UNION ALL SELECT id FROM patterns WHERE workspace = $1 AND merged_into = $2)) "
                "ORDER BY id DESC LIMIT 1",
                workspace,
                key,
            )
        return None if row is None else insight_record(row, DECODE, key)
