"""What the judge does to protect itself and its verdict before any untrusted code exists.

It reads its HMAC key from a pipe and closes it, makes itself non-dumpable (so a same-uid process
can neither ptrace it nor read its memory or descriptors through /proc), applies the resource
limits every child inherits, and signs each record it writes: ``<json>\\t<hmac>`` lines numbered
from 0, which the host checks one by one.
"""

from __future__ import annotations

import hmac
import json
import os
import signal


class TestTimeout(BaseException):
    """The test's time budget ran out (a BaseException so ``except Exception`` in a test cannot eat it)."""


def on_alarm(signum, frame):
    raise TestTimeout("time budget exhausted")


class Recorder:
    def __init__(self, fd: int, key: bytes) -> None:
        self._fd = fd
        self._mac = hmac.new(key, digestmod="sha256")
        self.seq = 0

    def emit(self, kind: str, **fields) -> None:
        body = json.dumps(
            {"seq": self.seq, "kind": kind, **fields}, ensure_ascii=True, separators=(",", ":"), default=str
        )
        mac = self._mac.copy()
        mac.update(body.encode("ascii"))
        data = memoryview(f"{body}\t{mac.hexdigest()}\n".encode("ascii"))
        while data:
            data = data[os.write(self._fd, data) :]
        self.seq += 1


class Timer:
    def __init__(self, seconds: float) -> None:
        self.seconds = max(0.001, seconds)

    def __enter__(self) -> None:
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)


def set_nondumpable() -> bool:
    """prctl(PR_SET_DUMPABLE, 0) without importing all of ctypes (about 1 ms instead of 7)."""
    try:
        import _ctypes

        prctl = _ctypes.dlsym(_ctypes.dlopen(None, 2), "prctl")
        _ctypes.call_function(prctl, (4, 0))
        return _ctypes.call_function(prctl, (3, 0, 0, 0, 0)) == 0
    except (ImportError, AttributeError, OSError):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(4, 0, 0, 0, 0)
            return libc.prctl(3, 0, 0, 0, 0) == 0
        except (ImportError, OSError, AttributeError):
            return False


def apply_limits(limits: dict) -> None:
    import resource

    for name, value in limits.items():
        which = getattr(resource, name)
        soft, hard = value if isinstance(value, list) else (value, value)
        _, current_hard = resource.getrlimit(which)
        if current_hard != resource.RLIM_INFINITY:
            hard = min(hard, current_hard)
            soft = min(soft, hard)
        resource.setrlimit(which, (soft, hard))


def read_key(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return bytes.fromhex(b"".join(chunks).decode("ascii").strip())
