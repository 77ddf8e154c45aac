"""One sandboxed run: write the inputs, start the judge, read its authenticated records, clean up.

Threat model (what a hostile solution can and cannot do):

* It runs in the worker process, which is never trusted. The verdict is decided by the judge, a
  separate process that never imports the solution and only receives copies of plain values from
  it (see ``runtime/``). ``sys.exit(0)``, ``os._exit(0)``, killing its parent, patching builtins,
  redefining AssertionError or rewriting files in its directory can make tests fail, never pass.
* The judge's records reach the host on a pipe the worker never inherits, each line carrying an
  HMAC under a per-run key the judge read from another pipe before the worker existed; the judge
  is non-dumpable, so a same-uid worker can neither ptrace it nor open its memory or descriptors.
  A forged, replayed or reordered line fails authentication and fails the run.
* Values are still the solution's to choose: a solution object with its own ``__eq__`` decides what
  equality means for it (as under pytest), and the growth check's timings are reported by the
  worker, so performance verdicts are advice against deliberately deceptive code.
* The tests are trusted to define the verdict (whoever writes the tests decides what passing
  means) but not to be harmless: they run inside the same sandbox.
* Containment: see `isolation` for what each mode guarantees. Root servers never run untrusted
  code as uid 0; each concurrent run has its own uid, and after each run every process of that uid
  is killed (in the pid-namespace modes the namespace takes them all with it).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import shutil
import signal
import tempfile
from subprocess import DEVNULL, PIPE

import anyio

from .config import SandboxConfig
from .detection import detect, runtime_dir, sweep_uids
from .isolation import Isolation, RunPaths, SandboxUnavailable, sandbox_command, user_args
from .results import OnRecord, RecordReader, SandboxRun, drain
from .slots import pool_for
from .uidlocks import claim_clean

STARTUP_MARGIN_S = 0.35
"""Wall time kept back from the judge's budget for starting the sandbox and reporting."""


async def run_sandboxed(
    code: str,
    tests: str | None,
    *,
    config: SandboxConfig,
    timeout_s: float,
    growth: dict | None = None,
    on_record: OnRecord | None = None,
) -> SandboxRun:
    """Run `tests` against `code` in a fresh sandbox within `timeout_s` of wall time."""
    iso = await anyio.to_thread.run_sync(detect, config)
    asked = anyio.current_time()
    pool = pool_for(config, claim_clean if iso.root else None)
    async with pool.slot(config.queue_timeout_s) as uid:
        queued_ms = (anyio.current_time() - asked) * 1000
        run = await _run(
            code,
            tests,
            iso=iso,
            config=config,
            uid=uid,
            timeout_s=timeout_s,
            growth=growth,
            on_record=on_record,
        )
        run.queued_ms = queued_ms
        return run


def plan_for(config: SandboxConfig, iso: Isolation, *, timeout_s: float, growth: dict | None) -> dict:
    cpu = max(1, math.ceil(min(config.cpu_s, timeout_s)))
    nproc = config.max_processes if iso.root else _own_processes() + config.max_processes
    return {
        "budget_s": max(0.2, timeout_s - STARTUP_MARGIN_S),
        "test_timeout_s": config.test_timeout_s,
        "import_timeout_s": config.test_timeout_s,
        "growth": growth,
        "limits": {
            "RLIMIT_CPU": [cpu, cpu + 1],
            "RLIMIT_AS": config.memory_mb << 20,
            "RLIMIT_FSIZE": config.file_size_mb << 20,
            "RLIMIT_NPROC": nproc,
            "RLIMIT_NOFILE": config.max_open_files,
            "RLIMIT_CORE": 0,
        },
    }


