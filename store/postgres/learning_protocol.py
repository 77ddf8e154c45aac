"""The learning loop on PostgreSQL: protocol rules, versions and their delta log, taxonomy categories.

Protocol changes of one workspace are serialised with a transaction-scoped advisory lock, so the
version number, the `expect` guards and the never-collapse check all see the state they change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..base import Conflict, NotFound
from ..ids import parse_id
from ..learning import (
    DeltaOpRecord,
    ProtocolChange,
    ProtocolInvariantError,
    ProtocolVersionRecord,
    RuleChange,
    RuleRecord,
    RuleStatus,
    TaxonomyCategoryRecord,
)
from ..learning_rows import (
    RULE_COLUMNS,
    TAXONOMY_COLUMNS,
    check_change,
    op_record,
    rule_record,
    state_json,
    taxonomy_record,
    version_record,
)
from ..values import clean_optional, clean_text
from .connection import DECODE, Params, PostgresBase

if TYPE_CHECKING:
    import asyncpg
INSERT_RULE = f"""
INSERT INTO protocol_rules (workspace, text, scope, status, example_wrong, example_right, pattern_id,
    insight_id, provenance, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $10)
RETURNING {RULE_COLUMNS}
"""
UPDATE_RULE = f"""
UPDATE protocol_rules SET text = $3, scope = $4, status = $5, example_wrong = $6, example_right = $7, updated_at = $8
WHERE workspace = $1 AND id = $2
RETURNING {RULE_COLUMNS}
"""
INSERT_OP = """
INSERT INTO protocol_ops (workspace, version, seq, op, rule_id, before, after)
VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)
"""
VERSIONS = """
SELECT v.version, v.created_at, v.note, (SELECT COUNT(*) FROM protocol_ops o
    WHERE o.workspace = v.workspace AND o.version = v.version) AS ops
