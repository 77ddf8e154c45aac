"""What comes back from a sandbox: authenticated records from the judge, and capped output."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import anyio

MAX_RESULT_BYTES = 8 << 20
OnRecord = Callable[[dict], Awaitable[None]]


@dataclass(slots=True)
class SandboxRun:
    """What one run reported, after authentication. Nothing here comes from the worker unchecked."""

    isolation: str
    hello: dict | None = None
    import_record: dict | None = None
    collect_error: dict | None = None
    tests: list[dict] = field(default_factory=list)
    growth: dict | None = None
    done: bool = False
    problems: list[str] = field(default_factory=list)
    """Integrity problems: records that failed authentication, arrived out of order, or never came."""
    timed_out: bool = False
    returncode: int | None = None
    output: str = ""
    duration_ms: float = 0.0
    """Time from creating the run directory to removing it."""
    queued_ms: float = 0.0
    """Time spent waiting for a free slot before the run."""


class RecordReader:
    """Reads ``<json>\\t<hmac>`` lines; anything unauthenticated or out of order becomes a problem."""

    def __init__(self, key: bytes, fd: int, run: SandboxRun, on_record: OnRecord | None) -> None:
        self.key = key
        self.fd = fd
        self.run = run
        self.on_record = on_record
        self.seq = 0
        os.set_blocking(fd, False)

    async def read(self) -> None:
        buf = bytearray()
        total = 0
        while True:
            await anyio.wait_readable(self.fd)
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                continue
            if not chunk:
                return
            total += len(chunk)
            if total > MAX_RESULT_BYTES:
                self.run.problems.append("the sandbox sent more result data than allowed")
                return
            buf += chunk
            while (end := buf.find(b"\n")) >= 0:
                line = bytes(buf[:end])
                del buf[: end + 1]
                await self.handle(line)

    async def handle(self, line: bytes) -> None:
        body, tab, mac = line.rpartition(b"\t")
        expected = hmac.new(self.key, body, hashlib.sha256).hexdigest().encode("ascii")
        if not tab or not hmac.compare_digest(expected, mac):
            self.run.problems.append(
                "a result record failed authentication (something other than the runner wrote to the result channel)"
            )
            return
        record = json.loads(body)
        if record.get("seq") != self.seq:
            self.run.problems.append(
                f"result record {record.get('seq')} arrived when {self.seq} was expected"
            )
            return
        self.seq += 1
        kind = record.get("kind")
        run = self.run
        if kind == "hello":
            run.hello = record
        elif kind == "import":
            run.import_record = record
        elif kind == "collect":
            run.collect_error = record
        elif kind == "test":
            run.tests.append(record)
        elif kind == "growth":
            run.growth = record
        elif kind == "done":
            run.done = True
        elif kind == "internal":
            raise RuntimeError(f"the sandbox runner failed: {record.get('error')}")
        if self.on_record is not None:
            await self.on_record(record)


async def drain(stream, sink: bytearray, limit: int) -> None:
    """Keep up to `limit` bytes, then close the pipe so a flood ends with EPIPE instead of filling memory."""
    try:
        async for chunk in stream:
            sink += chunk[: max(0, limit - len(sink))]
            if len(sink) >= limit:
                sink += b"\n[output cut: limit reached, pipe closed]"
                await stream.aclose()
                return
    except (anyio.ClosedResourceError, anyio.BrokenResourceError):
        return
