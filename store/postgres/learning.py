"""The learning loop on PostgreSQL: protocol rules and versions, experiments, observations, taxonomy.

Protocol changes of one workspace are serialised with a transaction-scoped advisory lock, so the
version number, the `expect` guards and the never-collapse check all see the state they change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

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
from ..values import clean_optional, clean_text
from .connection import DECODE, Params, PostgresBase
from .lookups import live_pattern_key, task_key

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
PATTERN_TASK_TEXTS = """
SELECT t.description FROM tasks t WHERE t.workspace = $1 AND t.id IN (
    SELECT DISTINCT e.task_id FROM errors e
    JOIN signatures s ON s.workspace = e.workspace AND s.fingerprint = e.fingerprint
    WHERE e.workspace = $1 AND s.pattern_id = $2 AND e.task_id IS NOT NULL AND e.task_id != $3
      AND e.source != 'review'
    ORDER BY e.task_id DESC LIMIT $4)
ORDER BY t.id DESC
"""
TASK_SUMMARIES = """
SELECT t.id, t.description, t.status, t.created_at, t.completed_at, t.tokens, t.cost_usd,
    (SELECT COUNT(*) FROM errors e WHERE e.workspace = t.workspace AND e.task_id = t.id
        AND e.source != 'review') AS errors,
    ARRAY(SELECT DISTINCT s.pattern_id FROM errors e JOIN signatures s
        ON s.workspace = e.workspace AND s.fingerprint = e.fingerprint
        WHERE e.workspace = t.workspace AND e.task_id = t.id AND e.source != 'review'
          AND s.pattern_id IS NOT NULL ORDER BY s.pattern_id) AS patterns
