from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.evaluation.loaders import DatasetError, load_humaneval, load_mbpp, load_recordings
from tools.evaluation.suites import draw, parse_suite
from tools.evaluation.tasks.local import run_tests

HUMANEVAL = {
    "task_id": "HumanEval/900",
    "prompt": 'def add(a: int, b: int) -> int:\n    """Add two numbers."""\n',
    "entry_point": "add",
    "canonical_solution": "    return a + b\n",
    "test": "\n\ndef check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n",
}
MBPP = {
    "task_id": 11,
    "text": "Write a function to remove the first and last occurrence of a given character from the string.",
    "code": "def remove_Occ(s, ch):\n    s = s.replace(ch, '', 1)\n    return s[::-1].replace(ch, '', 1)[::-1]\n",
    "test_list": ['assert remove_Occ("hello","l") == "heo"', 'assert remove_Occ("abcda","a") == "bcd"'],
    "test_setup_code": "",
    "challenge_test_list": [],
}


def write(path: Path, *records: dict) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n\n")
    return path


def test_humaneval_problems_become_instances_whose_reference_passes(tmp_path: Path) -> None:
    [instance] = load_humaneval(write(tmp_path / "he.jsonl", HUMANEVAL))
    assert (instance.instance_id, instance.entry_point, instance.family) == (
        "HumanEval/900",
        "add",
        "HumanEval/900",
    )
    assert run_tests(instance.reference, instance.tests) == []
    failures = run_tests(instance.prompt + "    return a - b\n", instance.tests)
    assert failures and failures[0].test == "test_add"


def test_mbpp_problems_keep_all_asserts_as_hidden_tests_and_show_one(tmp_path: Path) -> None:
    [instance] = load_mbpp(write(tmp_path / "mbpp.jsonl", MBPP))
    assert instance.instance_id == "MBPP/11" and instance.entry_point == "remove_Occ"
    assert MBPP["test_list"][0] in instance.prompt and MBPP["test_list"][1] not in instance.prompt
    assert run_tests(instance.reference, instance.tests) == []
    assert len(run_tests("def remove_Occ(s, ch):\n    return s\n", instance.tests)) == 2


def test_recordings_accept_whole_modules_or_completions_and_recorded_verdicts(tmp_path: Path) -> None:
    path = write(
        tmp_path / "rec.jsonl",
        {"task_id": "HumanEval/900", "solution": "def add(a, b):\n    return a + b\n", "is_solved": True},
        {"task_id": "HumanEval/901", "completion": "    return 1\n"},
        {"task_id": "HumanEval/900", "solution": "ignored duplicate", "is_solved": False},
    )
    recordings = load_recordings(path)
    assert recordings["HumanEval/900"].recorded_passed is True
    assert recordings["HumanEval/900"].code.startswith("def add")
    assert (
        recordings["HumanEval/901"].completion == "    return 1\n"
        and recordings["HumanEval/901"].recorded_passed is None
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json}\n", r"bad\.jsonl:1: not valid JSON"),
        ("[1, 2]\n", "must be a JSON object"),
        ('{"task_id": "x", "prompt": "p"}\n', "missing entry_point, test"),
    ],
)
def test_bad_dataset_lines_are_reported_with_file_and_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(DatasetError, match=message):
        load_humaneval(path)


def test_a_missing_dataset_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="is not a file"):
        load_recordings(tmp_path / "absent.jsonl")


def test_suite_specs_parse_and_reject_unknown_kinds() -> None:
    assert parse_suite("builtin").kind == "builtin"
    assert parse_suite("builtin:money,text").argument == "money,text"
    assert parse_suite("humaneval:/data/he.jsonl").argument == "/data/he.jsonl"
    for bad in ("humaneval", "mbpp:", "swebench:x"):
        with pytest.raises(ValueError):
            parse_suite(bad)


def test_builtin_draw_deals_families_round_robin_with_disjoint_learning_and_evaluation() -> None:
    split = draw(parse_suite("builtin:money,text,ranges"), learning=6, evaluation=9, seed=2)
    assert [i.family for i in split.evaluation[:3]] == ["money", "ranges", "text"]  # suite order
    assert {i.family for i in split.learning} == {"money", "text", "ranges"}
    assert not {i.instance_id for i in split.learning} & {i.instance_id for i in split.evaluation}
    again = draw(parse_suite("builtin:money,text,ranges"), learning=6, evaluation=9, seed=2)
    assert [i.tests for i in again.evaluation] == [i.tests for i in split.evaluation]


def test_fixed_suites_split_into_disjoint_learning_and_evaluation_tasks(tmp_path: Path) -> None:
    records = [{**HUMANEVAL, "task_id": f"HumanEval/{n}"} for n in range(10)]
    path = write(tmp_path / "he.jsonl", *records)
    split = draw(parse_suite(f"humaneval:{path}"), learning=3, evaluation=None, seed=0)
    assert len(split.learning) == 3 and len(split.evaluation) == 7
    assert not {i.instance_id for i in split.learning} & {i.instance_id for i in split.evaluation}
