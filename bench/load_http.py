"""Load test over Streamable HTTP: N concurrent agents mixing every tool against a real server process.

    python -m bench.load_http                       # 100 clients for 60 s on a fresh PostgreSQL schema
    python -m bench.load_http --clients 20 --duration 30 --db sqlite
    python -m bench.load_http --table               # throughput at 1, 20 and 100 clients (benchmark table)
    python -m bench.load_http --url http://127.0.0.1:8000/mcp --token T   # an already running server

The server is started as ``python -m server serve --transport http`` on a free loopback port, with a
bearer token for one workspace and a fresh PostgreSQL schema (dropped afterwards) or a temporary
SQLite file. Each client is an SDK `Client` with its own HTTP connection that behaves like an agent:
decompose a task, fetch the protocol, validate code, log errors, look at patterns, propose an insight,
complete the task. Before the clock starts, one uncounted call of each tool pays the one-time costs
(``--cold`` skips it). Traffic goes only to 127.0.0.1, and every run stops itself: calls have a budget,
the run has a deadline, and the server is stopped on the way out.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio

from bench.stats import Sample, machine, table

PG_URL = os.environ.get("FRACTAL_RMO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
CALL_BUDGET_S = 60.0
WEIGHTS = {
    "log_error": 30,
    "find_patterns": 15,
    "get_protocol": 15,
    "validate_code": 15,
    "decompose": 10,
    "complete_task": 10,
    "propose_insight": 5,
}

TRACEBACKS = [
    ("IndexError", "list index out of range", "return values[len(values) // 2 + {n}]"),
    ("KeyError", "'{word}'", "return config['{word}']"),
    ("TypeError", "unsupported operand type(s) for +: 'int' and 'str'", "total = total + row[{n}]"),
    ("AttributeError", "'NoneType' object has no attribute 'strip'", "name = match.group({n}).strip()"),
    ("ZeroDivisionError", "division by zero", "return total / (count - {n})"),
    ("ValueError", "invalid literal for int() with base 10: '{word}'", "port = int(parts[{n}])"),
    ("AssertionError", "assert {n} == {m}", "assert median([1, 2, {n}]) == {m}"),
    ("RecursionError", "maximum recursion depth exceeded", "return walk(node.children[{n}])"),
]
WORDS = ["alpha", "beta", "gamma", "delta", "port", "host", "user", "timeout"]
CODE_SAMPLES = [
    "def median(values):\n    values = sorted(values)\n    return values[len(values) // 2]\n",
    "def mean(xs):\n    return sum(xs) / len(xs)\n",
    "import os\n\ndef f(x=[]):\n    x.append(1)\n    return x\n",
    "def parse(line):\n    key, value = line.split('=')\n    return {key: int(value)}\n",
    "def broken(:\n    pass\n",
]
RULES = [
    (
        "Check that a sequence is non-empty before indexing into it.",
        "return values[len(values) // 2]",
        "if not values:\n    raise ValueError('empty')\nreturn values[len(values) // 2]",
    ),
    (
        "Read optional keys with dict.get and a default.",
        "return config['port']",
        "return config.get('port', 8080)",
    ),
    (
        "Guard divisions against a zero count.",
        "return total / count",
        "return total / count if count else 0.0",
    ),
]
TESTS = "from solution import *\n\ndef test_mean():\n    assert mean([1, 2, 3]) == 2\n"


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    tool_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failure_kinds: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    tool_error_kinds: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    skipped_tools: set[str] = field(default_factory=set)

    @property
    def calls(self) -> int:
        return sum(len(v) for v in self.latencies.values())


@dataclass
class Agent:
    """What one simulated agent remembers between calls."""

    rng: random.Random
    task_ids: list[str] = field(default_factory=list)
    pattern_ids: list[str] = field(default_factory=list)

    def arguments(self, tool: str) -> dict[str, Any] | None:
        rng = self.rng
        task_id = rng.choice(self.task_ids) if self.task_ids and rng.random() < 0.7 else None
        if tool == "log_error":
            kind, message, line = rng.choice(TRACEBACKS)
            fill = {"n": rng.randint(0, 9), "m": rng.randint(10, 99), "word": rng.choice(WORDS)}
            source = line.format(**fill)
            traceback = (
                "Traceback (most recent call last):\n"
                f'  File "/srv/app/module_{rng.randint(0, 3)}.py", line {rng.randint(1, 400)}, in handler\n'
                f"    {source}\n{kind}: {message.format(**fill)}\n"
            )
            return {
                "message": message.format(**fill),
                "error_type": kind,
                "traceback": traceback,
                "task_id": task_id,
            }
        if tool == "find_patterns":
            return {"min_frequency": rng.choice([1, 1, 2, 5]), "limit": rng.choice([5, 10, 20])}
        if tool == "get_protocol":
            return {"task_id": task_id} if task_id else {"task": "Parse a config file and compute a median"}
        if tool == "decompose":
            return {
                "task": f"Write a function that parses {rng.choice(WORDS)} records and reports statistics"
            }
        if tool == "validate_code":
            level = 3 if rng.random() < 0.2 else rng.choice([1, 2])
            args: dict[str, Any] = {"code": rng.choice(CODE_SAMPLES), "level": level}
            if level == 3:
                args["tests"] = TESTS
            if task_id:
                args["task_id"] = task_id
            return args
        if tool == "complete_task":
            if not self.task_ids:
                return None
            done = self.task_ids.pop(rng.randrange(len(self.task_ids)))
            status = rng.choice(["succeeded", "succeeded", "failed"])
            return {"task_id": done, "status": status, "tokens": rng.randint(500, 9000), "cost_usd": 0.01}
        if tool == "propose_insight":
            if not self.pattern_ids:
                return None
            # Agents word their rules differently; an identical proposal is (rightly) refused as a duplicate.
            rule, wrong, right = rng.choice(RULES)
            return {
                "pattern_id": rng.choice(self.pattern_ids),
                "rule": f"{rule} (seen in run {rng.randrange(10**6)})",
                "example_wrong": wrong,
                "example_right": right,
            }
        return None

    def remember(self, tool: str, structured: dict[str, Any] | None) -> None:
        if not structured:
            return
        if tool == "decompose" and isinstance(structured.get("task_id"), str):
            self.task_ids.append(structured["task_id"])
            del self.task_ids[:-20]
        if isinstance(structured.get("pattern_id"), str):
            self.pattern_ids.append(structured["pattern_id"])
            del self.pattern_ids[:-20]


# -- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """A database URL nobody else uses: a new PostgreSQL schema (dropped afterwards) or a temp SQLite file."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="fractal-rmo-load-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'load.db'}"
        return
    schema = f"load_{secrets.token_hex(4)}"
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}schema={schema}"
    finally:
        anyio.run(_drop_schema, schema)


