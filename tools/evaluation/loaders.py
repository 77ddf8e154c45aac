"""Readers for user-supplied JSONL files: HumanEval and MBPP problems, and recorded model outputs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import TaskInstance


class DatasetError(ValueError):
    """A dataset file cannot be used; the message names the file, the line and what is wrong."""


def read_jsonl(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for every non-blank line."""
    file = Path(path)
    if not file.is_file():
        raise DatasetError(
            f"{str(file)!r} is not a file. Hint: pass the path of a JSONL file (one JSON object per line)."
        )
    with file.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{file.name}:{number}: not valid JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise DatasetError(
                    f"{file.name}:{number}: each line must be a JSON object (got {type(record).__name__})"
                )
            yield number, record


def _need(record: dict[str, Any], fields: tuple[str, ...], where: str, kind: str) -> None:
    missing = [f for f in fields if f not in record]
    if missing:
        raise DatasetError(
            f"{where}: a {kind} record needs the fields {', '.join(fields)}; missing {', '.join(missing)}"
        )


def humaneval_tests(entry_point: str, test: str) -> str:
    """A tests module running HumanEval's ``check(candidate)`` against the solution's entry point."""
    return (
        f"from solution import *  # noqa: F403 - HumanEval checks may use helpers defined by the prompt\n"
        f"from solution import {entry_point}\n\n{test.strip()}\n\n\n"
        f"def test_{entry_point}():\n    check({entry_point})\n"
    )


def load_humaneval(path: str | Path) -> list[TaskInstance]:
    """HumanEval-format problems: task_id, prompt, entry_point, test (defining ``check(candidate)``)."""
    instances = []
    for number, record in read_jsonl(path):
        where = f"{Path(path).name}:{number}"
        _need(record, ("task_id", "prompt", "entry_point", "test"), where, "HumanEval")
        task_id = str(record["task_id"])
        instances.append(
            TaskInstance(
                instance_id=task_id,
                task_id=task_id,
                family=task_id,
                prompt=record["prompt"],
                tests=humaneval_tests(record["entry_point"], record["test"]),
                entry_point=record["entry_point"],
                reference=(record["prompt"] + record["canonical_solution"])
                if record.get("canonical_solution")
                else None,
            )
        )
    return instances


_DEF = re.compile(r"^def\s+([A-Za-z_]\w*)\s*\(", re.MULTILINE)
_CALL = re.compile(r"assert\s+(?:not\s+)?\(?\s*(?:set\(|math\.isclose\()?\s*([A-Za-z_]\w*)\s*\(")


def mbpp_tests(test_list: list[str], setup: str = "") -> str:
    head = "from solution import *  # noqa: F403 - MBPP asserts call the solution's functions by name\n"
    if setup.strip():
        head += setup.strip() + "\n"
    bodies = [f"def test_{i}():\n    {assertion.strip()}\n" for i, assertion in enumerate(test_list, start=1)]
    return head + "\n\n" + "\n\n".join(bodies)


def load_mbpp(path: str | Path) -> list[TaskInstance]:
    """MBPP-format problems: text, code (reference), test_list (assert lines), task_id."""
    instances = []
    for number, record in read_jsonl(path):
        where = f"{Path(path).name}:{number}"
        _need(record, ("text", "code", "test_list", "task_id"), where, "MBPP")
        tests = list(record["test_list"]) + list(record.get("challenge_test_list") or [])
        if not tests or not all(isinstance(t, str) for t in tests):
            raise DatasetError(f"{where}: 'test_list' must be a non-empty list of assert statements")
        match = _DEF.search(record["code"]) or _CALL.search(tests[0])
        entry = match.group(1) if match else None
        task_id = f"MBPP/{record['task_id']}"
        prompt = f"{record['text'].strip()}\nYour code should pass this test:\n{tests[0].strip()}"
        instances.append(
            TaskInstance(
                instance_id=task_id,
                task_id=task_id,
                family=task_id,
                prompt=prompt,
                tests=mbpp_tests(tests, record.get("test_setup_code") or ""),
                entry_point=entry,
                reference=record["code"],
            )
        )
    return instances


@dataclass(frozen=True, slots=True)
class Recording:
    """A model output recorded earlier for one task, with the verdict recorded beside it (if any)."""

    task_id: str
    code: str | None
    completion: str | None
    recorded_passed: bool | None
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost_usd: float | None = None


CODE_FIELDS = ("solution", "code", "generation", "program")
VERDICT_FIELDS = ("is_solved", "passed", "correct", "pass")


def load_recordings(path: str | Path) -> dict[str, Recording]:
    """Recorded outputs keyed by task id: the whole module in one of `CODE_FIELDS`, or a ``completion``
    that continues the task prompt. The first record of a task wins."""
    recordings: dict[str, Recording] = {}
    for number, record in read_jsonl(path):
        where = f"{Path(path).name}:{number}"
        if "task_id" not in record:
            raise DatasetError(f"{where}: a recording needs 'task_id'")
        code = next((record[f] for f in CODE_FIELDS if isinstance(record.get(f), str)), None)
        completion = record.get("completion") if isinstance(record.get("completion"), str) else None
        if code is None and completion is None:
            raise DatasetError(
                f"{where}: a recording needs the model output in one of {', '.join(CODE_FIELDS)} or 'completion'"
            )
        verdict = next((record[f] for f in VERDICT_FIELDS if isinstance(record.get(f), bool)), None)
        task_id = str(record["task_id"])
        recordings.setdefault(
            task_id,
            Recording(
                task_id=task_id,
                code=code,
                completion=completion,
                recorded_passed=verdict,
                tokens_in=record.get("tokens_in"),
                tokens_out=record.get("tokens_out"),
                cost_usd=record.get("cost_usd"),
            ),
        )
    return recordings
