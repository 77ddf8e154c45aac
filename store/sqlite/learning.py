"""The learning loop on SQLite: protocol rules and versions, experiments, observations, taxonomy."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import aiosqlite

from ..base import Conflict, NotFound
from ..ids import format_id, parse_id
from ..learning import (
    Arm,
    DeltaOpRecord,
    ExperimentRecord,
    ExperimentStatus,
    Exposure,
    NewExperiment,
    ObservationRecord,
    Outcome,
    ProtocolChange,
    ProtocolInvariantError,
    ProtocolVersionRecord,
    RuleChange,
    RuleRecord,
    RuleStatus,
    TaskErrorSummary,
    TaxonomyCategoryRecord,
)
from ..learning_rows import (
    ARM_PREFIX,
    EXPERIMENT_COLUMNS,
    OBSERVATION_COLUMNS,
    RULE_COLUMNS,
    TAXONOMY_COLUMNS,
    check_change,
    experiment_record,
    observation_record,
    op_record,
    rule_record,
    state_json,
    taxonomy_record,
    version_record,
)
from ..values import clean_optional, clean_text, dump_json
from .connection import DECODE, SqliteBase, fetch_all, fetch_one, json_list, next_key, to_text
from .lookups import live_pattern_key, task_key

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
PATTERN_TASK_TEXTS = """
SELECT t.description FROM tasks t WHERE t.workspace = ? AND t.id IN (
    SELECT DISTINCT e.task_id FROM errors e
    JOIN signatures s ON s.workspace = e.workspace AND s.fingerprint = e.fingerprint
    WHERE e.workspace = ? AND s.pattern_id = ? AND e.task_id IS NOT NULL AND e.task_id != ? AND e.source != 'review'
    ORDER BY e.task_id DESC LIMIT ?)
ORDER BY t.id DESC
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


async def _rule_row(conn: aiosqlite.Connection, workspace: str, rule_id: str) -> aiosqlite.Row:
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