async def _drop_schema(schema: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


@contextmanager
def server_process(db: str, token: str, workspace: str = "load") -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRACTAL_RMO_")}
    env.update(
        FRACTAL_RMO_DB=db,
        FRACTAL_RMO_TOKENS=f"{token}={workspace}",
        FRACTAL_RMO_LOG_LEVEL="ERROR",
        # Measuring the server, not the limiters: neither the tool-call nor the HTTP request limit.
        FRACTAL_RMO_RATE_LIMIT_PER_MINUTE="0",
        FRACTAL_RMO_HTTP_RATE_LIMIT_PER_MINUTE="0",
    )
    with tempfile.TemporaryFile() as log:
        yield from _serve(env, port, log)


def _serve(env: dict[str, str], port: int, log: Any) -> Iterator[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server",
            "serve",
            "--transport",
            "http",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise SystemExit(
                    f"the server exited with {proc.returncode}:\n{log.read().decode(errors='replace')}"
                )
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start listening within 60 s") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- the clients ----------------------------------------------------------------------------------


@asynccontextmanager
async def connected(url: str, token: str | None) -> AsyncIterator[Any]:
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    timeout = httpx2.Timeout(CALL_BUDGET_S, connect=10.0)
    async with (
        httpx2.AsyncClient(headers=headers, timeout=timeout) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


async def agent_loop(
    url: str, token: str | None, tools: list[str], deadline: float, seed: int, stats: Stats
) -> None:
    agent = Agent(random.Random(seed))
    weights = [WEIGHTS.get(t, 0) for t in tools]
    async with connected(url, token) as client:
        while time.monotonic() < deadline:
            tool = agent.rng.choices(tools, weights)[0]
            arguments = agent.arguments(tool)
            if arguments is None:
                tool, arguments = "decompose", agent.arguments("decompose")
                if "decompose" not in tools:
                    continue
            start = time.perf_counter()
            try:
                with anyio.fail_after(CALL_BUDGET_S):
                    result = await client.call_tool(
                        tool, {k: v for k, v in arguments.items() if v is not None}
                    )
            except Exception as exc:  # counted and reported: a load test must not stop at the first failure
                stats.latencies[tool].append((time.perf_counter() - start) * 1000)
                stats.failures[tool] += 1
                stats.failure_kinds[f"{tool}: {type(exc).__name__}: {str(exc)[:120]}"] += 1
                continue
            stats.latencies[tool].append((time.perf_counter() - start) * 1000)
            if result.is_error:
                stats.tool_errors[tool] += 1
                text = " ".join(getattr(block, "text", "") for block in result.content)
                stats.tool_error_kinds[f"{tool}: {text[:160]}"] += 1
            else:
                agent.remember(tool, result.structured_content)


async def warm_up(client: Any, tools: list[str]) -> None:
    """One call of each tool, uncounted: one-time costs (the first mining pass imports scikit-learn,
    the first validation starts the sandbox's interpreter) are start-up, not latency under load."""
    agent = Agent(random.Random(-1))
    for tool in sorted(tools, key=lambda t: t != "decompose"):  # a task first, so the rest can use it
        arguments = agent.arguments(tool)
        if arguments is None:
            continue
        with anyio.fail_after(CALL_BUDGET_S):
            result = await client.call_tool(tool, {k: v for k, v in arguments.items() if v is not None})
        if not result.is_error:
            agent.remember(tool, result.structured_content)


async def run_load(
    url: str, token: str | None, clients: int, duration: float, *, cold: bool = False
) -> tuple[Stats, float]:
    async with connected(url, token) as probe:
        listed = [t.name for t in (await probe.list_tools()).tools]
        if not cold:
            await warm_up(probe, [t for t in listed if t in WEIGHTS])
    tools = [t for t in listed if t in WEIGHTS]
    stats = Stats(skipped_tools={t for t in listed if t not in WEIGHTS})
    if not tools:
        raise SystemExit(f"the server offers none of the tools this load test drives (it lists {listed})")
    start = time.monotonic()
    deadline = start + duration
    # The whole run is bounded: the last calls get their own budget, then everything is cancelled.
    with anyio.move_on_after(duration + CALL_BUDGET_S + 30):
        async with anyio.create_task_group() as tg:
            for n in range(clients):
                tg.start_soon(agent_loop, url, token, tools, deadline, n, stats)
    return stats, time.monotonic() - start


# -- the report ---------------------------------------------------------------------------------------


def per_tool_report(stats: Stats, elapsed: float) -> str:
    rows = []
    for tool in sorted(stats.latencies):
        sample = Sample(stats.latencies[tool])
        rows.append(
            [
                tool,
                str(len(sample.times_ms)),
                f"{len(sample.times_ms) / elapsed:.1f}",
                f"{sample.quantile(0.50):.0f}",
                f"{sample.quantile(0.95):.0f}",
                f"{sample.quantile(0.99):.0f}",
                f"{max(sample.times_ms):.0f}",
                str(stats.tool_errors[tool]),
                str(stats.failures[tool]),
            ]
        )
    everything = Sample([t for times in stats.latencies.values() for t in times] or [0.0])
    rows.append(
        [
            "**all**",
            str(stats.calls),
            f"{stats.calls / elapsed:.1f}",
            f"{everything.quantile(0.50):.0f}",
            f"{everything.quantile(0.95):.0f}",
            f"{everything.quantile(0.99):.0f}",
            f"{max(everything.times_ms):.0f}",
            str(sum(stats.tool_errors.values())),
            str(sum(stats.failures.values())),
        ]
    )
    headers = ["tool", "calls", "calls/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "tool errors", "failures"]
    out = [table(headers, rows)]
    if stats.failure_kinds:
        out.append("\nFailures (calls that raised instead of returning a result):")
        out += [
            f"- {count} x {kind}"
            for kind, count in sorted(stats.failure_kinds.items(), key=lambda kv: -kv[1])
        ]
    if stats.tool_error_kinds:
        out.append("\nTool errors (isError results; the commonest first):")
        common = sorted(stats.tool_error_kinds.items(), key=lambda kv: -kv[1])[:8]
        out += [f"- {count} x {kind}" for kind, count in common]
    if stats.skipped_tools:
        out.append(
            f"\nTools listed but not driven by this load test: {', '.join(sorted(stats.skipped_tools))}"
        )
    return "\n".join(out)


def summary(stats: Stats, elapsed: float, clients: int) -> dict[str, Any]:
    everything = Sample([t for times in stats.latencies.values() for t in times] or [0.0])
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "calls": stats.calls,
        "calls_per_s": round(stats.calls / elapsed, 1),
        "p50_ms": round(everything.quantile(0.50), 1),
        "p95_ms": round(everything.quantile(0.95), 1),
        "p99_ms": round(everything.quantile(0.99), 1),
        "tool_errors": sum(stats.tool_errors.values()),
        "failures": sum(stats.failures.values()),
        "per_tool": {
            tool: {
                "calls": len(times),
                "p50_ms": round(Sample(times).quantile(0.50), 1),
                "p95_ms": round(Sample(times).quantile(0.95), 1),
                "p99_ms": round(Sample(times).quantile(0.99), 1),
                "tool_errors": stats.tool_errors[tool],
                "failures": stats.failures[tool],
            }
            for tool, times in sorted(stats.latencies.items())
        },
    }


# -- the command line ------------------------------------------------------------------------------


def load_average() -> str:
    """The machine's 1-minute load average: other work competing with the run, for reading the figures."""
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[0]
    except OSError:
        return "unknown"


def loopback_only(url: str) -> str:
    host = urlsplit(url).hostname or ""
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"--url must point at this machine (127.0.0.1); got host {host!r}")
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load_http", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100, help="concurrent clients (default 100)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per run (default 60)")
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql", help="store backend")
    parser.add_argument("--table", action="store_true", help="throughput at 1, 20 and 100 clients")
    parser.add_argument("--url", type=loopback_only, help="use a server that is already running here")
    parser.add_argument("--token", help="bearer token for --url")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--cold", action="store_true", help="no uncounted warm-up call of each tool first")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 1000 or not 1 <= args.duration <= 3600:
        parser.error("--clients must be 1-1000 and --duration 1-3600 seconds")

    counts = [1, 20, 100] if args.table else [args.clients]
    results = []
    print(f"# HTTP load test\n\n{machine()}; store: {args.db if not args.url else args.url}")
    print(f"1-minute load average before the first run: {load_average()}\n")
    for clients in counts:
        if args.url:
            stats, elapsed = anyio.run(
                functools.partial(run_load, args.url, args.token, clients, args.duration, cold=args.cold)
            )
        else:
            token = secrets.token_urlsafe(24)
            with fresh_database(args.db) as db, server_process(db, token) as url:
                stats, elapsed = anyio.run(
                    functools.partial(run_load, url, token, clients, args.duration, cold=args.cold)
                )
        results.append({**summary(stats, elapsed, clients), "load_average_after": load_average()})
        print(
            f"## {clients} client(s), {elapsed:.0f} s (1-minute load average afterwards: {load_average()})\n\n"
            f"{per_tool_report(stats, elapsed)}\n",
            flush=True,
        )
    if args.table:
        rows = [
            [str(r["clients"]), f"{r['calls_per_s']:.1f}", f"{r['p50_ms']:.0f}", f"{r['p95_ms']:.0f}",
             f"{r['p99_ms']:.0f}", str(r["tool_errors"]), str(r["failures"])]
            for r in results
        ]  # fmt: skip
        headers = ["clients", "calls/s", "p50 ms", "p95 ms", "p99 ms", "tool errors", "failures"]
        print("## Throughput\n\n" + table(headers, rows))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "db": args.db, "runs": results}, indent=2))
    return 1 if any(r["failures"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
