"""The judge: runs the tests, decides every verdict and writes authenticated records.

It never imports the solution: every use of the solution is a call into the worker process, and
only copies of plain values come back. `guard` covers what it does before the worker exists
(key, non-dumpable, limits) and how records are signed; the host rejects anything unsigned.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

from . import asserts, collect, pytest_shim, report
from .codec import WireError
from .guard import Recorder, TestTimeout, Timer, apply_limits, on_alarm, read_key, set_nondumpable
from .link import ImportFailure, SolutionModule, WorkerLink
from .wire import PeerGone


class Judge:
    def __init__(self, plan: dict, judge_dir: str, recorder: Recorder) -> None:
        self.plan = plan
        self.rec = recorder
        self.deadline = time.monotonic() + float(plan["budget_s"])
        self.test_timeout = float(plan["test_timeout_s"])
        lib_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.link = WorkerLink(sys.executable, lib_dir, os.path.join(judge_dir, "code"))
        self.tests_path = os.path.join(judge_dir, "tests.py")
        self.results: list[str] = []

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def run(self) -> None:
        self.rec.emit(
            "hello", python=sys.version.split()[0], pid=os.getpid(), dumpable=not self.plan["nondumpable"]
        )
        signal.signal(signal.SIGALRM, on_alarm)
        listing = self.import_solution()
        if listing is not None and os.path.exists(self.tests_path):
            self.run_tests(listing)
        if (
            listing is not None
            and self.plan.get("growth")
            and all(r in ("passed", "skipped") for r in self.results)
        ):
            self.run_growth(self.plan["growth"])
        self.link.kill()
        self.rec.emit("done", remaining_s=round(self.remaining(), 3))

    # -- import ----------------------------------------------------------------------------
    def import_solution(self) -> list | None:
        started = time.perf_counter()
        budget = min(float(self.plan["import_timeout_s"]), self.remaining() - 0.2)
        self.link.deadline = time.monotonic() + budget
        error = None
        try:
            with Timer(budget + 0.1):
                listing = self.link.spawn()
        except ImportFailure as exc:
            error = report.describe(self.link.rebuild_exception(exc.info), {})
            error["where"] = "import"
        except TestTimeout:
            self.link.kill()
            error = {
                "type": "Timeout",
                "message": f"importing the solution took longer than {budget:.1f} s",
                "timeout": True,
            }
        except (PeerGone, WireError) as exc:
            status = self.link.kill()
            error = _process_ended(status, exc, "while importing the solution")
        duration = (time.perf_counter() - started) * 1000
        if error is not None:
            self.rec.emit("import", ok=False, duration_ms=duration, error=error)
            return None
        self.rec.emit("import", ok=True, duration_ms=duration, names=len(listing))
        return listing

    # -- tests -----------------------------------------------------------------------------
    def run_tests(self, listing: list) -> None:
        import ast
        import linecache
        import types

        with open(self.tests_path, encoding="utf-8") as fh:
            source = fh.read()
        linecache.cache["tests.py"] = (len(source), None, source.splitlines(True), "tests.py")
        rewriter = asserts.AssertRewriter(source)
        tree = ast.parse(source, "tests.py")
        helpers = asserts.AssertionHelpers(rewriter.asserts)
        self.asserts = rewriter.asserts

        module = types.ModuleType("tests")
        module.__file__ = "tests.py"
        sys.modules["tests"] = module
        sys.modules["pytest"] = pytest_shim
        names = self.link.namespace(listing)
        sys.modules["solution"] = SolutionModule(self.link, names).module
        namespace = module.__dict__
        namespace.update(names)
        namespace.update(helpers.globals())

        def compile_stmts(stmts):
            body = rewriter.visit(ast.Module(body=stmts, type_ignores=[]))
            return compile(body, "tests.py", "exec", dont_inherit=True)

        for kind, line, code in collect.module_steps(tree, compile_stmts):
            if kind == "assert":
                self.run_case(
                    collect.Case(f"assert_line_{line}", line, lambda code=code: exec(code, namespace))
                )
                continue
            try:
                with Timer(min(self.test_timeout, self.remaining() - 0.2)):
                    exec(code, namespace)
            except BaseException as exc:
                self.after_failure(exc)
                self.rec.emit("collect", line=line, error=self.describe(exc))
                self.results.append("failed")
                return
        for case in collect.collect(namespace):
            self.run_case(case)

    def run_case(self, case: collect.Case) -> None:
        budget = min(self.test_timeout, self.remaining() - 0.15)
        if budget < 0.05:
            self.rec.emit(
                "test",
                name=case.name,
                line=case.line,
                outcome="not_run",
                duration_ms=0,
                error={
                    "type": "Timeout",
                    "message": "the run's time budget was used up before this test started",
                    "timeout": True,
                },
            )
            self.results.append("not_run")
            return
        self.link.deadline = time.monotonic() + budget
        started = time.perf_counter()
        error, outcome = None, "passed"
        try:
            with Timer(budget):
                case.run()
        except pytest_shim.Skipped:
            outcome = "skipped"
        except BaseException as exc:
            outcome = (
                "timeout"
                if isinstance(exc, TestTimeout) or getattr(exc, "_rt_remote", {}).get("timeout")
                else "failed"
            )
            status = self.after_failure(exc)
            error = self.describe(exc, status, budget)
        duration = (time.perf_counter() - started) * 1000
        self.results.append(outcome)
        self.rec.emit(
            "test", name=case.name, line=case.line, outcome=outcome, duration_ms=duration, error=error
        )

    def after_failure(self, exc: BaseException) -> int | None:
        """Restart the worker after anything that may have left it hung, dead or out of step."""
        remote = getattr(exc, "_rt_remote", None)
        if isinstance(exc, (TestTimeout, PeerGone, WireError, ImportFailure)) or (
            isinstance(remote, dict) and remote.get("timeout")
        ):
            return self.link.kill()
        return None

    def describe(self, exc: BaseException, status: int | None = None, budget: float = 0.0) -> dict:
        self.link.allow_spawn = False
        try:
            with Timer(1.0):
                if isinstance(exc, TestTimeout):
                    info = report.describe(exc, {})
                    info.update(
                        type="Timeout",
                        timeout=True,
                        message=f"the test did not finish within its {budget:.1f} s budget",
                    )
                elif isinstance(exc, (PeerGone, WireError)):
                    info = report.describe(exc, {})
                    info.update(_process_ended(status, exc, "during the test"))
                elif isinstance(exc, ImportFailure):
                    info = report.describe(self.link.rebuild_exception(exc.info), {})
                else:
                    info = report.describe(exc, getattr(self, "asserts", {}))
                    if info.get("timeout"):
                        info["message"] = (
                            f"the test did not finish within its {budget:.1f} s budget; the solution was stopped here"
                        )
        except TestTimeout:
            self.link.kill()
            info = {"type": type(exc).__name__, "message": "the failure could not be described in time"}
        finally:
            self.link.allow_spawn = True
        return info

    # -- performance -----------------------------------------------------------------------
    def run_growth(self, spec: dict) -> None:
        budget = min(float(spec.get("budget_s", 3.0)), self.remaining() - 0.3)
        if budget < 0.2:
            self.rec.emit(
                "growth", ok=False, error={"type": "Timeout", "message": "no time left for the growth check"}
            )
            return
        spec = dict(spec, budget_s=budget * 0.9)
        self.link.deadline = time.monotonic() + budget
        started = time.perf_counter()
        try:
            with Timer(budget + 0.2):
                raw = self.link.request({"op": "growth", "spec": spec})
            self.rec.emit(
                "growth",
                ok=True,
                result=_clean_growth(raw),
                duration_ms=(time.perf_counter() - started) * 1000,
            )
        except BaseException as exc:
            status = self.after_failure(exc)
            error = self.describe(exc, status, budget)
            self.rec.emit("growth", ok=False, error=error, duration_ms=(time.perf_counter() - started) * 1000)


def _clean_growth(raw) -> dict:
    """The worker's figures are advice from untrusted code: keep only well-formed numbers."""
    if not isinstance(raw, dict):
        return {"exponent": None, "points": [], "note": "malformed result"}
    points = []
    for p in raw.get("points", [])[:40] if isinstance(raw.get("points"), list) else []:
        if (
            isinstance(p, (list, tuple))
            and len(p) == 2
            and isinstance(p[0], int)
            and isinstance(p[1], float)
            and p[1] >= 0
        ):
            points.append([p[0], p[1]])
    exponent = raw.get("exponent")
    exponent = exponent if isinstance(exponent, float) and -10 < exponent < 10 else None
    return {
        "exponent": exponent,
        "points": points,
        "confirmed": raw.get("confirmed") is True,
        "note": str(raw.get("note") or "")[:200],
    }


