"""The learning loop on PostgreSQL: experiments, per-(rule, task) observations, and read models."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import Any

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
from ..records import qualified
from ..values import clean_text
from .connection import DECODE, Params, PostgresBase
from .learning_protocol import rule_row
from .lookups import MAX_REDIRECTS, task_key

# Per arm, what one closed task adds to an experiment's counts: a task, an event if the targeted
# pattern recurred, a failure if the task did not succeed.
_ARM_SUMS = ", ".join(
    f"count(*) FILTER (WHERE arm = '{arm}') AS {p}_tasks, "
    f"count(*) FILTER (WHERE arm = '{arm}' AND recurred) AS {p}_events, "
    f"count(*) FILTER (WHERE arm = '{arm}' AND NOT succeeded) AS {p}_failures"
    for arm, p in ARM_PREFIX.items()
)
_ARM_ADDS = ", ".join(
    f"{p}_{count} = e.{p}_{count} + c.{p}_{count}"
    for p in ARM_PREFIX.values()
    for count in ("tasks", "events", "failures")
)

PATTERN_TASK_TEXTS = """
SELECT t.description FROM tasks t WHERE t.workspace = $1 AND t.id IN (
    SELECT DISTINCT e.task_id FROM errors e
    JOIN signatures s ON s.workspace = e.workspace AND s.fingerprint = e.fingerprint
    WHERE e.workspace = $1 AND s.pattern_id = $2 AND e.task_id IS NOT NULL AND e.task_id != $3
      AND e.source != 'review'
    ORDER BY e.task_id DESC LIMIT $4)
ORDER BY t.id DESC
"""

# The same for many patterns in one statement: each asked id follows its merge redirects to the
# live pattern, whose texts it gets.
PATTERN_TASK_TEXTS_MANY = """
WITH RECURSIVE chain (asked, key, merged_into, depth) AS (
    SELECT p.id, p.id, p.merged_into, 0 FROM patterns p WHERE p.workspace = $1 AND p.id = ANY($2::bigint[])
    UNION ALL
    SELECT c.asked, p.id, p.merged_into, c.depth + 1 FROM chain c
    JOIN patterns p ON p.workspace = $1 AND p.id = c.merged_into WHERE c.depth < $5
)
SELECT c.asked, x.description FROM chain c CROSS JOIN LATERAL (
    SELECT t.id, t.description FROM tasks t WHERE t.workspace = $1 AND t.id IN (
        SELECT DISTINCT e.task_id FROM errors e
        JOIN signatures s ON s.workspace = e.workspace AND s.fingerprint = e.fingerprint
        WHERE e.workspace = $1 AND s.pattern_id = c.key AND e.task_id IS NOT NULL AND e.task_id != $3
          AND e.source != 'review'
        ORDER BY e.task_id DESC LIMIT $4)
) x
WHERE c.merged_into IS NULL
ORDER BY c.asked, x.id DESC
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


