"""Over stdio, stdout carries protocol messages and nothing else."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import server_env

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "0"},
    },
}
LOG_ERROR = {
    "jsonrpc": "2.0",
    "id": 2,
    "method": "tools/call",
    "params": {"name": "log_error", "arguments": {"message": "boom", "error_type": "ValueError"}},
}


def test_stdout_holds_only_json_rpc_lines(tmp_path: Path) -> None:
    lines = [INITIALIZE, {"jsonrpc": "2.0", "method": "notifications/initialized"}, LOG_ERROR]
    proc = subprocess.run(
        [sys.executable, "-m", "server", "serve", "--log-level", "DEBUG"],
        input="".join(json.dumps(m) + "\n" for m in lines),
        env=server_env(tmp_path / "s.db"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert all(m.get("jsonrpc") == "2.0" for m in out)
    assert {m.get("id") for m in out} == {1, 2}
    assert "DEBUG" in proc.stderr  # logs exist, on stderr


def test_heavy_libraries_are_not_imported_at_start_up() -> None:
    code = (
        "import sys, server.app, server.cli;"
        "heavy = [m for m in ('sklearn', 'numpy', 'asyncpg', 'scipy', 'anthropic', 'matplotlib') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stdout.strip() == ""


def test_bad_setting_fails_at_start_up_with_a_hint(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "server", "serve", "--port", "http"],
        env=server_env(tmp_path / "s.db"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "--port must be a whole number from 1 to 65535 (got 'http')" in proc.stderr
    assert proc.stdout == ""
