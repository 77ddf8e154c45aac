"""The whole learning loop through the SDK client, with a scripted client model.

The scripted model makes one mistake (a mutable default argument, caught by a failing test) unless
the protocol it is given holds a rule against it. Its errors are found by validate_code, never
self-reported; the rule comes from the same scripted model answering the reflect_on_pattern prompt.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp import Client

from server.app import build_server
from server.settings import Settings

pytestmark = pytest.mark.anyio

TESTS = "def test_calls_are_independent():\n    assert collect(1) == [1]\n    assert collect(2) == [2]\n"
RULE = "Never use a mutable default argument such as [] or {}; default to None and create the object inside."
BUGGY = "def collect(item, bucket=[]):\n    bucket.append(item)\n    return bucket\n"
FIXED = "def collect(item, bucket=None):\n    bucket = [] if bucket is None else bucket\n    bucket.append(item)\n    return bucket\n"


def scripted_model(protocol_markdown: str) -> str:
    """Writes correct code only when a rule about mutable defaults is in its context."""
    lowered = protocol_markdown.lower()
    return FIXED if "mutable default" in lowered else BUGGY


async def call(client: Client, tool: str, arguments: dict) -> dict:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    return result.structured_content


async def run_task(client: Client, n: int) -> bool:
    """One task as a client runs it; returns whether its first attempt had the mistake."""
    task = await call(
        client, "decompose", {"task": f"Write collect(item, bucket) that appends item {n} to a list"}
    )
    protocol = await call(client, "get_protocol", {"task_id": task["task_id"]})
    code = scripted_model(protocol["markdown"])
    checked = await call(
        client, "validate_code", {"code": code, "tests": TESTS, "level": 3, "task_id": task["task_id"]}
    )
    await call(
        client,
        "complete_task",
        {"task_id": task["task_id"], "status": "succeeded" if checked["passed"] else "failed", "tokens": 500},
    )
    return not checked["passed"]


async def reflect(client: Client) -> bool:
    """The client's turn to learn: its model writes a rule for the first confirmed pattern.

    It does so even when the built-in library already guessed one: a guess stays on trial until the
    data decide, and here the built-in guess (an off-by-one rule) does not address the mistake.
    """
    patterns = (await call(client, "find_patterns", {"status": "confirmed"}))["patterns"]
    for pattern in patterns:
        prompt = await client.get_prompt("reflect_on_pattern", {"pattern_id": pattern["id"]})
        assert pattern["id"] in prompt.messages[0].content.text
        await call(
            client,
            "propose_insight",
            {"pattern_id": pattern["id"], "rule": RULE, "example_wrong": BUGGY, "example_right": FIXED},
        )
        return True
    return False


async def test_a_recurring_mistake_becomes_an_adopted_rule_and_stops_recurring(tmp_path: Path) -> None:
    settings = Settings(db=f"sqlite:///{tmp_path / 'loop.db'}", log_level="WARNING", holdout_share=0.0)
    async with Client(build_server(settings), raise_exceptions=True) as client:
        mistakes, proposed = [], False
        for n in range(120):
            mistakes.append(await run_task(client, n))
            proposed = proposed or await reflect(client)
        patterns = (await call(client, "find_patterns", {"status": "confirmed"}))["patterns"]
        protocol = (await client.read_resource("protocol://current")).contents[0].text

    assert mistakes[:2] == [True, True]  # no rule yet: the mistake recurs across tasks
    [pattern] = patterns
    assert pattern["status"] == "confirmed" and pattern["insight"] is not None
    assert "mutable default" in protocol.lower()  # protocol://current lists adopted rules only
    early, late = mistakes[:20], mistakes[-40:]
    assert sum(late) / len(late) < sum(early) / len(early) / 2, json.dumps(mistakes)
    assert sum(late) == 0  # once adopted, every task sees the rule