class SqliteLearning(SqliteBase):
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
                    row = await _rule_row(conn, workspace, format_id("rule", key))
                    before = None
                else:
                    assert change.rule_id is not None and change.after is not None
                    row = await _rule_row(conn, workspace, change.rule_id)
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
                    row = await _rule_row(conn, workspace, change.rule_id)
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
            return rule_record(await _rule_row(conn, workspace, rule_id), DECODE)

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

    # experiments -------------------------------------------------------------------------------
    async def add_experiment(self, workspace: str, experiment: NewExperiment) -> ExperimentRecord:
        async with self._write() as conn:
            rule = await _rule_row(conn, workspace, experiment.rule_id)
            key = await next_key(conn, "experiments")
            await conn.execute(
                "INSERT INTO experiments (id, workspace, rule_id, family, ordinal, share, alpha, harm_alpha, "
                "sample_cap, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key, workspace, rule["id"], experiment.family, experiment.ordinal, experiment.share,
                    experiment.alpha, experiment.harm_alpha, experiment.sample_cap, to_text(self._now()),
                ),
            )  # fmt: skip
            row = await fetch_one(conn, f"SELECT {EXPERIMENT_COLUMNS} FROM experiments WHERE id = ?", (key,))
        assert row is not None
        return experiment_record(row, DECODE)

    async def get_experiment(self, workspace: str, experiment_id: str) -> ExperimentRecord:
        key = parse_id("experiment", experiment_id)
        async with self._read() as conn:
            row = await fetch_one(
                conn,
                f"SELECT {EXPERIMENT_COLUMNS} FROM experiments WHERE workspace = ? AND id = ?",
                (workspace, key),
            )
        if row is None:
            raise NotFound(f"experiment {experiment_id!r} does not exist in this workspace")
        return experiment_record(row, DECODE)

    async def list_experiments(
        self,
        workspace: str,
        *,
        statuses: Sequence[ExperimentStatus] | None = None,
        rule_id: str | None = None,
        family: str | None = None,
    ) -> list[ExperimentRecord]:
        sql = f"SELECT {EXPERIMENT_COLUMNS} FROM experiments WHERE workspace = ?"
        params: list[object] = [workspace]
        if statuses is not None:
            sql += " AND status IN (SELECT value FROM json_each(?))"
            params.append(json_list(statuses))
        if rule_id is not None:
            sql += " AND rule_id = ?"
            params.append(parse_id("rule", rule_id))
        if family is not None:
            sql += " AND family = ?"
            params.append(family)
        async with self._read() as conn:
            rows = await fetch_all(conn, sql + " ORDER BY id", params)
        return [experiment_record(row, DECODE) for row in rows]

    async def update_experiment_evidence(
        self, workspace: str, experiment_id: str, *, e_value: float, harm_e_value: float
    ) -> None:
        key = parse_id("experiment", experiment_id)
        async with self._write() as conn:
            await conn.execute(
                "UPDATE experiments SET e_value = ?, e_max = max(e_max, ?), harm_e_value = ? "
                "WHERE workspace = ? AND id = ? AND status = 'running'",
                (e_value, e_value, harm_e_value, workspace, key),
            )

    async def decide_experiment(
        self, workspace: str, experiment_id: str, *, status: ExperimentStatus, decision: str
    ) -> bool:
        if status == "running":
            raise ValueError("decide_experiment needs a final status (adopted, retired or stopped)")
        key = parse_id("experiment", experiment_id)
        async with self._write() as conn:
            rows = await fetch_all(
                conn,
                "UPDATE experiments SET status = ?, decision = ?, decided_at = ? "
                "WHERE workspace = ? AND id = ? AND status = 'running' RETURNING id",
                (status, clean_text(decision), to_text(self._now()), workspace, key),
            )
            if (
                not rows
                and await fetch_one(
                    conn, "SELECT 1 FROM experiments WHERE workspace = ? AND id = ?", (workspace, key)
                )
                is None
            ):
                raise NotFound(f"experiment {experiment_id!r} does not exist in this workspace")
        return bool(rows)

    # observations ------------------------------------------------------------------------------
    async def record_exposures(
        self, workspace: str, task_id: str, exposures: Sequence[Exposure]
    ) -> list[Exposure]:
        if not exposures:
            return []
        stamp = to_text(self._now())
        async with self._write() as conn:
            task = await task_key(conn, workspace, task_id)
            keys = []
            for exposure in exposures:
                rule = (await _rule_row(conn, workspace, exposure.rule_id))["id"]
                experiment = (
                    None if exposure.experiment_id is None else parse_id("experiment", exposure.experiment_id)
                )
                await conn.execute(
                    "INSERT INTO rule_observations (workspace, rule_id, task_id, experiment_id, arm, assigned_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (workspace, rule, task, experiment, exposure.arm, stamp),
                )
                keys.append(rule)
            rows = await fetch_all(
                conn,
                f"SELECT {OBSERVATION_COLUMNS} FROM rule_observations WHERE workspace = ? AND task_id = ? "
                "AND rule_id IN (SELECT value FROM json_each(?))",
                (workspace, task, json_list(keys)),
            )
        stored = {row["rule_id"]: observation_record(row, DECODE) for row in rows}
        return [
            Exposure(rule_id=o.rule_id, arm=o.arm, experiment_id=o.experiment_id)
            for o in (stored[key] for key in dict.fromkeys(keys))
        ]

    async def record_outcomes(
        self, workspace: str, task_id: str, outcomes: Sequence[Outcome]
    ) -> list[ObservationRecord]:
        if not outcomes:
            return []
        stamp = to_text(self._now())
        filled: list[ObservationRecord] = []
        async with self._write() as conn:
            task = await task_key(conn, workspace, task_id)
            for outcome in outcomes:
                rows = await fetch_all(
                    conn,
                    "UPDATE rule_observations SET recurred = ?, succeeded = ?, observed_at = ? "
                    "WHERE workspace = ? AND rule_id = ? AND task_id = ? AND recurred IS NULL "
                    f"RETURNING {OBSERVATION_COLUMNS}",
                    (int(outcome.recurred), int(outcome.succeeded), stamp, workspace,
                     parse_id("rule", outcome.rule_id), task),
                )  # fmt: skip
                for row in rows:
                    observation = observation_record(row, DECODE)
                    filled.append(observation)
                    if row["experiment_id"] is not None:
                        await _count(conn, row["experiment_id"], observation.arm, outcome)
        return filled

    async def list_observations(
        self,
        workspace: str,
        *,
        task_id: str | None = None,
        rule_id: str | None = None,
        experiment_id: str | None = None,
        arm: Arm | None = None,
    ) -> list[ObservationRecord]:
        sql = f"SELECT {OBSERVATION_COLUMNS} FROM rule_observations WHERE workspace = ?"
        params: list[object] = [workspace]
        for column, value in (
            ("task_id", None if task_id is None else parse_id("task", task_id)),
            ("rule_id", None if rule_id is None else parse_id("rule", rule_id)),
            ("experiment_id", None if experiment_id is None else parse_id("experiment", experiment_id)),
            ("arm", arm),
        ):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        async with self._read() as conn:
            rows = await fetch_all(conn, sql + " ORDER BY task_id, rule_id", params)
        return [observation_record(row, DECODE) for row in rows]

    # read models -------------------------------------------------------------------------------
    async def task_error_summaries(
        self, workspace: str, *, closed_only: bool = True
    ) -> list[TaskErrorSummary]:
        sql = (
            "SELECT t.id, t.description, t.status, t.created_at, t.completed_at, t.tokens, t.cost_usd, "
            "(SELECT COUNT(*) FROM errors e WHERE e.workspace = t.workspace AND e.task_id = t.id "
            " AND e.source != 'review') AS errors, "
            "(SELECT json_group_array(DISTINCT s.pattern_id) FROM errors e JOIN signatures s "
            " ON s.workspace = e.workspace AND s.fingerprint = e.fingerprint "
            " WHERE e.workspace = t.workspace AND e.task_id = t.id AND e.source != 'review') AS patterns "
            "FROM tasks t WHERE t.workspace = ?"
        )
        if closed_only:
            sql += " AND t.status != 'open'"
        async with self._read() as conn:
            rows = await fetch_all(conn, sql + " ORDER BY t.id", (workspace,))
        return [
            TaskErrorSummary(
                task_id=format_id("task", row["id"]),
                description=row["description"],
                status=row["status"],
                created_at=DECODE.time(row["created_at"]),
                completed_at=None if row["completed_at"] is None else DECODE.time(row["completed_at"]),
                tokens=row["tokens"],
                cost_usd=row["cost_usd"],
                errors=row["errors"],
                pattern_ids=tuple(format_id("pattern", p) for p in sorted(json.loads(row["patterns"]))),
            )
            for row in rows
        ]

    async def pattern_task_texts(
        self,
        workspace: str,
        pattern_ids: Sequence[str],
        *,
        per_pattern: int = 20,
        exclude_task_id: str | None = None,
    ) -> dict[str, list[str]]:
        excluded = 0 if exclude_task_id is None else parse_id("task", exclude_task_id)
        out: dict[str, list[str]] = {}
        async with self._read() as conn:
            for pattern_id in dict.fromkeys(pattern_ids):
                try:
                    key = await live_pattern_key(conn, workspace, pattern_id)
                except NotFound:
                    out[pattern_id] = []
                    continue
                rows = await fetch_all(
                    conn, PATTERN_TASK_TEXTS, (workspace, workspace, key, excluded, per_pattern)
                )
                out[pattern_id] = [row[0] for row in rows]
        return out

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


async def _count(conn: aiosqlite.Connection, experiment: int, arm: Arm, outcome: Outcome) -> None:
    """Move an experiment's counters for one outcome; only a running experiment counts, so a decided
    one keeps exactly the numbers its decision was taken on."""
    p = ARM_PREFIX[arm]
    await conn.execute(
        f"UPDATE experiments SET {p}_tasks = {p}_tasks + 1, {p}_events = {p}_events + ?, "
        f"{p}_failures = {p}_failures + ? WHERE id = ? AND status = 'running'",
        (int(outcome.recurred), int(not outcome.succeeded), experiment),
    )
