"""The judge's end of the channel to the worker: starts it, restarts it, kills it."""

from __future__ import annotations

import contextlib
import os
import signal
import time

from .codec import WireError
from .exports import Exports
from .proxy import Remote
from .wire import Peer, PeerGone

BOOT = "import sys;sys.path.insert(0,sys.argv[1]);from _rmo_runtime.runner import main;main(sys.argv[2:])"
BUDGET_MARGIN_S = 0.1


class ImportFailure(Exception):
    """The solution could not be imported; `info` describes why."""

    def __init__(self, info: dict) -> None:
        super().__init__(info.get("message", "import failed"))
        self.info = info


class WorkerLink(Peer):
    """A `Peer` whose other end is a worker process started on demand.

    Proxies for the solution's names refer to it by name, so they keep working after the worker
    is restarted (after a timeout or a crash); handles to objects created by an earlier worker
    are refused with a clear error.
    """

    def __init__(self, python: str, lib_dir: str, code_dir: str) -> None:
        super().__init__(-1, -1, Exports(restricted=True), budget_for=self._budget)
        self.python = python
        self.lib_dir = lib_dir
        self.code_dir = code_dir
        self.pid: int | None = None
        self.generation = 0
        self.listing: list | None = None
        self.allow_spawn = True
        self.deadline = time.monotonic() + 3600.0

    def _budget(self) -> float:
        return max(0.005, self.deadline - time.monotonic() - BUDGET_MARGIN_S)

    def _roundtrip(self, msg):
        if self.pid is None:
            if not self.allow_spawn:
                raise WireError("the solution process is not running")
            self.spawn()
        return super()._roundtrip(msg)

    def spawn(self) -> list:
        """Start a worker, import the solution in it and return its namespace listing."""
        to_worker_r, to_worker_w = os.pipe()
        to_judge_r, to_judge_w = os.pipe()
        os.set_inheritable(to_worker_r, True)
        os.set_inheritable(to_judge_w, True)
        self.generation += 1
        argv = [
            self.python, "-I", "-S", "-B", "-u", "-X", "utf8", "-c", BOOT, self.lib_dir, "worker",
            str(to_worker_r), str(to_judge_w), self.code_dir, str(self.generation), f"{self._budget():.3f}",
        ]  # fmt: skip
        try:
            self.pid = os.posix_spawn(self.python, argv, dict(os.environ))
        finally:
            os.close(to_worker_r)
            os.close(to_judge_w)
        self.rfd, self.wfd = to_judge_r, to_worker_w
        self.buf = bytearray()
        self.scan = 0
        first = self.recv()
        if "ready" in first and isinstance(first["ready"], list):
            if self.listing is None:
                self.listing = first["ready"]
            return first["ready"]
        if "import_error" in first and isinstance(first["import_error"], dict):
            self.kill()
            raise ImportFailure(first["import_error"])
        raise WireError("the solution process sent an unexpected first message")

    def kill(self) -> int | None:
        """Stop the worker; return its exit status (negative for a signal).

        The worker stays in the judge's process group, so anything it started without leaving the
        group dies when the host kills the group at the end of the run.
        """
        pid, self.pid = self.pid, None
        for fd in (self.rfd, self.wfd):
            if fd >= 0:
                os.close(fd)
        self.rfd = self.wfd = -1
        if pid is None:
            return None
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return None
        return os.waitstatus_to_exitcode(status)

    # -- the solution as the tests see it ------------------------------------------------------
    def namespace(self, listing: list) -> dict:
        """Values for the tests' globals: copies of data, proxies (by name) for everything else."""
        names = {}
        for entry in listing:
            if type(entry) is not dict or type(entry.get("name")) is not str:
                raise WireError("malformed namespace listing")
            name = entry["name"]
            if "v" in entry:
                names[name] = self.decoder().decode(entry["v"])
            elif entry.get("k") == "exc_class":
                names[name] = self.exception_class(entry.get("x") or [])
            else:
                names[name] = Remote(
                    self, {"N": name}, str(entry.get("t", "object"))[:200], str(entry.get("k", "obj"))
                )
        return names

    def current_value(self, name: str):
        """The live value of a module-level name of the solution (a copy, or a proxy)."""
        return self.request({"op": "value", "name": name})


class SolutionModule:
    """Stands in for ``import solution`` inside the judge; every attribute read asks the worker."""

    def __init__(self, link: WorkerLink, names: dict) -> None:
        import types

        self.module = types.ModuleType("solution", "The code under test, running in another process.")
        stable = {n: v for n, v in names.items() if isinstance(v, (Remote, type))}
        self.module.__dict__.update(stable)
        self.module.__all__ = [n for n in names if not n.startswith("_")]

        def module_getattr(name: str):
            if name.startswith("__"):
                raise AttributeError(name)
            try:
                return link.current_value(name)
            except (NameError, WireError, PeerGone) as exc:
                raise AttributeError(f"module 'solution' has no attribute {name!r} ({exc})") from None

        self.module.__getattr__ = module_getattr
