"""Shared helpers: the eval command's arguments, the shared development data, and a probe of the real server."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import anyio
import pytest
from mcp import Client

from server.evaluation.cli import add_eval_parser
from server.evaluation.connection import LEARNING_TOOLS, REQUIRED_TOOLS

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_DATA_FILE = "humaneval_gpt4_solutions.jsonl"


def eval_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="fractal-rmo")
    add_eval_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["eval", *argv])


def shared_humaneval() -> Path | None:
    """The HumanEval file with recorded GPT-4 solutions: FRACTAL_RMO_EVAL_DATA, else ../shared/data beside the repo."""
    configured = os.environ.get("FRACTAL_RMO_EVAL_DATA")
    path = Path(configured) if configured else REPO_ROOT.parent / "shared" / "data" / SHARED_DATA_FILE
    return path if path.is_file() else None


@pytest.fixture
def humaneval_file() -> Path:
    path = shared_humaneval()
    if path is None:
        pytest.skip(
            f"development data {SHARED_DATA_FILE} not found (set FRACTAL_RMO_EVAL_DATA or place it in ../shared/data "
            "beside the repository)"
        )
    return path


def real_server_missing_tools(tmp_path: Path) -> list[str]:
    """Contract tools the real server does not register yet (empty when the evaluation can run on it)."""
    from server.app import build_server
    from server.settings import Settings

    async def names() -> set[str]:
        server = build_server(Settings(db=f"sqlite:///{tmp_path / 'probe.db'}", log_level="WARNING"))
        with anyio.fail_after(30):
            async with Client(server) as client:
                return {t.name for t in (await client.list_tools()).tools}

    present = anyio.run(names)
    return [t for t in (*REQUIRED_TOOLS, *LEARNING_TOOLS) if t not in present]


@pytest.fixture
def real_server_ready(tmp_path: Path) -> None:
    missing = real_server_missing_tools(tmp_path)
    if missing:
        pytest.skip(f"the server does not register {', '.join(missing)} yet; run at integration")
