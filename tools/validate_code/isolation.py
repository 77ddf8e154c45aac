"""Which sandbox this machine allows, found by trying it once, and the command line for each kind.

Strongest first:

``bwrap``    bubblewrap, started as the run's own unprivileged uid when the server is root (never
             as root: bwrap started by root leaves the sandbox root inside its user namespace).
             New user, network, pid, ipc, uts and mount namespaces; only /usr (read-only), the
             runtime and the run's inputs (read-only) and two small tmpfs (/tmp, /work) are visible.
             When the server is not root, bwrap's user namespace is the only separation: the
             sandbox cannot see the server's files or processes, but counts against its uid's limits.
``unshare``  root without bubblewrap: util-linux unshare (network, pid, mount, ipc, uts) and
             setpriv dropping to the run's uid with no capabilities. The file system stays visible.
``rlimits``  resource limits only, as the run's uid when the server is root (it cannot write the
             server's files, signal it or read its environment) or as the server's own uid when not
             (weakest: a detached process can outlive the run and the network is open).

Every kind adds the same resource limits (set by the judge on itself before any test runs), an
empty environment, a fresh working directory and a wall-clock kill of the whole process group.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .config import SandboxConfig
from .runtime.link import BOOT

Mode = Literal["bwrap", "unshare", "rlimits"]
SANDBOX_PATH = "/usr/bin:/bin"


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot run on this machine as configured (the operator must act)."""


@dataclass(frozen=True, slots=True)
class Isolation:
    mode: Mode
    label: str
    python: str
    root: bool
    tool: str | None = None
    setpriv: str | None = None
    kill: str | None = None
    extra_binds: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    """Why each stronger mode was not used."""


@dataclass(frozen=True, slots=True)
class RunPaths:
    lib_dir: str
    judge_dir: str
    work_dir: str


def sandbox_command(
    iso: Isolation,
    config: SandboxConfig,
    paths: RunPaths,
    *,
    uid: int,
    key_fd: int,
    result_fd: int,
    probe: bool = False,
) -> tuple[list[str], dict[str, str], str]:
    """Command, environment and host working directory that start the judge for one run.

    With `probe`, the sandbox runs a check that the runtime imports and prints its uid instead.
    """
    _judge_argv = _probe_argv if probe else _run_argv
    host_env = {
        "PATH": SANDBOX_PATH,
        "MALLOC_ARENA_MAX": "2",
        "HOME": paths.work_dir,
        "TMPDIR": paths.work_dir,
        "LANG": "C.UTF-8",
    }
    if iso.mode == "bwrap":
        inner = _judge_argv(iso.python, "/rmo/lib", "/rmo/judge", key_fd, result_fd)
        tmpfs = str(config.tmpfs_mb * 1024 * 1024)
        argv = [
            iso.tool or "bwrap", "--unshare-all", "--unshare-user", "--uid", str(uid), "--gid", str(uid),
            "--cap-drop", "ALL", "--die-with-parent", "--new-session", "--clearenv",
            "--setenv", "PATH", SANDBOX_PATH, "--setenv", "MALLOC_ARENA_MAX", "2", "--setenv", "HOME", "/work",
            "--setenv", "TMPDIR", "/tmp", "--setenv", "LANG", "C.UTF-8", "--hostname", "sandbox",
            "--ro-bind", "/usr", "/usr", *_root_links(), *_binds(iso.extra_binds),
            "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
            "--proc", "/proc", "--dev", "/dev",
            "--size", tmpfs, "--tmpfs", "/tmp", "--size", tmpfs, "--tmpfs", "/work",
            "--ro-bind", paths.lib_dir, "/rmo/lib", "--ro-bind", paths.judge_dir, "/rmo/judge",
            "--chdir", "/work", "--", *inner,
        ]  # fmt: skip
        return argv, {}, "/"
    inner = _judge_argv(iso.python, paths.lib_dir, paths.judge_dir, key_fd, result_fd)
    if iso.mode == "unshare":
        argv = [
            iso.tool or "unshare", "--net", "--pid", "--ipc", "--uts", "--mount", "--fork", "--kill-child", "--mount-proc",
            "--", iso.setpriv or "setpriv", "--reuid", str(uid), "--regid", str(uid), "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--", *inner,
        ]  # fmt: skip
        return argv, host_env, paths.work_dir
    return inner, host_env, paths.work_dir


def _run_argv(python: str, lib: str, judge: str, key_fd: int, result_fd: int) -> list[str]:
    return [python, "-I", "-S", "-B", "-u", "-X", "utf8", "-c", BOOT, lib, "judge", judge, str(key_fd), str(result_fd)]  # fmt: skip


def _probe_argv(python: str, lib: str, judge: str, key_fd: int, result_fd: int) -> list[str]:
    check = "import os,sys;sys.path.insert(0,sys.argv[1]);import _rmo_runtime.runner;print(os.getuid())"
    return [python, "-I", "-S", "-B", "-X", "utf8", "-c", check, lib]


def _root_links() -> list[str]:
    """/bin, /lib... as the host has them: symlinks into /usr on merged-/usr systems, else read-only binds."""
    args: list[str] = []
    for name in ("bin", "sbin", "lib", "lib64", "lib32", "libx32"):
        path = Path("/", name)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    return args


def _binds(paths: tuple[str, ...]) -> list[str]:
    return [arg for p in paths for arg in ("--ro-bind", p, p)]


def user_args(iso: Isolation, uid: int) -> dict:
    """Popen keyword arguments that start the sandbox as the run's uid (root only; unshare drops later)."""
    if iso.root and iso.mode in ("bwrap", "rlimits"):
        return {"user": uid, "group": uid, "extra_groups": []}
    return {}
