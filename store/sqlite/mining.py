"""Mining turns on SQLite: one mining pass per workspace at a time among the processes sharing a file.

A turn is an exclusive OS lock on the sidecar file ``<database>-mining.lock``. On Linux it is an
open-file-description lock (``F_OFD_SETLK``) on one byte per workspace, at an offset hashed from its
name, so workspaces mine independently. OFD locks belong to the open file, not to the process:
two store objects in one process exclude each other exactly as two processes do, which classic
POSIX record locks (``lockf``) would not, and closing one descriptor drops no other's lock.
Elsewhere with fcntl (macOS, the BSDs) it is ``flock`` on the whole file, so all workspaces of one
database take turns. Without fcntl (Windows) only the in-process lock is taken: several processes
on one file may then mine a workspace at the same moment, which wastes work but stays correct
(merges follow redirects and a pass whose patterns changed under it is dropped).

The lock lives on a descriptor opened for the turn and closed after it; closing releases it, and
so does the OS when the holding process dies. The wait polls non-blocking lock attempts between
sleeps on the event loop, so a deadline or a cancelled caller leaves no thread blocked on the
file; opening the file, the one call that can stall (a slow disk), runs in a worker thread.
An in-memory database belongs to one store object, so the in-process lock is all it needs.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import struct
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from ..base import MINING_WAIT_S, StoreUnavailable
from ..turns import check_wait, poll
from .connection import SqliteBase

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

# ``struct flock`` as Linux lays it out with 64-bit offsets (CPython is built with large-file
# support): l_type, l_whence, l_start, l_len, l_pid, padded to its alignment.
_FLOCK = "hhqqi0q"
PER_WORKSPACE = fcntl is not None and sys.platform == "linux" and hasattr(fcntl, "F_OFD_SETLK")
"""True where workspaces of one database mine independently across processes (OFD byte locks)."""


def lock_offset(workspace: str) -> int:
    """The byte of the lock file that stands for `workspace` (two names sharing one just take turns)."""
    return int.from_bytes(hashlib.blake2b(workspace.encode(), digest_size=7).digest(), "big")


def open_lock_file(path: str) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)


def try_lock(fd: int, workspace: str, *, per_workspace: bool = PER_WORKSPACE) -> bool:
    """Take the workspace's turn on the open lock file `fd` without waiting; False if another holds it."""
    if fcntl is None:
        return True
    try:
        if per_workspace:
            request = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, lock_offset(workspace), 1, 0)
            fcntl.fcntl(fd, fcntl.F_OFD_SETLK, request)
        else:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EAGAIN):
            return False
        raise
    return True


class SqliteMining(SqliteBase):
    @asynccontextmanager
    async def mining_turn(self, workspace: str, *, wait_s: float = MINING_WAIT_S) -> AsyncIterator[None]:
        check_wait(wait_s)
        self._check_open()
        deadline = anyio.current_time() + wait_s
        async with self._mining_queue.turn(workspace, deadline, wait_s):
            if self._mining_lock_path is None or fcntl is None:  # in memory, or no OS lock to take
                yield
                return
            fd = await self._open_lock_file(self._mining_lock_path)
            try:
                await poll(functools.partial(self._try_lock, fd, workspace), deadline, workspace, wait_s)
                yield
            finally:
                os.close(fd)

    async def _open_lock_file(self, path: str) -> int:
        try:
            # Shielded: a caller cancelled while the thread opens the file must still get (and close) it.
            with anyio.CancelScope(shield=True):
                return await anyio.to_thread.run_sync(open_lock_file, path)
        except OSError as exc:
            raise StoreUnavailable(
                f"SQLite database {self._url}: cannot open its mining lock {path}: {exc}"
            ) from exc

    async def _try_lock(self, fd: int, workspace: str) -> bool:
        try:
            return try_lock(fd, workspace)
        except OSError as exc:
            raise StoreUnavailable(
                f"SQLite database {self._url}: cannot lock its mining lock file: {exc}"
            ) from exc
