"""Another instance mining the workspace past `mining_wait_s`: a "busy, retry" answer, never a hang."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client, MCPError

from server.app import build_server
from server.settings import Settings
from store import open_store

pytestmark = pytest.mark.anyio

REPORT = {"message": "list index out of range", "error_type": "IndexError"}


async def test_find_patterns_and_the_library_answer_busy_while_another_instance_mines(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    settings = Settings(db=url, log_level="WARNING", mining_wait_s=0.2)
    other = await open_store(url)
    try:
        async with Client(build_server(settings), raise_exceptions=True) as client:
            await client.call_tool("log_error", REPORT)  # something new to mine
            async with other.mining_turn(settings.workspace):
                listed = await client.call_tool("find_patterns", {})
                assert listed.is_error
                assert listed.content[0].text.endswith(
                    "The pattern library of workspace 'default' is being mined by another pass that did not "
                    "finish within 0.2 s. Retry in a few seconds."
                )
                with pytest.raises(MCPError, match="Retry in a few seconds"):
                    await client.read_resource("patterns://library")
            # Released: the same calls now mine and answer.
            listed = await client.call_tool("find_patterns", {})
            assert not listed.is_error, listed.content
            assert listed.structured_content["mined_groups"] == 1
            assert listed.structured_content["total"] == 1
    finally:
        await other.close()
