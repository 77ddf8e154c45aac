"""Everything a user can call or configure is documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client

from server.app import build_server
from server.cli import build_parser
from server.settings import Settings, env_name, flag_name, setting_fields

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.mark.parametrize("field", setting_fields(), ids=lambda f: f.name)
def test_every_setting_is_documented_with_its_flag_and_variable(field) -> None:
    assert env_name(field.name) in README
    assert flag_name(field.name) in README


def test_every_cli_command_is_documented() -> None:
    commands = build_parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"fractal-rmo {name}" in README, name


@pytest.mark.anyio
async def test_every_tool_resource_and_prompt_is_documented(tmp_path: Path) -> None:
    server = build_server(Settings(db=f"sqlite:///{tmp_path / 'doc.db'}", log_level="WARNING"))
    async with Client(server, raise_exceptions=True) as client:
        tools = [t.name for t in (await client.list_tools()).tools]
        resources = [str(r.uri) for r in (await client.list_resources()).resources]
        templates = [t.uri_template for t in (await client.list_resource_templates()).resource_templates]
        prompts = [p.name for p in (await client.list_prompts()).prompts]
    for name in tools:
        assert f"`{name}`" in README, f"tool {name} is not in the README"
    for uri in resources + templates:
        assert f"`{uri}`" in README, f"resource {uri} is not in the README"
    for name in prompts:
        assert f"`{name}`" in README, f"prompt {name} is not in the README"
