"""A bounded number of concurrent sandboxes, each run under a uid no other run is using.

Calls past `size` wait in a bounded queue; past the queue, or after waiting too long, they get
`Busy`. A free place goes straight to the next waiter, so a late arrival cannot jump the queue.

There are more uids than places (four per place), handed out least recently used first through
`claim`, which refuses a uid another process holds (`uidlocks`) or that still owns processes: a
killed run's processes are reaped by init, which can take over a second in some containers, and
RLIMIT_NPROC counts them against their uid until then. The pool is shared by every call in the
process; waiters must use one event loop.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

import anyio

from tools.errors import Busy

from .config import SandboxConfig

Release = Callable[[], None]
Claim = Callable[[int], Release | None]


class _Waiter:
    __slots__ = ("event", "granted")

    def __init__(self) -> None:
        self.event = anyio.Event()
        self.granted = False


class SlotPool:
    def __init__(
        self, size: int, max_queue: int, uids: Sequence[int] | None = None, claim: Claim | None = None
    ) -> None:
        self.size = size
        self.max_queue = max_queue
        self._running = 0
        self._uids = deque(uids if uids is not None else range(size))
        if len(self._uids) < size:
            raise ValueError("a slot pool needs at least one uid per slot")
        self._claim: Claim = claim or (lambda uid: lambda: None)
        self._waiters: deque[_Waiter] = deque()
        self._lock = threading.Lock()

    @property
    def queued(self) -> int:
        return len(self._waiters)

    @asynccontextmanager
    async def slot(self, wait_s: float) -> AsyncIterator[int]:
        """A place to run, as the uid to run it under."""
        deadline = anyio.current_time() + wait_s
        await self._acquire(wait_s)
        try:
            while (taken := self._take_uid()) is None:
                if anyio.current_time() > deadline:
                    raise Busy(self._busy_message("and every sandbox uid is still in use by another process"))
                await anyio.sleep(0.02)
        except BaseException:
            self._release()
            raise
        uid, release = taken
        try:
            yield uid
        finally:
            release()
            with self._lock:
                self._uids.append(uid)
            self._release()

    async def _acquire(self, wait_s: float) -> None:
        with self._lock:
            if self._running < self.size:
                self._running += 1
                return
            if len(self._waiters) >= self.max_queue:
                raise Busy(self._busy_message("and the queue is full"))
            waiter = _Waiter()
            self._waiters.append(waiter)
        try:
            with anyio.move_on_after(wait_s):
                await waiter.event.wait()
        except BaseException:
            self._withdraw(waiter)
            raise
        with self._lock:
            if not waiter.granted:
                self._waiters.remove(waiter)
                raise Busy(self._busy_message(f"after waiting {wait_s:g} s"))

    def _take_uid(self) -> tuple[int, Release] | None:
        with self._lock:
            for _ in range(len(self._uids)):
                uid = self._uids.popleft()
                release = self._claim(uid)
                if release is not None:
                    return uid, release
                self._uids.append(uid)
            return None

    def _withdraw(self, waiter: _Waiter) -> None:
        """A cancelled waiter leaves the queue, passing on a place it was granted meanwhile."""
        with self._lock:
            if not waiter.granted:
                self._waiters.remove(waiter)
                return
        self._release()

    def _release(self) -> None:
        with self._lock:
            if self._waiters:
                waiter = self._waiters.popleft()
                waiter.granted = True
                waiter.event.set()
            else:
                self._running -= 1

    def _busy_message(self, why: str) -> str:
        return (
            f"validate_code is busy: all {self.size} sandboxes are running {why}. Retry in a few seconds "
            "(or validate at level 2, which needs no sandbox)."
        )


_pools: dict[tuple[int, int, int], SlotPool] = {}
_pools_lock = threading.Lock()


def pool_for(config: SandboxConfig, claim: Claim | None = None) -> SlotPool:
    """The process-wide pool for the config's uid range (`claim` keeps other processes' runs apart)."""
    key = (config.uid_base, config.slots, config.max_queue)
    with _pools_lock:
        if key not in _pools:
            _pools[key] = SlotPool(config.slots, config.max_queue, config.uids, claim)
        return _pools[key]
