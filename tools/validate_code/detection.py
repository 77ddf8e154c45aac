"""Finding, once per process and configuration, the strongest sandbox this machine allows.

Each candidate (bwrap, then unshare, then rlimits) is started for real with a probe that imports
the runtime and prints its uid; the first that works is used, and the reasons the others failed
are kept in `Isolation.notes`.
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from .config import SandboxConfig
from .isolation import Isolation, Mode, RunPaths, SandboxUnavailable, sandbox_command, user_args
from .uidlocks import lock_waiting, try_lock

PROBE_TIMEOUT_S = 20.0


_lock = threading.Lock()
_detected: dict[SandboxConfig, Isolation] = {}
_runtime_dir: str | None = None


def detect(config: SandboxConfig) -> Isolation:
    """The strongest isolation that works here (probed once per configuration and process)."""
    with _lock:
        if config not in _detected:
            _detected[config] = _detect(config)
        return _detected[config]


def _detect(config: SandboxConfig) -> Isolation:
    root = os.geteuid() == 0
    if root:
        _check_slot_uids(config)
    python = _choose_python(config, root)
    kill = shutil.which("kill") if root else None
    notes: list[str] = []
    probe_dir = runtime_dir()
    wanted = ["bwrap", "unshare", "rlimits"] if config.isolation == "auto" else [config.isolation]
    for mode in wanted:
        iso = _candidate(mode, config, python, root, kill, tuple(notes))
        if iso is None:
            notes.append(f"{mode}: not installed")
            continue
        error = _probe(iso, config, probe_dir)
        if error is None:
            if root:
                _sweep_unused(iso, config)
            return iso
        notes.append(f"{mode}: {error}")
    raise SandboxUnavailable(
        f"no sandbox works with isolation={config.isolation!r}: {'; '.join(notes)}. Hint: install bubblewrap "
        "(apt-get install -y bubblewrap) or set the sandbox isolation to 'auto' to allow a weaker fallback."
    )


def _candidate(
    mode: Mode, config: SandboxConfig, python: str, root: bool, kill: str | None, notes: tuple[str, ...]
) -> Isolation | None:
    prefix = _prefix_outside_usr(python)
    if mode == "bwrap":
        tool = shutil.which(config.bwrap_path)
        if tool is None:
            return None
        label = "bwrap+uid+netns+pidns" if root else "bwrap+userns+netns+pidns"
        return Isolation("bwrap", label, python, root, tool=tool, kill=kill, extra_binds=prefix, notes=notes)
    if mode == "unshare":
        tool, setpriv = shutil.which("unshare"), shutil.which("setpriv")
        if not root or tool is None or setpriv is None:
            return None
        return Isolation(
            "unshare",
            "unshare+uid+netns+pidns",
            python,
            root,
            tool=tool,
            setpriv=setpriv,
            kill=kill,
            notes=notes,
        )
    return Isolation("rlimits", "rlimits+uid" if root else "rlimits", python, root, kill=kill, notes=notes)


def _sweep_unused(iso: Isolation, config: SandboxConfig) -> None:
    """Kill what a crashed earlier server left under our uids (never a uid another process is using)."""
    for uid in config.uids:
        release = try_lock(uid)
        if release is not None:
            try:
                sweep_uids(iso, (uid,))
            finally:
                release()


def _probe(iso: Isolation, config: SandboxConfig, lib_dir: str) -> str | None:
    """Start the candidate sandbox for real once; None when it works, else what went wrong."""
    uid = config.probe_uid
    release = lock_waiting(uid, PROBE_TIMEOUT_S) if iso.root else None
    work = tempfile.mkdtemp(prefix="rmo-probe-", dir=config.tmp_dir)
    try:
        if iso.root:
            os.chown(work, uid, uid)
        paths = RunPaths(lib_dir=lib_dir, judge_dir=lib_dir, work_dir=work)
        argv, env, cwd = sandbox_command(iso, config, paths, uid=uid, key_fd=0, result_fd=1, probe=True)
        done = subprocess.run(
            argv,
            env=env,
            cwd=cwd,
            capture_output=True,
            timeout=PROBE_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
            **user_args(iso, uid),
        )
        if done.returncode != 0:
            return f"probe failed ({done.returncode}): {done.stderr.decode(errors='replace').strip()[:200]}"
        if iso.root and done.stdout.split() != [str(uid).encode()]:
            return f"probe ran as uid {done.stdout.decode(errors='replace').strip()!r}, not {uid}"
        return None
    except (OSError, subprocess.SubprocessError) as exc:
        return f"probe failed: {exc}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if release is not None:
            sweep_uids(iso, (uid,))
            release()


def _choose_python(config: SandboxConfig, root: bool) -> str:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    candidates = (
        [config.python]
        if config.python
        else [
            f"/usr/bin/python{version}",
            os.path.realpath(getattr(sys, "_base_executable", sys.executable)),
            "/usr/bin/python3",
        ]
    )
    rejected = []
    for path in candidates:
        if not path or not os.path.isfile(path):
            continue
        problem = _unsafe_interpreter(path, config) if root else None
        if problem is None:
            return path
        rejected.append(f"{path}: {problem}")
    raise SandboxUnavailable(
        f"no usable Python interpreter for the sandbox ({'; '.join(rejected) or 'none of ' + ', '.join(filter(None, candidates))}). "
        "Hint: install a system python3 (root-owned, not writable by others) or set the sandbox python path."
    )


def _unsafe_interpreter(path: str, config: SandboxConfig) -> str | None:
    """Sandboxed code must not be able to replace the interpreter (or anything on its path) it runs next time."""
    real = Path(os.path.realpath(path))
    for part in [real, *real.parents]:
        st = part.stat()
        if st.st_mode & stat.S_IWOTH and not (part.is_dir() and st.st_mode & stat.S_ISVTX):
            return f"{part} is writable by everyone"
        if config.uid_base <= st.st_uid <= config.probe_uid:
            return f"{part} belongs to a sandbox uid"
    return None


def _prefix_outside_usr(python: str) -> tuple[str, ...]:
    real = Path(os.path.realpath(python))
    if real.is_relative_to("/usr"):
        return ()
    return (str(real.parent.parent),)


def _check_slot_uids(config: SandboxConfig) -> None:
    for uid in range(config.uid_base, config.probe_uid + 1):
        try:
            account = pwd.getpwuid(uid)
        except KeyError:
            continue
        raise SandboxUnavailable(
            f"sandbox uid {uid} belongs to the account {account.pw_name!r}; every process of a sandbox uid is killed after "
            f"each run. Hint: set the sandbox uid_base to the start of {len(config.uids) + 1} unused uids."
        )


def sweep_uids(iso: Isolation, uids) -> None:
    """Kill every process of the sandbox uids (as each uid: ``kill -KILL -1`` reaches exactly its own processes)."""
    if not iso.root or iso.kill is None:
        return
    for uid in uids:
        subprocess.run(
            [iso.kill, "-KILL", "-1"],
            user=uid,
            group=uid,
            extra_groups=[],
            env={},
            cwd="/",
            capture_output=True,
            timeout=10,
            check=False,
        )


def runtime_dir() -> str:
    """A root-owned, read-only copy of the in-sandbox runtime shared by every run of this process."""
    global _runtime_dir
    if _runtime_dir is None or not os.path.isdir(_runtime_dir):
        base = tempfile.mkdtemp(prefix="rmo-runtime-")
        os.chmod(base, 0o755)
        target = Path(base, "_rmo_runtime")
        target.mkdir(mode=0o755)
        for source in Path(__file__).with_name("runtime").glob("*.py"):
            dest = target / source.name
            shutil.copyfile(source, dest)
            dest.chmod(0o644)
        os.chmod(target, 0o555)
        os.chmod(base, 0o555)
        atexit.register(_remove_runtime_dir, base)
        _runtime_dir = base
    return _runtime_dir


def _remove_runtime_dir(path: str) -> None:
    for root, dirs, _ in os.walk(path):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
    os.chmod(path, 0o755)
    shutil.rmtree(path, ignore_errors=True)