class PostgresExperiments(PostgresBase):
    # experiments -------------------------------------------------------------------------------
    async def add_experiment(self, workspace: str, experiment: NewExperiment) -> ExperimentRecord:
        async with self._write() as conn:
            rule = await rule_row(conn, workspace, experiment.rule_id)
            row = await conn.fetchrow(
                "INSERT INTO experiments (workspace, rule_id, family, ordinal, share, alpha, harm_alpha, sample_cap, "
                f"started_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {EXPERIMENT_COLUMNS}",
                workspace, rule["id"], experiment.family, experiment.ordinal, experiment.share, experiment.alpha,
                experiment.harm_alpha, experiment.sample_cap, self._now(),
            )  # fmt: skip
        return experiment_record(row, DECODE)

    async def get_experiment(self, workspace: str, experiment_id: str) -> ExperimentRecord:
        key = parse_id("experiment", experiment_id)
        async with self._statement() as conn:
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
        async with self._statement() as conn:
            rows = await conn.fetch(sql + " ORDER BY id", *p.values)
        return [experiment_record(row, DECODE) for row in rows]

    async def update_experiment_evidence(
        self, workspace: str, experiment_id: str, *, e_value: float, harm_e_value: float
    ) -> None:
        async with self._statement() as conn:
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
        keys = [parse_id("rule", exposure.rule_id) for exposure in exposures]
        experiments = [
            None if exposure.experiment_id is None else parse_id("experiment", exposure.experiment_id)
            for exposure in exposures
        ]
        async with self._write() as conn:
            task = await task_key(conn, workspace, task_id)
            known = {
                row["id"]
                for row in await conn.fetch(
                    "SELECT id FROM protocol_rules WHERE workspace = $1 AND id = ANY($2::bigint[])",
                    workspace,
                    keys,
                )
            }
            for exposure, key in zip(exposures, keys, strict=True):
                if key not in known:
                    raise NotFound(f"rule {exposure.rule_id!r} does not exist in this workspace")
            # One statement for all rules; rows go in in order, so of two arms for one rule the first wins.
            await conn.execute(
                "INSERT INTO rule_observations (workspace, rule_id, task_id, experiment_id, arm, assigned_at) "
                "SELECT $1, u.rule_id, $2, u.experiment_id, u.arm, $3 "
                "FROM unnest($4::bigint[], $5::bigint[], $6::text[]) WITH ORDINALITY AS u(rule_id, experiment_id, arm, n) "
                "ORDER BY u.n ON CONFLICT DO NOTHING",
                workspace, task, now, keys, experiments, [exposure.arm for exposure in exposures],
            )  # fmt: skip
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
        rows = await self._retrying(lambda: self._record_outcomes(workspace, task_id, outcomes))
        return [observation_record(row, DECODE) for row in rows]

    async def _record_outcomes(self, workspace: str, task_id: str, outcomes: Sequence[Outcome]) -> list[Any]:
        async with self._statement() as conn:
            task = await task_key(conn, workspace, task_id)
            # One statement: the task's open observations are filled in, and each running experiment
            # they belong to counts them, its row locked in id order (no deadlocks) and only while
            # the statement runs. A decided experiment keeps the numbers it was decided on.
            return await conn.fetch(
                f"""
                WITH given AS (
                    SELECT * FROM unnest($3::bigint[], $4::boolean[], $5::boolean[]) AS g(rule_id, recurred, succeeded)
                ), filled AS (
                    UPDATE rule_observations o SET recurred = g.recurred, succeeded = g.succeeded, observed_at = $6
                    FROM given g
                    WHERE o.workspace = $1 AND o.task_id = $2 AND o.rule_id = g.rule_id AND o.recurred IS NULL
                    RETURNING o.*
                ), counts AS (
                    SELECT experiment_id, {_ARM_SUMS}
                    FROM filled WHERE experiment_id IS NOT NULL GROUP BY experiment_id
                ), locked AS (
                    SELECT id FROM experiments WHERE id IN (SELECT experiment_id FROM counts) AND status = 'running'
                    ORDER BY id FOR UPDATE
                ), counted AS (
                    UPDATE experiments e SET {_ARM_ADDS}
                    FROM counts c, locked l WHERE e.id = c.experiment_id AND l.id = e.id
                )
                SELECT {qualified(OBSERVATION_COLUMNS, "filled")}
                FROM filled ORDER BY filled.rule_id
                """,
                workspace,
                task,
                [parse_id("rule", o.rule_id) for o in outcomes],
                [o.recurred for o in outcomes],
                [o.succeeded for o in outcomes],
                self._now(),
            )

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
        async with self._statement() as conn:
            rows = await conn.fetch(sql + " ORDER BY task_id, rule_id", *p.values)
        return [observation_record(row, DECODE) for row in rows]

    # read models -------------------------------------------------------------------------------
    async def task_error_summaries(
        self, workspace: str, *, closed_only: bool = True
    ) -> list[TaskErrorSummary]:
        async with self._statement() as conn:
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
        asked = list(dict.fromkeys(pattern_ids))
        out: dict[str, list[str]] = {pattern_id: [] for pattern_id in asked}  # unknown ids: no texts
        keys: dict[int, str] = {}
        for pattern_id in asked:
            with suppress(NotFound):  # not even a pattern id: no texts, like an unknown one
                keys[parse_id("pattern", pattern_id)] = pattern_id
        if not keys:
            return out
        async with self._statement() as conn:
            rows = await conn.fetch(
                PATTERN_TASK_TEXTS_MANY, workspace, list(keys), excluded, per_pattern, MAX_REDIRECTS
            )
        for row in rows:
            out[keys[row["asked"]]].append(row["description"])
        return out
