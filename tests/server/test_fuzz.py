"""Hostile arguments for every tool: each call ends in a result or a clear tool error, never a crash or a hang.

Tools are listed from the running server, so a tool added later is fuzzed without touching this file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client, MCPError
from mcp.types import CallToolResult, Tool

from server.app import build_server
from server.settings import Settings
from tests.strategies import json_values, tool_arguments

CALL_BUDGET_S = 30.0
"""A tool call must finish within this, whatever it is given (clients give up at about 60 s)."""

# validate_code runs code in a sandbox: fuzz its parsing, limits and static checks with small code, and
# run the sandbox (levels 3-4) only now and then with a short budget, so the fuzz stays fast.
SNIPPETS = st.sampled_from(
    [
        "x = 1\n",
        "def f(:\n    pass\n",
        "def f(x=[]):\n    x.append(1)\n    return x\n",
        "import os\nprint(os.environ)\n",
        "raise ValueError('boom')\n",
        "def mean(xs):\n    return sum(xs) / len(xs)\n",
    ]
)
SMALL_INPUTS = {
    "validate_code": {
        "code": st.one_of(SNIPPETS, SNIPPETS, st.text(max_size=120)),
        "tests": st.one_of(
            st.none(), st.just("from solution import *\n\ndef test_mean():\n    assert mean([2]) == 2\n")
        ),
        "level": st.one_of(*[st.sampled_from([1, 2])] * 8, st.sampled_from([3, 4]), json_values),
        "timeout_s": st.one_of(st.none(), st.floats(min_value=0.5, max_value=2), json_values),
    }
}
MAX_TEXT = {"validate_code": 300}


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BlockingPortal, Client]]:
    """One in-process client for the whole module, driven from Hypothesis through a blocking portal."""
    db = Path(tmp_path_factory.mktemp("fuzz")) / "fuzz.db"
    server = build_server(Settings(db=f"sqlite:///{db}", log_level="ERROR"))
    with (
        start_blocking_portal(backend="asyncio") as portal,
        portal.wrap_async_context_manager(Client(server)) as client,
    ):
        yield portal, client


async def call_bounded(client: Client, name: str, arguments: dict[str, Any]) -> CallToolResult | MCPError:
    with anyio.fail_after(CALL_BUDGET_S):
        try:
            return await client.call_tool(name, arguments)
        except MCPError as exc:
            return exc


def arguments_for(tool: Tool) -> st.SearchStrategy[dict[str, Any]]:
    general = tool_arguments(tool.input_schema, max_text=MAX_TEXT.get(tool.name, 50_000))
    small = SMALL_INPUTS.get(tool.name)
    if not small:
        return general
    required = set(tool.input_schema.get("required", []))
    replacements = st.fixed_dictionaries(
        {k: v for k, v in small.items() if k in required},
        optional={k: v for k, v in small.items() if k not in required},
    )
    return st.builds(
        lambda args, extra: {**{k: v for k, v in args.items() if k not in small}, **extra},
        general,
        replacements,
    )


def check(portal: BlockingPortal, client: Client, tool: Tool) -> None:
    @settings(
        max_examples=50,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(arguments=arguments_for(tool))
    def one_call(arguments: dict[str, Any]) -> None:
        answer = portal.call(call_bounded, client, tool.name, arguments)
        assert not isinstance(answer, MCPError), (
            f"{tool.name} answered a JSON-RPC error {answer.error.code} ({answer.error.message!r}) "
            "instead of a result or a tool error"
        )
        if answer.is_error:
            text = " ".join(getattr(block, "text", "") for block in answer.content).strip()
            assert text, f"{tool.name} gave a tool error without a message"
            assert text != f"Error executing tool {tool.name}", (
                f"{tool.name} crashed with an unexpected exception (see the log) instead of a clear tool error"
            )

    one_call()


def test_every_tool_answers_hostile_arguments_with_a_result_or_a_clear_tool_error(
    fuzzed: tuple[BlockingPortal, Client],
) -> None:
    portal, client = fuzzed
    tools = portal.call(client.list_tools).tools
    assert tools
    for tool in tools:
        check(portal, client, tool)
    # Still answering after all that: a plain list and a well-formed call both work.
    assert {t.name for t in portal.call(client.list_tools).tools} == {t.name for t in tools}
    answer = portal.call(call_bounded, client, "find_patterns", {})
    assert isinstance(answer, CallToolResult) and not answer.is_error
