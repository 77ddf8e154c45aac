"""Insights on PostgreSQL: rules learned for a pattern, found again after the pattern is merged."""

from __future__ import annotations

from collections.abc import Sequence

from ..base import InsightRecord, NewInsight
from ..ids import parse_id
from ..records import INSIGHT_COLUMNS, insight_record, qualified
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

    async def insights_for(self, workspace: str, pattern_ids: Sequence[str]) -> dict[str, InsightRecord]:
        keys = [parse_id("pattern", pattern_id) for pattern_id in dict.fromkeys(pattern_ids)]
        if not keys:
            return {}
        async with self._statement() as conn:
            rows = await conn.fetch(
                # Per live pattern, its own insights and those of the patterns merged into it; newest first.
                "SELECT DISTINCT ON (o.owner) o.owner, "
                + qualified(INSIGHT_COLUMNS, "i")
                + " FROM (SELECT p.id AS owner, p.id AS source FROM patterns p "
                "WHERE p.workspace = $1 AND p.id = ANY($2::bigint[]) AND p.merged_into IS NULL "
                "UNION ALL SELECT m.merged_into, m.id FROM patterns m "
                "WHERE m.workspace = $1 AND m.merged_into = ANY($2::bigint[])) o "
                "JOIN insights i ON i.workspace = $1 AND i.pattern_id = o.source "
                "ORDER BY o.owner, i.id DESC",
                workspace,
                keys,
            )
        records = (insight_record(row, DECODE, row["owner"]) for row in rows)
        return {record.pattern_id: record for record in records}
