"""Hostile code is contained: within its budget, leaving nothing behind, never passing by cheating.

The battery runs once per isolation mode (bubblewrap, and the unshare and rlimits fallbacks forced
by configuration), all cases of a mode concurrently, then each test checks one case's verdict or one
thing left behind. Cases are in `hostile_cases.py`; each limits itself so a broken sandbox cannot
harm the machine.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import pytest

from store import open_store
from tools.validate_code import (
    SandboxConfig,
    SandboxUnavailable,
    ValidationRequest,
    ValidationResult,
    validate_code,
)
from tools.validate_code.detection import detect

from .conftest import sandbox_processes
from .hostile_cases import CASES, Case

PROJECT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.slow


@dataclass
class Battery:
    mode: str
    config: SandboxConfig
    results: dict[str, tuple[ValidationResult, float]] = field(default_factory=dict)
    leftover_processes: list[int] = field(default_factory=list)
    leftover_entries: list[str] = field(default_factory=list)
    outside_paths: list[str] = field(default_factory=list)
    marker: str = ""
    signals_received: int = 0
    connections_accepted: int = 0


def _fill(
    case: Case, *, mode: str, server_pid: int, port: int, marker: str, outside: list[str]
) -> tuple[str, str]:
    values = {
        "__SERVER_PID__": str(server_pid),
        "__PORT__": str(port),
        "__MARKER__": marker,
        "__OUTSIDE_PATHS__": repr(outside),
        "__DISK_LIMIT__": str(64 << 20 if mode == "bwrap" else 6 * (16 << 20)),
    }
    code, tests = case.code, case.tests
    for key, value in values.items():
        code, tests = code.replace(key, value), tests.replace(key, value)
    return code, tests


async def _run_all(battery: Battery, cases: list[Case], filled: dict[str, tuple[str, str]]) -> None:
    store = await open_store("sqlite:///:memory:")

    async def one(case: Case) -> None:
        code, tests = filled[case.name]
        started = time.monotonic()
        result = await validate_code(
            ValidationRequest(code=code, tests=tests, level=3, timeout_s=case.timeout_s),
            store=store,
            workspace="hostile",
            sandbox=battery.config,
        )
        battery.results[case.name] = (result, time.monotonic() - started)

    try:
        async with anyio.create_task_group() as tg:
            for case in cases:
                tg.start_soon(one, case)
    finally:
        await store.close()


@pytest.fixture(scope="module", params=["bwrap", "unshare", "rlimits"])
def battery(request: pytest.FixtureRequest, run_root: str):
    mode = request.param
    tmp = tempfile.mkdtemp(prefix=f"battery-{mode}-", dir=run_root)
    os.chmod(tmp, 0o755)
    config = SandboxConfig(
        isolation=mode, slots=6, max_queue=64, test_timeout_s=1.5, tmp_dir=tmp, uid_base=61000
    )
    try:
        detect(config)
    except SandboxUnavailable as exc:
        pytest.skip(f"{mode} is not available here: {exc}")

    drop = tempfile.mkdtemp(prefix="battery-drop-")
    os.chmod(drop, 0o777)  # world-writable: only isolation, not permissions, keeps the sandbox out of it
    token = secrets.token_hex(6)
    outside = [f"/var/tmp/rmo-outside-{token}", f"/tmp/rmo-outside-{token}", f"/usr/local/rmo-outside-{token}",
               f"/etc/rmo-outside-{token}", f"/root/rmo-outside-{token}", str(PROJECT / f"rmo-outside-{token}")]  # fmt: skip
    if mode == "bwrap":
        outside.append(os.path.join(drop, f"outside-{token}"))
    battery = Battery(
        mode=mode, config=config, outside_paths=outside, marker=os.path.join(drop, "detached-marker")
    )

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    received = []
    previous_handler = signal.signal(signal.SIGUSR1, lambda *_: received.append(1))
    os.environ["RMO_HOSTILE_SECRET"] = f"rmo-secret-{token}"
    cases = [c for c in CASES if mode in c.modes]
    filled = {
        c.name: _fill(
            c,
            mode=mode,
            server_pid=os.getpid(),
            port=listener.getsockname()[1],
            marker=battery.marker,
            outside=outside,
        )
        for c in cases
    }
    try:
        anyio.run(_run_all, battery, cases, filled)
        battery.leftover_processes = sandbox_processes(config)
        battery.leftover_entries = os.listdir(tmp)
        battery.signals_received = len(received)
        try:
            while True:
                listener.accept()[0].close()
                battery.connections_accepted += 1
        except BlockingIOError:
            pass
        yield battery
    finally:
        del os.environ["RMO_HOSTILE_SECRET"]
        signal.signal(signal.SIGUSR1, previous_handler)
        listener.close()
        for path in [*outside, battery.marker]:
            if os.path.exists(path):
                os.unlink(path)
        os.rmdir(drop)


def _describe(result: ValidationResult) -> str:
    stage = result.stages[-1]
    lines = [f"{stage.name}: {stage.summary}"] + [
        f"  {f.code} {f.test_name or ''}: {f.message[:300]}" for f in stage.findings
    ]
    return "\n".join(lines)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_code_gets_the_verdict_it_earned_within_its_budget(battery: Battery, case: Case) -> None:
    if battery.mode not in case.modes:
        pytest.skip(f"{battery.mode} does not isolate this ({case.name}); documented in isolation.py")
    result, seconds = battery.results[case.name]
    assert result.passed is case.passes, _describe(result)
    assert result.isolation.startswith(battery.mode)
    failed = result.stages[-1]
    assert failed.name == "tests"
    assert failed.duration_ms < (case.timeout_s + 1.0) * 1000
    assert seconds < case.timeout_s + 10  # the rest is waiting for one of the battery's slots
    if case.finding is not None:
        assert case.finding in {f.code for f in failed.findings}, _describe(result)
    if case.failing_tests is not None:
        assert {f.test_name for f in failed.findings if f.severity == "error"} == case.failing_tests, (
            _describe(result)
        )


def test_no_process_of_a_sandbox_uid_survives_the_battery(battery: Battery) -> None:
    assert battery.leftover_processes == []


def test_every_run_directory_is_removed(battery: Battery) -> None:
    assert battery.leftover_entries == []


def test_a_detached_background_process_never_writes_its_marker(battery: Battery) -> None:
    # No sandbox process is left (checked above), so the marker can never appear later either.
    assert battery.leftover_processes == []
    assert not os.path.exists(battery.marker)


def test_nothing_is_left_outside_the_sandbox(battery: Battery) -> None:
    assert [p for p in battery.outside_paths if os.path.exists(p)] == []


def test_the_server_received_no_signal(battery: Battery) -> None:
    assert battery.signals_received == 0


def test_the_local_listener_received_no_connection(battery: Battery) -> None:
    if battery.mode == "rlimits":
        pytest.skip("the rlimits fallback has no network namespace (documented)")
    assert battery.connections_accepted == 0


def test_the_server_still_answers_after_the_battery(battery: Battery) -> None:
    async def check() -> tuple[ValidationResult, float]:
        store = await open_store("sqlite:///:memory:")
        try:
            started = time.monotonic()
            result = await validate_code(
                ValidationRequest(
                    code="def add(a, b):\n    return a + b\n",
                    tests="def test_add():\n    assert add(2, 3) == 5\n",
                ),
                store=store,
                workspace="after",
                sandbox=battery.config,
            )
            return result, time.monotonic() - started
        finally:
            await store.close()

    result, seconds = anyio.run(check)
    assert result.passed
    assert seconds < 2.0