def _process_ended(status: int | None, exc: BaseException, when: str) -> dict:
    if isinstance(exc, WireError) and not isinstance(exc, PeerGone):
        return {
            "type": "ProtocolError",
            "message": f"the solution process broke the call protocol {when}: {exc}",
        }
    if status is None:
        how = "ended"
    elif status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = str(-status)
        how = f"was killed by signal {name}"
    else:
        how = f"exited with status {status}"
    hint = (
        " (the code called sys.exit(), os._exit() or crashed)" if status is not None and status >= 0 else ""
    )
    return {
        "type": "SolutionExited",
        "message": f"the solution process {how} {when}{hint}; the test could not complete",
        "exit_status": status,
    }


def main(argv: list[str]) -> None:
    judge_dir, key_fd, result_fd = argv[0], int(argv[1]), int(argv[2])
    key = read_key(key_fd)
    os.set_inheritable(result_fd, False)
    nondumpable = set_nondumpable()
    recorder = Recorder(result_fd, key)
    del key
    try:
        with open(os.path.join(judge_dir, "plan.json"), encoding="utf-8") as fh:
            plan = json.load(fh)
        plan["nondumpable"] = nondumpable
        apply_limits(plan["limits"])
        Judge(plan, judge_dir, recorder).run()
    except BaseException:
        import traceback

        recorder.emit("internal", error=traceback.format_exc()[-4000:])
        os._exit(70)
    os._exit(0)
