"""The learning loop on SQLite: protocol rules, versions and their delta log, taxonomy categories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aiosqlite

from ..base import Conflict, NotFound
from ..ids import format_id, parse_id
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
from ..values import clean_optional, clean_text, dump_json
from .connection import DECODE, SqliteBase, fetch_all, fetch_one, json_list, next_key, to_text

INSERT_RULE = """
INSERT INTO protocol_rules (id, workspace, text, scope, status, example_wrong, example_right, pattern_id,
    insight_id, provenance, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
UPDATE_RULE = """
UPDATE protocol_rules SET text = ?, scope = ?, status = ?, example_wrong = ?, example_right = ?, updated_at = ?
WHERE workspace = ? AND id = ?
"""
INSERT_OP = """
INSERT INTO protocol_ops (workspace, version, seq, op, rule_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)
"""
VERSIONS = """
SELECT v.version, v.created_at, v.note, (SELECT COUNT(*) FROM protocol_ops o
    WHERE o.workspace = v.workspace AND o.version = v.version) AS ops
FROM protocol_versions v WHERE v.workspace = ?
"""


async def _current_version(conn: aiosqlite.Connection, workspace: str) -> int:
    row = await fetch_one(
        conn, "SELECT COALESCE(MAX(version), 0) FROM protocol_versions WHERE workspace = ?", (workspace,)
    )
    assert row is not None
    return int(row[0])


async def _adopted(conn: aiosqlite.Connection, workspace: str) -> int:
    row = await fetch_one(
        conn, "SELECT COUNT(*) FROM protocol_rules WHERE workspace = ? AND status = 'adopted'", (workspace,)
    )
    assert row is not None
    return int(row[0])


async def rule_row(conn: aiosqlite.Connection, workspace: str, rule_id: str) -> aiosqlite.Row:
    key = parse_id("rule", rule_id)
    row = await fetch_one(
        conn, f"SELECT {RULE_COLUMNS} FROM protocol_rules WHERE workspace = ? AND id = ?", (workspace, key)
    )
    if row is None:
        raise NotFound(f"rule {rule_id!r} does not exist in this workspace")
    return row


async def _pattern_key(conn: aiosqlite.Connection, workspace: str, pattern_id: str | None) -> int | None:
    if pattern_id is None:
        return None
    key = parse_id("pattern", pattern_id)
    if (
        await fetch_one(conn, "SELECT 1 FROM patterns WHERE workspace = ? AND id = ?", (workspace, key))
        is None
    ):
        raise NotFound(f"pattern {pattern_id!r} does not exist in this workspace")
    return key


async def _insight_key(conn: aiosqlite.Connection, workspace: str, insight_id: str | None) -> int | None:
    if insight_id is None:
        return None
    key = parse_id("insight", insight_id)
    if (
        await fetch_one(conn, "SELECT 1 FROM insights WHERE workspace = ? AND id = ?", (workspace, key))
        is None
    ):
        raise NotFound(f"insight {insight_id!r} does not exist in this workspace")
    return key


class SqliteProtocol(SqliteBase):
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
        stamp = to_text(now)
        async with self._write() as conn:
            current = await _current_version(conn, workspace)
            if base_version is not None and base_version != current:
                raise Conflict(
                    f"the protocol is at version {current}, not {base_version}; read it again and retry"
                )
            adopted_before = await _adopted(conn, workspace)
            version = current + 1
            await conn.execute(
                "INSERT INTO protocol_versions (workspace, version, created_at, note) VALUES (?, ?, ?, ?)",
                (workspace, version, stamp, clean_text(note)),
            )
            touched: list[int] = []
            for seq, change in enumerate(changes, start=1):
                if change.new is not None and change.op == "add":
                    new = change.new
                    key = await next_key(conn, "protocol_rules")
                    await conn.execute(
                        INSERT_RULE,
                        (
                            key, workspace, clean_text(new.text), new.scope, new.status,
                            clean_optional(new.example_wrong), clean_optional(new.example_right),
                            await _pattern_key(conn, workspace, new.pattern_id),
                            await _insight_key(conn, workspace, new.insight_id),
                            dump_json(dict(new.provenance)), stamp, stamp,
                        ),
                    )  # fmt: skip
                    row = await rule_row(conn, workspace, format_id("rule", key))
                    before = None
                else:
                    assert change.rule_id is not None and change.after is not None
                    row = await rule_row(conn, workspace, change.rule_id)
                    key = row["id"]
                    before = rule_record(row, DECODE).state
                    if change.expect is not None and change.expect != before:
                        raise Conflict(f"rule {change.rule_id!r} changed meanwhile; read it again and retry")
                    after = change.after
                    await conn.execute(
                        UPDATE_RULE,
                        (
                            clean_text(after.text), after.scope, after.status, clean_optional(after.example_wrong),
                            clean_optional(after.example_right), stamp, workspace, key,
                        ),
                    )  # fmt: skip
                    row = await rule_row(conn, workspace, change.rule_id)
                state = rule_record(row, DECODE).state
                await conn.execute(
                    INSERT_OP,
                    (
                        workspace, version, seq, change.op, key,
                        None if before is None else dump_json(state_json(before)), dump_json(state_json(state)),
                    ),
                )  # fmt: skip
                touched.append(key)
            if adopted_before > 0 and await _adopted(conn, workspace) == 0:
                raise ProtocolInvariantError(
                    f"the change would leave the protocol without any adopted rule (it has {adopted_before}); "
                    "adopt or restore another rule first"
                )
            rows = {
                row["id"]: row
                for row in await fetch_all(
                    conn,
                    f"SELECT {RULE_COLUMNS} FROM protocol_rules WHERE workspace = ? AND id IN (SELECT value FROM json_each(?))",
                    (workspace, json_list(touched)),
                )
            }
        return ProtocolChange(
            version=ProtocolVersionRecord(version=version, created_at=now, note=note, ops=len(changes)),
            rules=[rule_record(rows[key], DECODE) for key in touched],
        )

    async def get_rule(self, workspace: str, rule_id: str) -> RuleRecord:
        async with self._read() as conn:
            return rule_record(await rule_row(conn, workspace, rule_id), DECODE)

    async def list_rules(
        self,
        workspace: str,
        *,
        statuses: Sequence[RuleStatus] | None = None,
        pattern_id: str | None = None,
        rule_ids: Sequence[str] | None = None,
    ) -> list[RuleRecord]:
        sql = f"SELECT {RULE_COLUMNS} FROM protocol_rules WHERE workspace = ?"
        params: list[object] = [workspace]
        if statuses is not None:
            sql += " AND status IN (SELECT value FROM json_each(?))"
            params.append(json_list(statuses))
        if pattern_id is not None:
            sql += " AND pattern_id = ?"
            params.append(parse_id("pattern", pattern_id))
        if rule_ids is not None:
            sql += " AND id IN (SELECT value FROM json_each(?))"
            params.append(json_list(parse_id("rule", r) for r in rule_ids))
        async with self._read() as conn:
            rows = await fetch_all(conn, sql + " ORDER BY id", params)
        return [rule_record(row, DECODE) for row in rows]

    async def protocol_version(self, workspace: str) -> int:
        async with self._read() as conn:
            return await _current_version(conn, workspace)

    async def protocol_versions(self, workspace: str, *, limit: int = 50) -> list[ProtocolVersionRecord]:
        async with self._read() as conn:
            rows = await fetch_all(conn, VERSIONS + " ORDER BY v.version DESC LIMIT ?", (workspace, limit))
        return [version_record(row, DECODE) for row in rows]

    async def protocol_ops(
        self, workspace: str, *, through_version: int | None = None, after_version: int = 0
    ) -> list[DeltaOpRecord]:
        async with self._read() as conn:
            rows = await fetch_all(
                conn,
                "SELECT o.version, o.seq, o.op, o.rule_id, o.before, o.after, v.created_at "
                "FROM protocol_ops o JOIN protocol_versions v ON v.workspace = o.workspace AND v.version = o.version "
                "WHERE o.workspace = ? AND o.version > ? AND (? IS NULL OR o.version <= ?) ORDER BY o.version, o.seq",
                (workspace, after_version, through_version, through_version),
            )
        return [op_record(row, DECODE) for row in rows]

    async def vote_rules(self, workspace: str, votes: Mapping[str, tuple[int, int]]) -> None:
        if not votes:
            return
        async with self._write() as conn:
            await conn.executemany(
                "UPDATE protocol_rules SET helpful = helpful + ?, harmful = harmful + ? WHERE workspace = ? AND id = ?",
                [(h, b, workspace, parse_id("rule", r)) for r, (h, b) in votes.items()],
            )

    # taxonomy ----------------------------------------------------------------------------------
    async def taxonomy_categories(self, workspace: str) -> list[TaxonomyCategoryRecord]:
        async with self._read() as conn:
            rows = await fetch_all(
                conn,
                f"SELECT {TAXONOMY_COLUMNS} FROM taxonomy_categories WHERE workspace = ? ORDER BY category",
                (workspace,),
            )
        return [taxonomy_record(row, DECODE) for row in rows]

    async def put_taxonomy_category(self, workspace: str, category: TaxonomyCategoryRecord) -> None:
        async with self._write() as conn:
            await conn.execute(
                f"INSERT INTO taxonomy_categories (workspace, {TAXONOMY_COLUMNS}, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (workspace, category) DO UPDATE SET "
                "name = excluded.name, description = excluded.description, keywords = excluded.keywords, "
                "error_categories = excluded.error_categories, phase = excluded.phase, always = excluded.always, "
                "position = excluded.position",
                (
                    workspace, category.category, clean_text(category.name), clean_text(category.description),
                    dump_json(list(category.keywords)), dump_json(list(category.error_categories)), category.phase,
                    int(category.always), category.order, to_text(self._now()),
                ),
            )  # fmt: skip
