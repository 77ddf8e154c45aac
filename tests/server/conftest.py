"""Fixtures that start the real server over each transport."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.sse import sse_client

from server.app import build_server
from server.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(db_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRACTAL_RMO_")}
    env.update({"FRACTAL_RMO_DB": f"sqlite:///{db_path}", "FRACTAL_RMO_LOG_LEVEL": "WARNING", **extra})
    return env


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"server did not listen on {port} within {timeout}s")


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """A real `fractal-rmo serve --transport http` process; yields (transport, port)."""
    yield from _spawn(tmp_path, "http")


@pytest.fixture
def sse_server(tmp_path: Path) -> Iterator[tuple[str, int]]:
    yield from _spawn(tmp_path, "sse")


def _spawn(tmp_path: Path, transport: str) -> Iterator[tuple[str, int]]:
    port = free_port()
    with open(tmp_path / f"{transport}.out", "wb") as out, open(tmp_path / f"{transport}.err", "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--transport", transport, "--port", str(port)],
            env=server_env(tmp_path / "http.db"),
            stdout=out,
            stderr=err,
        )
    try:
        wait_for_port(port, proc)
        yield transport, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert (tmp_path / f"{transport}.out").read_bytes() == b"", "the server wrote to stdout"


@asynccontextmanager
async def connect(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Client]:
    """A connected SDK client for `kind`: memory, stdio, http or sse."""
    if kind == "memory":
        server = build_server(Settings(db=f"sqlite:///{tmp_path / 'memory.db'}", log_level="WARNING"))
        async with Client(server, raise_exceptions=True) as client:
            yield client
    elif kind == "stdio":
        params = StdioServerParameters(
            command=sys.executable, args=["-m", "server", "serve"], env=server_env(tmp_path / "stdio.db")
        )
        async with Client(params) as client:
            yield client
    elif kind == "http":
        _, port = request.getfixturevalue("http_server")
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            yield client
    elif kind == "sse":
        _, port = request.getfixturevalue("sse_server")
        async with Client(sse_client(f"http://127.0.0.1:{port}/sse"), mode="legacy") as client:
            yield client
    else:  # pragma: no cover
        raise ValueError(kind)
