"""Limits and budgets of the sandbox; the server's settings build one `SandboxConfig` at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

IsolationChoice = Literal["auto", "bwrap", "unshare", "rlimits"]


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """How untrusted code is run. Defaults follow measurements on a 2-core Debian 12 machine."""

    default_timeout_s: float = 10.0
    """Wall-clock budget of one sandbox run when the request gives no ``timeout_s``."""
    min_timeout_s: float = 1.0
    max_timeout_s: float = 30.0
    """Largest ``timeout_s`` a request may ask for; the whole call must stay well inside a client's ~60 s."""
    test_timeout_s: float = 2.0
    """Budget of one test (and of importing the solution)."""
    slots: int = 2
    """Sandboxes that may run at once; each run gets a uid no other run is using (see `uids`)."""
    max_queue: int = 8
    """Calls that may wait for a free slot; one more gets a ``Busy`` error."""
    queue_timeout_s: float = 15.0
    """How long a call waits for a slot before giving up with ``Busy``."""
    isolation: IsolationChoice = "auto"
    """``auto`` picks the strongest available: bwrap, then unshare (root only), then rlimits."""
    uid_base: int = 60000
    """First sandbox uid when the server runs as root: runs use ``uid_base`` to ``uid_base + 4 * slots - 1``
    and the probe at start-up ``uid_base + 4 * slots``; none may belong to an account."""
    python: str | None = None
    """Interpreter for sandboxed code; by default a root-owned system ``python3`` of the server's version."""
    bwrap_path: str = "bwrap"
    tmp_dir: str | None = None
    """Where run directories are created (default: the system temporary directory)."""
    cpu_s: float = 10.0
    """RLIMIT_CPU per process (soft); the hard limit is one second more, so SIGXCPU being ignored still ends it."""
    memory_mb: int = 1024
    file_size_mb: int = 16
    max_processes: int = 64
    max_open_files: int = 128
    tmpfs_mb: int = 64
    """Size of each writable tmpfs (``/tmp`` and the working directory) inside bwrap."""
    output_limit_kb: int = 1024
    """Captured stdout/stderr per run; past it the pipe is closed and the writer gets EPIPE."""
    growth_budget_s: float = 3.0
    """Time the performance growth check may spend inside the sandbox."""
    perf_test_budget_ms: float = 1000.0
    """At level 4, a test slower than this fails the performance stage."""
    max_code_bytes: int = 200_000
    max_tests_bytes: int = 200_000
    max_tests: int = 200
    """Tests one call may run: each case of a parametrized test and each top-level assert counts.
    Bounds a call's run time and answer by count, which the byte limit alone does not (``assert f(1)`` is 12 bytes)."""
    ruff_timeout_s: float = 5.0
    max_logged_errors: int = 5
    """Failures logged per call (the first ones); the rest are still reported as findings."""

    def __post_init__(self) -> None:
        checks = [
            (
                "default_timeout_s",
                self.min_timeout_s <= self.default_timeout_s <= self.max_timeout_s,
                "between min_timeout_s and max_timeout_s",
            ),
            ("min_timeout_s", self.min_timeout_s >= 0.5, "at least 0.5"),
            (
                "max_timeout_s",
                self.max_timeout_s + self.queue_timeout_s + self.ruff_timeout_s <= 58,
                "at most 58 s together with queue_timeout_s and ruff_timeout_s (clients give up after about 60 s)",
            ),
            (
                "test_timeout_s",
                0.1 <= self.test_timeout_s <= self.max_timeout_s,
                "between 0.1 and max_timeout_s",
            ),
            ("slots", 1 <= self.slots <= 64, "between 1 and 64"),
            ("max_queue", 0 <= self.max_queue <= 1000, "between 0 and 1000"),
            ("max_tests", 1 <= self.max_tests <= 10_000, "between 1 and 10000"),
            (
                "uid_base",
                1000 <= self.uid_base <= 4_000_000_000 - 4 * self.slots,
                "an unused uid of at least 1000",
            ),
            ("memory_mb", self.memory_mb >= 64, "at least 64"),
            ("max_processes", self.max_processes >= 4, "at least 4 (the sandbox needs a judge and a worker)"),
            ("max_open_files", self.max_open_files >= 32, "at least 32"),
            (
                "isolation",
                self.isolation in ("auto", "bwrap", "unshare", "rlimits"),
                "one of auto, bwrap, unshare, rlimits",
            ),
        ]
        for name, ok, expected in checks:
            if not ok:
                raise ValueError(f"sandbox setting {name!r} must be {expected} (got {getattr(self, name)!r})")

    @property
    def uids(self) -> range:
        """Uids for runs: four per slot, so a uid whose killed processes are not yet reaped can rest."""
        return range(self.uid_base, self.uid_base + 4 * self.slots)

    @property
    def probe_uid(self) -> int:
        return self.uids.stop
