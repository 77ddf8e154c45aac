"""The learning loop on SQLite: experiments, per-(rule, task) observations, and read models."""

from __future__ import annotations

import json
from collections.abc import Sequence

import aiosqlite

from ..base import NotFound
from ..ids import format_id, parse_id
from ..learning import (
    Arm,
    ExperimentRecord,
    ExperimentStatus,
    Exposure,
    NewExperiment,
    ObservationRecord,
    Outcome,
    TaskErrorSummary,
)
from ..learning_rows import (
    ARM_PREFIX,
    EXPERIMENT_COLUMNS,
    OBSERVATION_COLUMNS,
    experiment_record,
    observation_record,
)
from ..values import clean_text
from .connection import DECODE, SqliteBase, fetch_all, fetch_one, json_list, next_key, to_text
from .learning_protocol import rule_row
from .lookups import live_pattern_key, task_key

PATTERN_TASK_TEXTS = """
SELECT t.description FROM tasks t WHERE t.workspace = ? AND t.id IN (
    SELECT DISTINCT e.task_id FROM errors e
    JOIN signatures s ON s.workspace = e.workspace AND s.fingerprint = e.fingerprint
    WHERE e.workspace = ? AND s.pattern_id = ? AND e.task_id IS NOT NULL AND e.task_id != ? AND e.source != 'review'
    ORDER BY e.task_id DESC LIMIT ?)
ORDER BY t.id DESC
"""


class SqliteExperiments(SqliteBase):
    # experiments -------------------------------------------------------------------------------
    async def add_experiment(self, workspace: str, experiment: NewExperiment) -> ExperimentRecord:
        async with self._write() as conn:
            rule = await rule_row(conn, workspace, experiment.rule_id)
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
                rule = (await rule_row(conn, workspace, exposure.rule_id))["id"]
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


async def _count(conn: aiosqlite.Connection, experiment: int, arm: Arm, outcome: Outcome) -> None:
    """Move an experiment's counters for one outcome; only a running experiment counts, so a decided
    one keeps exactly the numbers its decision was taken on."""
    p = ARM_PREFIX[arm]
    await conn.execute(
        f"UPDATE experiments SET {p}_tasks = {p}_tasks + 1, {p}_events = {p}_events + ?, "
        f"{p}_failures = {p}_failures + ? WHERE id = ? AND status = 'running'",
        (int(outcome.recurred), int(not outcome.succeeded), experiment),
    )
