"""The worker: imports the solution and serves the judge's requests.

Nothing the worker says is trusted. Once the solution is imported it may rewrite anything in this
process; the judge only ever receives copies of values and descriptions of exceptions from it.
"""

from __future__ import annotations

import os
import signal
import sys

from . import growth
from .codec import CopyError, Encoder, WireError
from .exports import Exports, exception_mro
from .wire import Peer, PeerGone

RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))
MAX_SNAPSHOT_NODES = 20_000
TIMER_MARGIN_S = 0.02


class Timeout(BaseException):
    """The cooperative per-call budget ran out (a BaseException so bare ``except Exception`` cannot eat it)."""


def _on_alarm(signum, frame):
    raise Timeout("the call ran out of time")


class WorkerPeer(Peer):
    serving_error = BaseException

    def __init__(self, rfd, wfd, exports, solution_file):
        super().__init__(rfd, wfd, exports)
        self.solution_file = solution_file
        self.depth = 0

    def serve(self, msg):
        budget = msg.get("budget")
        outer = self.depth == 0
        self.depth += 1
        try:
            if outer and isinstance(budget, (int, float)) and budget > 0:
                signal.setitimer(signal.ITIMER_REAL, max(0.001, budget - TIMER_MARGIN_S))
            super().serve(msg)
        finally:
            self.depth -= 1
            if outer:
                signal.setitimer(signal.ITIMER_REAL, 0)

    def invoke(self, target, args, kwargs, tracked):
        if not tracked:
            return target(*args, **kwargs), None
        refs = {id(c): i for i, c in enumerate(tracked)}
        before = [self._snapshot(c, refs) for c in tracked]
        result = target(*args, **kwargs)
        mutations = []
        for i, container in enumerate(tracked):
            after = self._snapshot(container, refs)
            if before[i] is not None and after is not None and after[0] != before[i][0]:
                mutations.append([i, after[1]])
        return result, mutations

    def _snapshot(self, container, refs):
        import json

        enc = Encoder(self.exports.handle, refs=refs)
        try:
            form = enc.encode(container)
        except CopyError:
            return None
        if enc.nodes > MAX_SNAPSHOT_NODES:
            return None
        return json.dumps(form, sort_keys=True), form

    def describe(self, exc):
        info = {
            "type": type(exc).__name__,
            "mro": exception_mro(type(exc)),
            "message": _safe_str(exc),
            "frames": self._frames(exc),
            "timeout": isinstance(exc, Timeout),
        }
        try:
            enc = Encoder(_refuse)
            info["args"] = enc.encode(tuple(exc.args))
        except BaseException:
            pass
        return info

    def _frames(self, exc):
        import traceback

        frames = []
        try:
            for fs in traceback.extract_tb(exc.__traceback__, limit=60):
                if os.path.dirname(os.path.abspath(fs.filename)) == RUNTIME_DIR:
                    continue
                app = os.path.abspath(fs.filename) == self.solution_file
                frames.append(
                    {
                        "file": "solution.py" if app else str(fs.filename)[-300:],
                        "line": fs.lineno,
                        "name": str(fs.name)[:200],
                        "src": (fs.line or "")[:300],
                        "col": getattr(fs, "colno", None),
                        "end_col": getattr(fs, "end_colno", None),
                        "app": app,
                    }
                )
        except BaseException:
            pass
        return frames[-40:]


def _refuse(obj):
    raise CopyError("not data")


def _safe_str(exc):
    try:
        text = str(exc)
    except BaseException:
        return "<exception message could not be printed>"
    return text[:4000] if isinstance(text, str) else "<exception message could not be printed>"


def _listing(namespace, exports):
    """Names the solution defines: data by copy, everything else by name (so it survives restarts)."""
    entries = []
    for name, value in list(namespace.items()):
        if name.startswith("__") or type(value).__name__ == "module":
            continue
        enc = Encoder(_refuse)
        try:
            entries.append({"name": name, "v": enc.encode(value)})
            if enc.nodes <= 5_000:
                continue
            entries.pop()
        except CopyError:
            pass
        form = exports.handle(value)
        entry = {"name": name, "k": form["k"], "t": form["t"]}
        if "x" in form:
            entry["x"] = form["x"]
        entries.append(entry)
    return entries


def main(argv):
    rfd, wfd, code_dir, generation, import_budget = (
        int(argv[0]),
        int(argv[1]),
        argv[2],
        int(argv[3]),
        float(argv[4]),
    )
    solution_file = os.path.join(code_dir, "solution.py")
    sys.path.insert(0, code_dir)
    signal.signal(signal.SIGALRM, _on_alarm)
    exports = Exports(generation)
    peer = WorkerPeer(rfd, wfd, exports, solution_file)
    try:
        signal.setitimer(signal.ITIMER_REAL, max(0.001, import_budget - TIMER_MARGIN_S))
        import solution

        signal.setitimer(signal.ITIMER_REAL, 0)
    except BaseException as exc:
        signal.setitimer(signal.ITIMER_REAL, 0)
        peer.send({"import_error": peer.describe(exc)})
        os._exit(0)
    namespace = vars(solution)

    def resolve(name):
        try:
            return namespace[name]
        except KeyError:
            raise NameError(f"name {name!r} is not defined in the solution") from None

    peer.handlers["name"] = resolve
    peer.handlers["growth"] = lambda msg: growth.measure(resolve, msg.get("spec") or {})
    peer.handlers["value"] = lambda msg: resolve(str(msg.get("name")))
    peer.send({"ready": _listing(namespace, exports)})
    try:
        while True:
            msg = peer.recv()
            if "q" in msg:
                peer.serve(msg)
    except (PeerGone, WireError):
        pass
    os._exit(0)
