"""Trees of steps chosen by the taxonomy and the task's text, without any LLM."""

from __future__ import annotations

import pytest

from store import NewActionItem
from tools.decompose import plan_items
from tools.taxonomy import default_taxonomy

ALWAYS = [
    "python.spec.understand",
    "python.design.interface",
    "python.core.implement",
    "python.edge_cases",
    "python.tests.write",
]


def tree(task: str) -> dict[str, str | None]:
    """category -> category of the parent item."""
    items = plan_items(task, default_taxonomy(), domain="python")
    by_key = {i.key: i for i in items}
    return {i.category: (by_key[i.parent_key].category if i.parent_key else None) for i in items}


def test_every_plan_has_the_task_as_root_and_the_always_present_steps_in_order():
    items = plan_items("Return the larger of two numbers.", default_taxonomy(), domain="python")
    assert items[0].category == "python" and items[0].parent_key is None
    assert "Return the larger of two numbers." in items[0].name
    top = [i.category for i in items if i.parent_key == "python"]
    assert [c for c in top if c in ALWAYS] == ALWAYS
    assert [i.position for i in items] == list(range(len(items)))


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        (
            "Write a function that parses a comma-separated string of integers and returns the sum of the even "
            "numbers. Return 0 for an empty string.",
            {
                "python.io.parse": "python.core.implement",
                "python.core.numbers": "python.core.implement",
                "python.edge_cases.empty": "python.edge_cases",
            },
        ),
        (
            "Read a CSV file of transactions and write a JSON summary per account; raise ValueError on malformed rows.",
            {
                "python.io.files": "python.core.implement",
                "python.io.parse": "python.core.implement",
                "python.errors.handle": "python",
            },
        ),
        (
            "Implement an LRU cache class with get and put in O(1) time.",
            {"python.design.data": "python.design.interface", "python.perf.optimize": "python"},
        ),
        (
            "Return list of prime factors of given integer in the order from smallest to largest.",
            {
                "python.design.algorithm": "python.design.interface",
                "python.core.numbers": "python.core.implement",
            },
        ),
        (
            "Given a string, count the vowels in each word and return None if the input is None.",
            {"python.core.strings": "python.core.implement", "python.edge_cases.none": "python.edge_cases"},
        ),
    ],
)
def test_steps_the_text_reveals_nest_under_their_phase(task, expected):
    plan = tree(task)
    for category, parent in expected.items():
        assert plan.get(category, "missing") == parent, category


def test_steps_the_text_does_not_reveal_are_left_out():
    plan = tree("Return the larger of two numbers.")
    assert (
        "python.io.files" not in plan
        and "python.perf.optimize" not in plan
        and "python.errors.handle" not in plan
    )


def test_a_detected_step_says_what_in_the_task_revealed_it():
    items = plan_items("Split the comma-separated input.", default_taxonomy(), domain="python")
    [parse] = [i for i in items if i.category == "python.io.parse"]
    assert "'comma-separated'" in parse.description


def test_items_are_parents_first_so_a_store_can_link_them_in_order():
    items = plan_items(
        "Parse a CSV file, validate rows and raise on errors efficiently.",
        default_taxonomy(),
        domain="python",
    )
    seen: set[str] = set()
    for item in items:
        assert isinstance(item, NewActionItem)
        assert item.parent_key is None or item.parent_key in seen
        seen.add(item.key)
