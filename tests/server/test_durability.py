"""Durability and scale-out with the real `fractal-rmo serve` over HTTP.

(a) Two server processes on one store (one SQLite file, one PostgreSQL schema) take concurrent
    log_error writes: afterwards every count is exact and no fingerprint has two patterns.
(b) The server is killed with SIGKILL in the middle of a burst of writes: every write the client
    saw acknowledged (it got an error_id back) is in the store when it is opened again.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from store import open_store

from .conftest import free_port, server_env, wait_for_port

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

WORKSPACE = "durable"
TOKEN = "durability-token-" + secrets.token_hex(8)
KINDS = [
    ("IndexError", "list index out of range", "return values[len(values) // 2 + 1]"),
    ("KeyError", "'port'", "return config['port']"),
    ("ZeroDivisionError", "division by zero", "return total / count"),
    ("TypeError", "unsupported operand type(s) for +: 'int' and 'str'", "total = total + row"),
    ("AttributeError", "'NoneType' object has no attribute 'strip'", "name = match.group(1).strip()"),
]
PER_KIND = 24


def report(kind: int, seq: int) -> dict[str, Any]:
    error_type, message, line = KINDS[kind]
    # Line numbers differ on every report; they are not part of the fingerprint, so each kind is one group.
    traceback = (
        "Traceback (most recent call last):\n"
        f'  File "/srv/app/worker.py", line {100 + seq}, in handle_{kind}\n'
        f"    {line}\n{error_type}: {message}\n"
    )
    return {"message": message, "error_type": error_type, "traceback": traceback}


def pg_base_url() -> str:
    url = os.environ.get("FRACTAL_RMO_TEST_PG", "")
    if not url or url == "skip":
        pytest.skip("PostgreSQL is not configured (FRACTAL_RMO_TEST_PG)")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """One store URL for the test: a SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
        return
    base = pg_base_url()
    schema = f"durability_{secrets.token_hex(4)}"
    yield f"{base}{'&' if '?' in base else '?'}schema={schema}"

    async def drop() -> None:
        import asyncpg

        conn = await asyncpg.connect(base)
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()

    anyio.run(drop)


@contextmanager
def serve(db_url: str, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`python -m server serve --transport http` on a free port; yields its URL and process."""
    port = free_port()
    env = server_env(
        tmp_path / "unused.db", FRACTAL_RMO_TOKENS=f"{TOKEN}={WORKSPACE}", FRACTAL_RMO_WORKSPACE=WORKSPACE
    )
    env["FRACTAL_RMO_DB"] = db_url
    env["FRACTAL_RMO_RATE_LIMIT_PER_MINUTE"] = "0"
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--transport", "http", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, proc, timeout=60)
        yield f"http://127.0.0.1:{port}/mcp", proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stderr:
            proc.stderr.close()


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


async def test_two_servers_on_one_store_keep_exact_counts_and_one_pattern_per_fingerprint(
    db_url: str, tmp_path: Path
) -> None:
    with serve(db_url, tmp_path / "a") as (url_a, _), serve(db_url, tmp_path / "b") as (url_b, _):
        answers: list[tuple[int, dict[str, Any]]] = []
        failures: list[str] = []

        async def writer(url: str, jobs: list[tuple[int, int]]) -> None:
            async with connected(url) as client:
                for kind, seq in jobs:
                    result = await client.call_tool("log_error", report(kind, seq))
                    if result.is_error:
                        failures.append(result.content[0].text)
                    else:
                        answers.append((kind, result.structured_content))

        # Every kind's first reports reach both servers at once, so both race to create its pattern.
        jobs = [(kind, seq) for seq in range(PER_KIND) for kind in range(len(KINDS))]
        lanes = 8
        with anyio.fail_after(120):
            async with anyio.create_task_group() as tg:
                for lane in range(lanes):
                    tg.start_soon(writer, (url_a, url_b)[lane % 2], jobs[lane::lanes])

    assert failures == []
    assert len(answers) == len(KINDS) * PER_KIND
    fingerprints = {kind: {a["fingerprint"] for k, a in answers if k == kind} for kind in range(len(KINDS))}
    assert all(len(f) == 1 for f in fingerprints.values()), fingerprints
    patterns_of: dict[str, set[str]] = defaultdict(set)
    for _, answer in answers:
        patterns_of[answer["fingerprint"]].add(answer["pattern_id"])
    assert all(len(p) == 1 for p in patterns_of.values()), (
        f"a fingerprint got several patterns: {patterns_of}"
    )
    assert len({a["error_id"] for _, a in answers}) == len(answers)
    # Each kind's frequencies seen by clients run 1..PER_KIND: no update was lost between the two servers.
    for kind in range(len(KINDS)):
        seen = sorted(a["pattern_frequency"] for k, a in answers if k == kind)
        assert seen[-1] == PER_KIND

    store = await open_store(db_url)
    try:
        assert await store.count_errors(WORKSPACE) == len(KINDS) * PER_KIND
        groups = await store.signature_groups(WORKSPACE)
        assert Counter(g.count for g in groups) == {PER_KIND: len(KINDS)}
        assert {g.fingerprint for g in groups} == set(patterns_of)
        for fingerprint, (pattern_id,) in patterns_of.items():
            pattern = await store.get_pattern(WORKSPACE, pattern_id)
            assert pattern.frequency == PER_KIND, fingerprint
        page = await store.list_patterns(WORKSPACE, limit=100)
        assert page.total == len(KINDS)
    finally:
        await store.close()


async def test_every_acknowledged_write_survives_a_kill_9(db_url: str, tmp_path: Path) -> None:
    acknowledged: list[str] = []
    enough = anyio.Event()
    with serve(db_url, tmp_path) as (url, proc):

        async def writer(lane: int) -> None:
            seq = 0
            try:
                async with connected(url) as client:
                    while True:
                        result = await client.call_tool(
                            "log_error", report(seq % len(KINDS), lane * 10_000 + seq)
                        )
                        seq += 1
                        if not result.is_error:
                            acknowledged.append(result.structured_content["error_id"])
                            if len(acknowledged) >= 150:
                                enough.set()
            except Exception:  # the server is gone: whatever was in flight was never acknowledged
                return

        with anyio.fail_after(120):
            async with anyio.create_task_group() as tg:
                for lane in range(12):
                    tg.start_soon(writer, lane)
                await enough.wait()
                os.kill(proc.pid, signal.SIGKILL)  # mid-burst: twelve writers still have calls in flight
                await anyio.to_thread.run_sync(proc.wait)
                kill_time_acks = len(acknowledged)
        assert proc.returncode == -signal.SIGKILL

    assert kill_time_acks >= 150
    store = await open_store(db_url)
    try:
        missing = []
        for error_id in acknowledged:
            try:
                await store.get_error(WORKSPACE, error_id)
            except Exception:
                missing.append(error_id)
        assert missing == [], f"{len(missing)} acknowledged errors were lost: {missing[:10]}"
        assert await store.count_errors(WORKSPACE) >= len(acknowledged)
    finally:
        await store.close()