FROM protocol_versions v WHERE v.workspace = $1 ORDER BY v.version DESC LIMIT $2
"""


async def rule_row(conn: asyncpg.Connection, workspace: str, rule_id: str, *, lock: bool = False) -> Any:
    key = parse_id("rule", rule_id)
    row = await conn.fetchrow(
        f"SELECT {RULE_COLUMNS} FROM protocol_rules WHERE workspace = $1 AND id = $2{' FOR UPDATE' if lock else ''}",
        workspace,
        key,
    )
    if row is None:
        raise NotFound(f"rule {rule_id!r} does not exist in this workspace")
    return row


async def _adopted(conn: asyncpg.Connection, workspace: str) -> int:
    return int(
        await conn.fetchval(
            "SELECT COUNT(*) FROM protocol_rules WHERE workspace = $1 AND status = 'adopted'", workspace
        )
    )


async def _key_in(
    conn: asyncpg.Connection, table: str, kind: str, workspace: str, public_id: str | None
) -> int | None:
    if public_id is None:
        return None
    key = parse_id(kind, public_id)
    if await conn.fetchval(f"SELECT 1 FROM {table} WHERE workspace = $1 AND id = $2", workspace, key) is None:
        raise NotFound(f"{kind} {public_id!r} does not exist in this workspace")
    return key


class PostgresProtocol(PostgresBase):
    # rules and versions ------------------------------------------------------------------------
    async def change_protocol(
        self,
        workspace: str,
        changes: Sequence[RuleChange],
        *,
        note: str,
        base_version: int | None = None,
    ) -> ProtocolChange:
        if not changes:
            raise ValueError("change_protocol needs at least one change")
        for change in changes:
            check_change(change)
        now = self._now()
        async with self._write() as conn:
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext('fractal-rmo protocol ' || $1))", workspace
            )
            current = int(
                await conn.fetchval(
                    "SELECT COALESCE(MAX(version), 0) FROM protocol_versions WHERE workspace = $1", workspace
                )
            )
            if base_version is not None and base_version != current:
                raise Conflict(
                    f"the protocol is at version {current}, not {base_version}; read it again and retry"
                )
            adopted_before = await _adopted(conn, workspace)
            version = current + 1
            await conn.execute(
                "INSERT INTO protocol_versions (workspace, version, created_at, note) VALUES ($1, $2, $3, $4)",
                workspace,
                version,
                now,
                clean_text(note),
            )
            touched: list[RuleRecord] = []
            for seq, change in enumerate(changes, start=1):
                if change.op == "add" and change.new is not None:
                    new = change.new
                    row = await conn.fetchrow(
                        INSERT_RULE,
                        workspace, clean_text(new.text), new.scope, new.status, clean_optional(new.example_wrong),
                        clean_optional(new.example_right),
                        await _key_in(conn, "patterns", "pattern", workspace, new.pattern_id),
                        await _key_in(conn, "insights", "insight", workspace, new.insight_id),
                        dict(new.provenance), now,
                    )  # fmt: skip
                    before = None
                else:
                    assert change.rule_id is not None and change.after is not None
                    current_row = await rule_row(conn, workspace, change.rule_id, lock=True)
                    before = rule_record(current_row, DECODE).state
                    if change.expect is not None and change.expect != before:
                        raise Conflict(f"rule {change.rule_id!r} changed meanwhile; read it again and retry")
                    after = change.after
                    row = await conn.fetchrow(
                        UPDATE_RULE,
                        workspace, current_row["id"], clean_text(after.text), after.scope, after.status,
                        clean_optional(after.example_wrong), clean_optional(after.example_right), now,
                    )  # fmt: skip
                record = rule_record(row, DECODE)
                await conn.execute(
                    INSERT_OP,
                    workspace, version, seq, change.op, row["id"],
                    None if before is None else state_json(before), state_json(record.state),
                )  # fmt: skip
                touched.append(record)
            if adopted_before > 0 and await _adopted(conn, workspace) == 0:
                raise ProtocolInvariantError(
                    f"the change would leave the protocol without any adopted rule (it has {adopted_before}); "
                    "adopt or restore another rule first"
                )
        return ProtocolChange(
            version=ProtocolVersionRecord(version=version, created_at=now, note=note, ops=len(changes)),
            rules=touched,
        )

    async def get_rule(self, workspace: str, rule_id: str) -> RuleRecord:
        async with self._statement() as conn:
            return rule_record(await rule_row(conn, workspace, rule_id), DECODE)

    async def list_rules(
        self,
        workspace: str,
        *,
        statuses: Sequence[RuleStatus] | None = None,
        pattern_id: str | None = None,
        rule_ids: Sequence[str] | None = None,
    ) -> list[RuleRecord]:
        p = Params(workspace)
        sql = f"SELECT {RULE_COLUMNS} FROM protocol_rules WHERE workspace = $1"
        if statuses is not None:
            sql += f" AND status = ANY({p.add(list(statuses))}::text[])"
        if pattern_id is not None:
            sql += f" AND pattern_id = {p.add(parse_id('pattern', pattern_id))}"
        if rule_ids is not None:
            sql += f" AND id = ANY({p.add([parse_id('rule', r) for r in rule_ids])}::bigint[])"
        async with self._statement() as conn:
            rows = await conn.fetch(sql + " ORDER BY id", *p.values)
        return [rule_record(row, DECODE) for row in rows]

    async def protocol_version(self, workspace: str) -> int:
        async with self._statement() as conn:
            return int(
                await conn.fetchval(
                    "SELECT COALESCE(MAX(version), 0) FROM protocol_versions WHERE workspace = $1", workspace
                )
            )

    async def protocol_versions(self, workspace: str, *, limit: int = 50) -> list[ProtocolVersionRecord]:
        async with self._statement() as conn:
            rows = await conn.fetch(VERSIONS, workspace, limit)
        return [version_record(row, DECODE) for row in rows]

    async def protocol_ops(
        self, workspace: str, *, through_version: int | None = None, after_version: int = 0
    ) -> list[DeltaOpRecord]:
        async with self._statement() as conn:
            rows = await conn.fetch(
                "SELECT o.version, o.seq, o.op, o.rule_id, o.before, o.after, v.created_at "
                "FROM protocol_ops o JOIN protocol_versions v ON v.workspace = o.workspace AND v.version = o.version "
                "WHERE o.workspace = $1 AND o.version > $2 AND ($3::integer IS NULL OR o.version <= $3) "
                "ORDER BY o.version, o.seq",
                workspace,
                after_version,
                through_version,
            )
        return [op_record(row, DECODE) for row in rows]

    async def vote_rules(self, workspace: str, votes: Mapping[str, tuple[int, int]]) -> None:
        if not votes:
            return
        ordered = sorted(
            (parse_id("rule", r), h, b) for r, (h, b) in votes.items()
        )  # key order: no deadlocks
        async with self._statement() as conn:
            # One statement, rows locked in id order (no deadlocks) and only while it runs.
            await conn.execute(
                "WITH votes AS (SELECT * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[]) AS v(id, helpful, harmful)), "
                "locked AS (SELECT id FROM protocol_rules WHERE workspace = $1 AND id IN (SELECT id FROM votes) "
                "ORDER BY id FOR UPDATE) "
                "UPDATE protocol_rules r SET helpful = r.helpful + v.helpful, harmful = r.harmful + v.harmful "
                "FROM votes v, locked l WHERE r.workspace = $1 AND r.id = v.id AND l.id = r.id",
                workspace,
                [key for key, _, _ in ordered],
                [h for _, h, _ in ordered],
                [b for _, _, b in ordered],
            )

    # taxonomy ----------------------------------------------------------------------------------
    async def taxonomy_categories(self, workspace: str) -> list[TaxonomyCategoryRecord]:
        async with self._statement() as conn:
            rows = await conn.fetch(
                f"SELECT {TAXONOMY_COLUMNS} FROM taxonomy_categories WHERE workspace = $1 ORDER BY category",
                workspace,
            )
        return [taxonomy_record(row, DECODE) for row in rows]

    async def put_taxonomy_category(self, workspace: str, category: TaxonomyCategoryRecord) -> None:
        async with self._write() as conn:
            await conn.execute(
                f"INSERT INTO taxonomy_categories (workspace, {TAXONOMY_COLUMNS}, created_at) "
                "VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9, $10) "
                "ON CONFLICT (workspace, category) DO UPDATE SET name = excluded.name, "
                "description = excluded.description, keywords = excluded.keywords, "
                "error_categories = excluded.error_categories, phase = excluded.phase, always = excluded.always, "
                "position = excluded.position",
                workspace, category.category, clean_text(category.name), clean_text(category.description),
                list(category.keywords), list(category.error_categories), category.phase, category.always,
                category.order, self._now(),
            )  # fmt: skip
