"""Cross-process ownership of sandbox uids.

Every process of a sandbox uid is killed after each run, so a uid must belong to one run at a time
across all processes on the machine: two servers, or a server and a test run, may share a uid
range. A run holds an exclusive ``flock`` on its uid's lock file in a directory only root can
write; the kernel releases it if the holder dies, so a crash never leaves a uid locked.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import tempfile
import time
from collections.abc import Callable

from .isolation import SandboxUnavailable

LOCK_DIR_NAME = "fractal-rmo-uid-locks"


MAX_ZOMBIES = 8
"""Zombies a uid may still have when a run takes it (each counts against its RLIMIT_NPROC)."""


def processes_of(uid: int) -> tuple[list[int], list[int]]:
    """Pids of the live processes and of the zombies whose owner is `uid`."""
    live, zombies = [], []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid != uid:
                    continue
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    state = fh.read().rpartition(b")")[2].split()[0]
            except (OSError, IndexError):
                continue
            (zombies if state in (b"Z", b"X") else live).append(int(entry.name))
    return live, zombies


def lock_dir() -> str:
    path = os.path.join(tempfile.gettempdir(), LOCK_DIR_NAME)
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077:
        raise SandboxUnavailable(
            f"{path} must be a directory owned by uid {os.geteuid()} and closed to others (it holds the sandbox "
            "uid locks). Hint: remove it and restart the server."
        )
    return path


def try_lock(uid: int) -> Callable[[], None] | None:
    """Lock `uid` for this process; returns the release function, or None when another process holds it."""
    fd = os.open(os.path.join(lock_dir(), f"{uid}.lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return lambda: os.close(fd)


def lock_waiting(uid: int, timeout_s: float) -> Callable[[], None]:
    deadline = time.monotonic() + timeout_s
    while (release := try_lock(uid)) is None:
        if time.monotonic() > deadline:
            raise SandboxUnavailable(
                f"sandbox uid {uid} stayed locked by another process for {timeout_s:g} s"
            )
        time.sleep(0.01)
    return release


def claim_clean(uid: int) -> Callable[[], None] | None:
    """Lock `uid` if no other process holds it, it owns no live process, and few zombies await their
    reaper: RLIMIT_NPROC counts those against the uid, and the next run must be able to fork."""
    release = try_lock(uid)
    if release is None:
        return None
    live, zombies = processes_of(uid)
    if live or len(zombies) > MAX_ZOMBIES:
        release()
        return None
    return release
