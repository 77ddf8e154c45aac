"""Level 4's AST checks for accidental quadratic work: each smell found, and its look-alikes not."""

from __future__ import annotations

import ast

import pytest

from tools.validate_code.smells import smells


def found(code: str) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in smells(ast.parse(code), code)]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "def dedupe(xs):\n    seen = []\n    for x in xs:\n        if x not in seen:\n            seen.append(x)\n    return seen\n",
            [("RMO201", 4)],
        ),
        (
            "def pos(xs, ys):\n    order = list(xs)\n    return [order.index(y) for y in ys]\n",
            [("RMO201", 3)],
        ),
        (
            "def pairs(xs):\n    n = 0\n    for a in xs:\n        for b in xs:\n            n += a == b\n    return n\n",
            [("RMO202", 4)],
        ),
        (
            "def pairs(xs):\n    for i in range(len(xs)):\n        for j in range(i + 1, len(xs)):\n            pass\n",
            [("RMO202", 3)],
        ),
        (
            "def join(words):\n    out = ''\n    for w in words:\n        out += w\n    return out\n",
            [("RMO203", 4)],
        ),
        (
            "def join(words):\n    out = ''\n    for w in words:\n        out = out + w + ','\n    return out\n",
            [("RMO203", 4)],
        ),
        ("def drain(xs):\n    queue = list(xs)\n    while queue:\n        queue.pop(0)\n", [("RMO204", 4)]),
    ],
)
def test_quadratic_patterns_are_reported_with_their_line(code: str, expected: list[tuple[str, int]]) -> None:
    assert found(code) == expected


@pytest.mark.parametrize(
    "code",
    [
        "def dedupe(xs):\n    seen = set()\n    for x in xs:\n        if x not in seen:\n            seen.add(x)\n",
        "def check(xs, allowed):\n    return [x for x in xs if x in allowed]\n",
        "def once(xs):\n    names = []\n    return 3 in names\n",
        "def cross(xs, ys):\n    for a in xs:\n        for b in ys:\n            pass\n",
        "def total(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\n",
        "def build(words):\n    out = ''\n    out += ','.join(words)\n    return out\n",
        "def pop_last(xs):\n    stack = []\n    for x in xs:\n        stack.pop()\n",
        "def retyped(xs):\n    seen = []\n    seen = set(seen)\n    for x in xs:\n        if x in seen:\n            pass\n",
    ],
)
def test_look_alikes_are_not_reported(code: str) -> None:
    assert found(code) == []


def test_findings_are_warnings_with_advice() -> None:
    code = "def f(xs):\n    seen = []\n    for x in xs:\n        if x in seen:\n            pass\n"
    [finding] = smells(ast.parse(code), code)
    assert finding.severity == "warning"
    assert "set" in finding.message
    assert finding.source_line == "if x in seen:"
