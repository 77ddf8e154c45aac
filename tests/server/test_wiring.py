"""The server answers real SDK clients the same way over every transport."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp import Client

from .conftest import connect

pytestmark = pytest.mark.anyio

TRACEBACK = """Traceback (most recent call last):
  File "/home/dev/project/stats.py", line {line}, in median
    return values[len(values) // 2 + {offset}]
IndexError: list index out of range
"""


def structured(result) -> dict:
    assert not result.is_error, result.content
    return result.structured_content


@pytest.mark.parametrize("kind", ["memory", "stdio", "http", "sse"])
async def test_errors_become_patterns_over_every_transport(kind: str, tmp_path: Path, request) -> None:
    async with connect(kind, tmp_path, request) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"log_error", "find_patterns"} <= names

        first = structured(
            await client.call_tool(
                "log_error",
                {"message": "list index out of range", "traceback": TRACEBACK.format(line=12, offset=1)},
            )
        )
        again = structured(
            await client.call_tool(
                "log_error",
                {"message": "list index out of range", "traceback": TRACEBACK.format(line=40, offset=3)},
            )
        )
        assert first["fingerprint"] == again["fingerprint"]
        assert first["pattern_id"] == again["pattern_id"]
        assert again["pattern_frequency"] == 2

        found = structured(await client.call_tool("find_patterns", {"min_frequency": 2}))
        assert [p["id"] for p in found["patterns"]] == [first["pattern_id"]]

        library = await client.read_resource("patterns://library")
        summary = json.loads(library.contents[0].text)
        assert summary["patterns"][0]["id"] == first["pattern_id"]

        detail = json.loads(
            (await client.read_resource(f"patterns://{first['pattern_id']}")).contents[0].text
        )
        assert detail["frequency"] == 2
        assert set(detail["error_ids"]) == {first["error_id"], again["error_id"]}


async def test_bad_arguments_get_a_tool_error_that_names_the_field(tmp_path: Path, request) -> None:
    async with connect("memory", tmp_path, request) as client:
        result = await client.call_tool("log_error", {"message": ""})
        assert result.is_error
        assert "message" in result.content[0].text

        result = await client.call_tool("find_patterns", {"limit": 0})
        assert result.is_error
        assert "limit" in result.content[0].text


async def test_unknown_pattern_resource_is_not_found(tmp_path: Path, request) -> None:
    from mcp import MCPError

    async with connect("memory", tmp_path, request) as client:
        with pytest.raises(MCPError) as raised:
            await client.read_resource("patterns://p-999")
        assert "p-999" in str(raised.value)


async def test_tool_input_schemas_are_flat_and_described(tmp_path: Path, request) -> None:
    async with connect("memory", tmp_path, request) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        schema = tools["log_error"].input_schema
        assert schema["required"] == ["message"]
        for name, prop in schema["properties"].items():
            assert prop.get("description"), f"log_error.{name} has no description"
        assert tools["find_patterns"].annotations.read_only_hint is True


async def test_a_new_pattern_notifies_listening_clients(tmp_path: Path) -> None:

    import anyio

    from server.app import build_server
    from server.settings import Settings

    server = build_server(Settings(db=f"sqlite:///{tmp_path / 'n.db'}", log_level="WARNING"))
    async with Client(server, raise_exceptions=True) as client:
        async with client.listen(resources_list_changed=True) as events:
            await client.call_tool("log_error", {"message": "boom", "error_type": "ValueError"})
            with anyio.fail_after(5):
                event = await events.__anext__()
        assert type(event).__name__ == "ResourcesListChanged"


async def test_find_patterns_announces_a_library_change_only_when_its_pass_changed_something(
    tmp_path: Path,
) -> None:
    import anyio
    from mcp import Client

    from server.app import build_server
    from server.settings import Settings

    async def drain(events) -> list[str]:  # type: ignore[no-untyped-def]
        seen = []
        with anyio.move_on_after(0.5):
            while True:
                seen.append(type(await events.__anext__()).__name__)
        return seen

    server = build_server(Settings(db=f"sqlite:///{tmp_path / 'n.db'}", log_level="WARNING"))
    async with (
        Client(server, raise_exceptions=True) as client,
        client.listen(resources_list_changed=True) as events,
    ):
        await client.call_tool("log_error", {"message": "boom", "error_type": "ValueError"})
        assert "ResourcesListChanged" in await drain(events)  # the new pattern
        mined = await client.call_tool("find_patterns", {})
        assert mined.structured_content["mined_groups"] == 1
        assert "ResourcesListChanged" in await drain(events)
        unchanged = await client.call_tool("find_patterns", {})
        assert unchanged.structured_content["mined_groups"] == 0
        assert await drain(events) == [], "a pass that changed nothing announced a change"