async def _run(
    code, tests, *, iso: Isolation, config: SandboxConfig, uid: int, timeout_s: float, growth, on_record
) -> SandboxRun:
    run = SandboxRun(isolation=iso.label)
    run_dir = tempfile.mkdtemp(prefix="rmo-run-", dir=config.tmp_dir)
    key = secrets.token_bytes(32)
    fds: list[int] = []
    started = anyio.current_time()
    proc = None
    try:
        paths = _write_inputs(
            run_dir, code, tests, plan_for(config, iso, timeout_s=timeout_s, growth=growth), iso, uid
        )
        key_r, key_w = os.pipe()
        fds += [key_r, key_w]
        os.write(key_w, key.hex().encode("ascii"))
        os.close(key_w)
        fds.remove(key_w)
        result_r, result_w = os.pipe()
        fds += [result_r, result_w]
        argv, env, cwd = sandbox_command(iso, config, paths, uid=uid, key_fd=key_r, result_fd=result_w)
        proc = await anyio.open_process(
            argv, stdin=DEVNULL, stdout=PIPE, stderr=PIPE, pass_fds=(key_r, result_w), env=env, cwd=cwd,
            start_new_session=True, **user_args(iso, uid),
        )  # fmt: skip
        for fd in (key_r, result_w):
            os.close(fd)
            fds.remove(fd)
        reader = RecordReader(key, result_r, run, on_record)
        out, err = bytearray(), bytearray()
        limit = config.output_limit_kb * 1024
        async with anyio.create_task_group() as tg:
            tg.start_soon(drain, proc.stdout, out, limit)
            tg.start_soon(drain, proc.stderr, err, limit)
            with anyio.move_on_after(timeout_s) as scope:
                await reader.read()
                await proc.wait()
            run.timed_out = scope.cancelled_caught
            await _stop(proc, iso, uid)
            tg.cancel_scope.cancel()
        run.returncode = proc.returncode
        run.output = _tail(out, err)
        if run.hello is None and not run.timed_out:
            raise SandboxUnavailable(
                f"the sandbox did not start (exit {proc.returncode}): {bytes(err[-600:]).decode(errors='replace').strip()}"
            )
        if run.hello is not None and not run.done and not run.problems:
            run.problems.append(_ended_early(run, proc.returncode, iso))
        return run
    finally:
        with anyio.CancelScope(shield=True):
            if proc is not None:
                if proc.returncode is None:
                    await _stop(proc, iso, uid)
                with anyio.move_on_after(5):
                    await proc.aclose()
            for fd in fds:
                os.close(fd)
            _remove(run_dir)
        run.duration_ms = (anyio.current_time() - started) * 1000


def _write_inputs(
    run_dir: str, code: str, tests: str | None, plan: dict, iso: Isolation, uid: int
) -> RunPaths:
    """Inputs in a root-owned read-only tree (so the solution cannot rewrite its tests); a private work dir."""
    judge = os.path.join(run_dir, "judge")
    os.makedirs(os.path.join(judge, "code"))
    files = {"code/solution.py": code, "plan.json": json.dumps(plan)}
    if tests is not None:
        files["tests.py"] = tests
    for name, text in files.items():
        path = os.path.join(judge, name)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(path, 0o444)
    for path in (judge, os.path.join(judge, "code")):
        os.chmod(path, 0o555)
    work = os.path.join(run_dir, "work")
    os.mkdir(work, 0o700)
    if iso.root:
        os.chown(work, uid, uid)
        os.chown(run_dir, 0, uid)
        os.chmod(run_dir, 0o750)
    return RunPaths(lib_dir=runtime_dir(), judge_dir=judge, work_dir=work)


async def _stop(proc, iso: Isolation, uid: int) -> None:
    """Kill the run's process group, then every process of its uid; the pid namespace takes the rest."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    if iso.root:
        await anyio.to_thread.run_sync(sweep_uids, iso, (uid,))
        if iso.mode != "bwrap":
            await anyio.to_thread.run_sync(_remove_files_of, uid)
    with anyio.move_on_after(5):
        await proc.wait()


SHARED_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm")


def _remove_files_of(uid: int) -> None:
    """Without a private file system the sandbox can write to world-writable directories: take back
    whatever its uid left at their top level (its processes are dead, so nothing is still writing)."""
    for directory in SHARED_WRITABLE:
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def _ended_early(run: SandboxRun, returncode: int | None, iso: Isolation) -> str:
    if run.timed_out:
        return "the run did not finish within its wall-clock budget and was killed"
    if returncode is not None and iso.mode == "bwrap" and returncode > 128:
        returncode = 128 - returncode  # bwrap exits with 128 + the signal that ended its child
    if returncode is not None and returncode < 0:
        return f"the test runner was killed by signal {_signal_name(-returncode)} before it finished"
    return (
        f"the test runner stopped before it finished (exit {returncode}); something killed it or its process"
    )


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def _tail(out: bytearray, err: bytearray, limit: int = 4000) -> str:
    parts = []
    for name, data in (("stdout", out), ("stderr", err)):
        if data:
            text = bytes(data[-limit:]).decode("utf-8", errors="replace")
            parts.append(f"--- {name} ---\n{text}")
    return "\n".join(parts)


def _own_processes() -> int:
    uid = os.getuid()
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                count += entry.stat().st_uid == uid
    return count


def _remove(path: str) -> None:
    """Delete a run directory, including read-only parts (and anything the sandbox locked up)."""
    if os.geteuid() != 0:
        for root, dirs, _ in os.walk(path):
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o700)
        os.chmod(path, 0o700)
    shutil.rmtree(path)