FROM tasks t WHERE t.workspace = $1 AND ($2 = false OR t.status != 'open')
ORDER BY t.id
"""


async def _rule_row(conn: asyncpg.Connection, workspace: str, rule_id: str, *, lock: bool = False) -> Any:
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


class PostgresLearning(PostgresBase):
    """Learning-loop methods of `PostgresStore`."""

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
                    current_row = await _rule_row(conn, workspace, change.rule_id, lock=True)
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
        p = Params(workspace)
        sql = f"SELECT {RULE_COLUMNS} FROM protocol_rules WHERE workspace = $1"
        if statuses is not None:
            sql += f" AND status = ANY({p.add(list(statuses))}::text[])"
        if pattern_id is not None:
            sql += f" AND pattern_id = {p.add(parse_id('pattern', pattern_id))}"
        if rule_ids is not None:
            sql += f" AND id = ANY({p.add([parse_id('rule', r) for r in rule_ids])}::bigint[])"
        async with self._read() as conn:
            rows = await conn.fetch(sql + " ORDER BY id", *p.values)
        return [rule_record(row, DECODE) for row in rows]

    async def protocol_version(self, workspace: str) -> int:
        async with self._read() as conn:
            return int(
                await conn.fetchval(
                    "SELECT COALESCE(MAX(version), 0) FROM protocol_versions WHERE workspace = $1", workspace
                )
            )

    async def protocol_versions(self, workspace: str, *, limit: int = 50) -> list[ProtocolVersionRecord]:
        async with self._read() as conn:
            rows = await conn.fetch(VERSIONS, workspace, limit)
        return [version_record(row, DECODE) for row in rows]

    async def protocol_ops(
        self, workspace: str, *, through_version: int | None = None, after_version: int = 0
    ) -> list[DeltaOpRecord]:
        async with self._read() as conn:
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
        async with self._write() as conn:
            await conn.executemany(
                "UPDATE protocol_rules SET helpful = helpful + $3, harmful = harmful + $4 WHERE workspace = $1 AND id = $2",
                [(workspace, key, h, b) for key, h, b in ordered],
            )

    # experiments -------------------------------------------------------------------------------
    async def add_experiment(self, workspace: str, experiment: NewExperiment) -> ExperimentRecord:
        async with self._write() as conn:
            rule = await _rule_row(conn, workspace, experiment.rule_id)
            row = await conn.fetchrow(
                "INSERT INTO experiments (workspace, rule_id, family, ordinal, share, alpha, harm_alpha, sample_cap, "
                f"started_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {EXPERIMENT_COLUMNS}",
                workspace, rule["id"], experiment.family, experiment.ordinal, experiment.share, experiment.alpha,
                experiment.harm_alpha, experiment.sample_cap, self._now(),
            )  # fmt: skip
        return experiment_record(row, DECODE)

    async def get_experiment(self, workspace: str, experiment_id: str) -> ExperimentRecord:
        key = parse_id("experiment", experiment_id)
        async with self._read() as conn:
            row = await conn.fetchrow(
                f"SELECT {EXPERIMENT_COLUMNS} FROM experiments WHERE workspace = $1 AND id = $2",
                workspace,
                key,
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
        p = Params(workspace)
        sql = f"SELECT {EXPERIMENT_COLUMNS} FROM experiments WHERE workspace = $1"
        if statuses is not None:
            sql += f" AND status = ANY({p.add(list(statuses))}::text[])"
        if rule_id is not None:
            sql += f" AND rule_id = {p.add(parse_id('rule', rule_id))}"
        if family is not None:
            sql += f" AND family = {p.add(family)}"
        async with self._read() as conn:
            rows = await conn.fetch(sql + " ORDER BY id", *p.values)
        return [experiment_record(row, DECODE) for row in rows]

    async def update_experiment_evidence(
        self, workspace: str, experiment_id: str, *, e_value: float, harm_e_value: float
    ) -> None:
        async with self._write() as conn:
            await conn.execute(
                "UPDATE experiments SET e_value = $3, e_max = GREATEST(e_max, $3), harm_e_value = $4 "
                "WHERE workspace = $1 AND id = $2 AND status = 'running'",
                workspace,
                parse_id("experiment", experiment_id),
                e_value,
                harm_e_value,
            )

    async def decide_experiment(
        self, workspace: str, experiment_id: str, *, status: ExperimentStatus, decision: str
    ) -> bool:
        if status == "running":
            raise ValueError("decide_experiment needs a final status (adopted, retired or stopped)")
        key = parse_id("experiment", experiment_id)
        async with self._write() as conn:
            decided = await conn.fetchval(
                "UPDATE experiments SET status = $3, decision = $4, decided_at = $5 "
                "WHERE workspace = $1 AND id = $2 AND status = 'running' RETURNING id",
                workspace, key, status, clean_text(decision), self._now(),
            )  # fmt: skip
            if decided is None and (
                await conn.fetchval(
                    "SELECT 1 FROM experiments WHERE workspace = $1 AND id = $2", workspace, key
                )
                is None
            ):
                raise NotFound(f"experiment {experiment_id!r} does not exist in this workspace")
        return decided is not None

    # observations ------------------------------------------------------------------------------
    async def record_exposures(
        self, workspace: str, task_id: str, exposures: Sequence[Exposure]
    ) -> list[Exposure]:
        if not exposures:
            return []
        now = self._now()
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
                    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                    workspace, rule, task, experiment, exposure.arm, now,
                )  # fmt: skip
                keys.append(rule)
            rows = await conn.fetch(
                f"SELECT {OBSERVATION_COLUMNS} FROM rule_observations WHERE workspace = $1 AND task_id = $2 "
                "AND rule_id = ANY($3::bigint[])",
                workspace,
                task,
                keys,
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
        now = self._now()
        filled: list[ObservationRecord] = []
        ordered = sorted(outcomes, key=lambda o: parse_id("rule", o.rule_id))  # key order: no deadlocks
        async with self._write() as conn:
            task = await task_key(conn, workspace, task_id)
            moved: list[tuple[int, Arm, Outcome]] = []
            for outcome in ordered:
                row = await conn.fetchrow(
                    "UPDATE rule_observations SET recurred = $4, succeeded = $5, observed_at = $6 "
                    "WHERE workspace = $1 AND rule_id = $2 AND task_id = $3 AND recurred IS NULL "
                    f"RETURNING {OBSERVATION_COLUMNS}",
                    workspace, parse_id("rule", outcome.rule_id), task, outcome.recurred, outcome.succeeded, now,
                )  # fmt: skip
                if row is None:
                    continue
                observation = observation_record(row, DECODE)
                filled.append(observation)
                if row["experiment_id"] is not None:
                    moved.append((row["experiment_id"], observation.arm, outcome))
            for experiment, arm, outcome in sorted(moved, key=lambda m: m[0]):
                p = ARM_PREFIX[arm]
                # Only a running experiment counts, so a decided one keeps the numbers it was decided on.
                await conn.execute(
                    f"UPDATE experiments SET {p}_tasks = {p}_tasks + 1, {p}_events = {p}_events + $2, "
                    f"{p}_failures = {p}_failures + $3 WHERE id = $1 AND status = 'running'",
                    experiment,
                    int(outcome.recurred),
                    int(not outcome.succeeded),
                )
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
        p = Params(workspace)
        sql = f"SELECT {OBSERVATION_COLUMNS} FROM rule_observations WHERE workspace = $1"
        for column, value in (
            ("task_id", None if task_id is None else parse_id("task", task_id)),
            ("rule_id", None if rule_id is None else parse_id("rule", rule_id)),
            ("experiment_id", None if experiment_id is None else parse_id("experiment", experiment_id)),
            ("arm", arm),
        ):
            if value is not None:
                sql += f" AND {column} = {p.add(value)}"
        async with self._read() as conn:
            rows = await conn.fetch(sql + " ORDER BY task_id, rule_id", *p.values)
        return [observation_record(row, DECODE) for row in rows]

    # read models -------------------------------------------------------------------------------
    async def task_error_summaries(
        self, workspace: str, *, closed_only: bool = True
    ) -> list[TaskErrorSummary]:
        async with self._read() as conn:
            rows = await conn.fetch(TASK_SUMMARIES, workspace, closed_only)
        return [
            TaskErrorSummary(
                task_id=format_id("task", row["id"]),
                description=row["description"],
                status=row["status"],
                created_at=row["created_at"],
                completed_at=row["completed_at"],
                tokens=row["tokens"],
                cost_usd=row["cost_usd"],
                errors=row["errors"],
                pattern_ids=tuple(format_id("pattern", p) for p in row["patterns"]),
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
                rows = await conn.fetch(PATTERN_TASK_TEXTS, workspace, key, excluded, per_pattern)
                out[pattern_id] = [row[0] for row in rows]
        return out

    # taxonomy ----------------------------------------------------------------------------------
    async def taxonomy_categories(self, workspace: str) -> list[TaxonomyCategoryRecord]:
        async with self._read() as conn:
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
