"""Round trip of each tool against a trivial `ping` on the same server, per transport.

    python -m bench.roundtrip [--repeats 200] [--transports memory,stdio,http] [--synchronous full]
    python -m bench.roundtrip --db postgresql      # a fresh schema on FRACTAL_RMO_TEST_PG, dropped after

Each figure is the median over `repeats` calls with its p10–p90 spread; the overhead column is a
ratio of medians measured in the same run, on the same connection.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from .load_http import fresh_database
from .stats import Sample, machine, table, time_async

REPO = Path(__file__).resolve().parents[1]

TRACEBACK = """Traceback (most recent call last):
  File "/srv/app/{module}.py", line {line}, in {function}
    return rows[{index}]["{key}"]
KeyError: '{key}'
"""


def log_error_args(counter: itertools.count) -> Callable[[], dict[str, Any]]:
    """Realistic reports: mostly recurring mistakes (existing groups), one in ten a new one."""

    def make() -> dict[str, Any]:
        n = next(counter)
        function = f"load_{n % 10 if n % 10 else n}"
        return {
            "message": f"'{'id' if n % 2 else 'name'}_{n}'",
            "error_type": "KeyError",
            "traceback": TRACEBACK.format(
                module="loader", line=10 + n % 50, function=function, index=n, key=f"k{n}"
            ),
            "source": "runtime",
        }

    return make


@contextlib.asynccontextmanager
async def connect(kind: str, url: str) -> AsyncIterator[Client]:
    env = {**os.environ, "FRACTAL_RMO_LOG_LEVEL": "WARNING"}
    if kind == "memory":
        from server.settings import Settings

        from .server_with_ping import with_ping

        async with Client(with_ping(Settings(db=url, log_level="WARNING"))) as client:
            yield client
        return
    if kind == "stdio":
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "bench.server_with_ping", "--transport", "stdio", "--db", url],
            env=env,
            cwd=str(REPO),
        )
        async with Client(params) as client:
            yield client
        return
    port = free_port()
    proc = subprocess.Popen(  # noqa: ASYNC220 - returns at once; the server outlives this block's awaits
        [
            sys.executable,
            "-m",
            "bench.server_with_ping",
            "--transport",
            "http",
            "--port",
            str(port),
            "--db",
            url,
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await wait_for_port(port)
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            yield client
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_for_port(port: int) -> None:
    with anyio.fail_after(30):
        while True:
            try:
                stream = await anyio.connect_tcp("127.0.0.1", port)
                await stream.aclose()
                return
            except OSError:
                await anyio.sleep(0.05)


async def measure(kind: str, repeats: int, url: str) -> dict[str, Sample]:
    async with connect(kind, url) as client:
        next_report = log_error_args(itertools.count())

        async def ping() -> None:
            result = await client.call_tool("ping", {"x": 1})
            assert not result.is_error

        async def log_error_shape() -> None:
            result = await client.call_tool("log_error_shape", next_report())
            assert not result.is_error, result.content

        async def log_error() -> None:
            result = await client.call_tool("log_error", next_report())
            assert not result.is_error, result.content

        async def find_patterns() -> None:
            result = await client.call_tool("find_patterns", {"limit": 20})
            assert not result.is_error, result.content

        return {
            "ping": await time_async(ping, repeats=repeats),
            "log_error_shape": await time_async(log_error_shape, repeats=repeats),
            "log_error": await time_async(log_error, repeats=repeats),
            "find_patterns": await time_async(find_patterns, repeats=repeats),
        }


def run(transports: list[str], repeats: int, db: str, synchronous: str) -> str:
    rows = []
    for kind in transports:
        # A fresh store per transport, so each starts from the same empty state.
        with fresh_database(db) as url:
            if db == "sqlite":
                url += f"?synchronous={synchronous}"
            samples = anyio.run(measure, kind, repeats, url)
        base = samples["ping"].median
        for tool, sample in samples.items():
            ratio = "1.00" if tool == "ping" else f"{sample.median / base:.2f}"
            rows.append([kind, tool, sample.cell(), ratio, f"+{(sample.median / base - 1) * 100:.0f}%"])
    return table(["transport", "tool", "median ms (p10–p90)", "× ping", "added"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--transports", default="memory,stdio,http")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite", help="store backend")
    parser.add_argument(
        "--synchronous", choices=["normal", "full"], default="normal", help="the SQLite store's sync mode"
    )
    args = parser.parse_args()
    out = run(args.transports.split(","), args.repeats, args.db, args.synchronous)
    store = f"SQLite synchronous={args.synchronous}" if args.db == "sqlite" else "PostgreSQL"
    print(f"Machine: {machine()}; {store}\n\n{out}")


if __name__ == "__main__":
    main()
