"""Hostile solutions for the sandbox battery.

Every snippet limits itself: at most 200 forks, 3000 threads, 4 GiB of memory, 120 MiB of disk,
20 s of sleep, connections only to 127.0.0.1, and only SIGUSR1 (which the test process handles)
towards the test process. A broken sandbox can therefore misreport, but never harm the machine.
Placeholders ``__NAME__`` are filled in by the battery.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALL = frozenset({"bwrap", "unshare", "rlimits"})
NAMESPACES = frozenset({"bwrap", "unshare"})


@dataclass(frozen=True)
class Case:
    name: str
    code: str
    tests: str
    passes: bool
    """The verdict the sandbox must give: True only when the snippet's own checks show containment."""
    modes: frozenset[str] = ALL
    timeout_s: float = 5.0
    failing_tests: frozenset[str] | None = None
    """When set, exactly these tests must fail (the others show the attack did not work)."""
    finding: str | None = None
    """A finding code the failed stage must contain."""
    notes: tuple[str, ...] = field(default=())


FAILING_ADD = """
def add(a, b):
    return a - b
"""
TEST_ADD = """
def test_add():
    assert add(2, 3) == 5
"""

CASES = [
    Case(
        "infinite_loop",
        "def spin():\n    while True:\n        pass\n",
        "def test_spin():\n    spin()\n",
        passes=False,
        finding="Timeout",
    ),
    Case(
        "busy_loop_ignoring_signals",
        """
import signal
for sig in (signal.SIGALRM, signal.SIGXCPU, signal.SIGTERM, signal.SIGINT, signal.SIGVTALRM, signal.SIGPROF):
    signal.signal(sig, signal.SIG_IGN)
def spin():
    n = 0
    while True:
        try:
            n += 1
        except BaseException:
            pass
""",
        "def test_spin():\n    spin()\n",
        passes=False,
        finding="Timeout",
    ),
    Case(
        "sleep_ignoring_sigalrm",
        "import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\ndef nap():\n    time.sleep(20)\n",
        "def test_nap():\n    nap()\n",
        passes=False,
        finding="Timeout",
    ),
    Case(
        "infinite_loop_at_import",
        "while True:\n    pass\n" + FAILING_ADD,
        TEST_ADD,
        passes=False,
        finding="Timeout",
    ),
    Case(
        "fork_bomb",
        """
import os, time
def bomb():
    made = 0
    for _ in range(200):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(20)
            os._exit(0)
        made += 1
    return made
""",
        "def test_bomb():\n    assert bomb() < 100\n",
        passes=True,
    ),
    Case(
        "thread_bomb",
        """
import threading, time
def bomb():
    made = 0
    for _ in range(3000):
        try:
            threading.Thread(target=time.sleep, args=(20,), daemon=True).start()
        except (RuntimeError, MemoryError):
            break
        made += 1
    return made
""",
        "def test_bomb():\n    assert bomb() < 3000\n",
        passes=True,
    ),
    Case(
        "memory_bomb",
        """
def huge():
    return len(bytearray(8 << 30))
def grow():
    chunks = []
    try:
        while len(chunks) < 80:
            chunks.append(bytes(50 << 20))
    except MemoryError:
        pass
    return len(chunks) * 50
""",
        """
import pytest
def test_huge():
    with pytest.raises(MemoryError):
        huge()
def test_grow():
    assert grow() <= 1100
""",
        passes=True,
    ),
    Case(
        "output_flood",
        """
import sys
def flood():
    line = "x" * 1023 + "\\n"
    for _ in range(64 * 1024):
        sys.stdout.write(line)
    sys.stdout.flush()
    return "done"
""",
        "def test_flood():\n    assert flood() == 'done'\n",
        passes=False,
    ),
    Case(
        "disk_fill",
        """
import errno, os
def fill():
    written, biggest, why = 0, 0, "cap"
    for i in range(6):
        size = 0
        try:
            with open(f"fill{i}.bin", "wb") as fh:
                while size < (20 << 20):
                    fh.write(b"\\0" * (1 << 20))
                    size += 1 << 20
        except OSError as exc:
            why = errno.errorcode.get(exc.errno, str(exc.errno))
            size = os.path.getsize(f"fill{i}.bin") if os.path.exists(f"fill{i}.bin") else 0
        written += size
        biggest = max(biggest, size)
        if why == "ENOSPC":
            break
    return written, biggest, why
""",
        """
def test_fill():
    written, biggest, why = fill()
    assert biggest <= 16 << 20
    assert written <= __DISK_LIMIT__
""",
        passes=True,
    ),
    Case(
        "writes_outside_the_work_dir",
        """
def escape():
    made = []
    for path in __OUTSIDE_PATHS__:
        try:
            with open(path, "w") as fh:
                fh.write("escaped")
            made.append(path)
        except OSError:
            pass
    return made
""",
        "def test_escape():\n    escape()\n",
        passes=True,
    ),
    Case(
        "reads_the_server_environment",
        """
import os
def leak():
    seen = [repr(dict(os.environ))]
    for pid in ["self", str(os.getppid()), "1", "__SERVER_PID__"] + os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                seen.append(fh.read().decode(errors="replace"))
        except OSError:
            pass
    for path in ("/etc/shadow", "/root/.bash_history"):
        try:
            with open(path) as fh:
                seen.append(fh.read(4096))
        except OSError:
            pass
    return "\\n".join(seen)
""",
        "def test_no_secret():\n    assert 'rmo-secret-' not in leak()\n",
        passes=True,
    ),
    Case(
        "network_to_a_local_listener",
        """
import socket
def connect():
    try:
        socket.create_connection(("127.0.0.1", __PORT__), timeout=1).close()
        return "connected"
    except OSError as exc:
        return type(exc).__name__
""",
        "def test_offline():\n    assert connect() != 'connected'\n",
        passes=True,
        modes=NAMESPACES,
    ),
    Case(
        "kills_its_parent",
        """
import os, signal
def add(a, b):
    os.kill(os.getppid(), signal.SIGKILL)
    return a - b
""",
        TEST_ADD,
        passes=False,
    ),
    Case(
        "signals_the_server",
        """
import errno, os, signal
def poke():
    try:
        os.kill(__SERVER_PID__, signal.SIGUSR1)
        return "delivered"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno))
""",
        "def test_poke():\n    assert poke() != 'delivered'\n",
        passes=True,
    ),
    Case(
        "detached_background_process",
        """
import os, time
def spawn():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(3)
            with open("__MARKER__", "w") as fh:
                fh.write("survived")
            os._exit(0)
        os._exit(0)
    os.wait()
    return "spawned"
""",
        "def test_spawn():\n    assert spawn() == 'spawned'\n",
        passes=True,
    ),
    Case(
        "sys_exit_at_import",
        "import sys\nsys.exit(0)\n" + FAILING_ADD,
        TEST_ADD,
        passes=False,
        finding="SystemExit",
    ),
    Case(
        "os_exit_at_import",
        "import os\nos._exit(0)\n" + FAILING_ADD,
        TEST_ADD,
        passes=False,
        finding="SolutionExited",
    ),
    Case(
        "sys_exit_in_a_test",
        "import sys\ndef add(a, b):\n    sys.exit(0)\n",
        TEST_ADD,
        passes=False,
        finding="SystemExit",
    ),
    Case(
        "os_exit_in_a_test",
        "import os\ndef add(a, b):\n    os._exit(0)\n",
        TEST_ADD,
        passes=False,
        finding="SolutionExited",
    ),
    Case(
        "redefines_assertion_error",
        """
import builtins
class AssertionError(Exception):
    pass
builtins.AssertionError = AssertionError
builtins.Exception = object
"""
        + FAILING_ADD,
        TEST_ADD,
        passes=False,
        failing_tests=frozenset({"test_add"}),
    ),
    Case(
        "patches_builtins",
        """
import builtins
def add(a, b):
    builtins.len = lambda obj: 0
    builtins.isinstance = lambda obj, cls: True
    builtins.bool = lambda obj=None: True
    builtins.repr = lambda obj: "5"
    builtins.print = lambda *a, **k: None
    return a - b
""",
        TEST_ADD + "def test_len():\n    assert len([1, 2]) == 2\n",
        passes=False,
        failing_tests=frozenset({"test_add"}),
    ),
    Case(
        "forges_result_records",
        """
import json, os
def forge():
    line = json.dumps({"seq": 0, "kind": "done"}) + "\\t" + "0" * 64 + "\\n"
    for pid in ("self", str(os.getppid()), "1"):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                out = os.open(f"/proc/{pid}/fd/{fd}", os.O_WRONLY | os.O_NONBLOCK)
                os.write(out, line.encode() * 20)
                os.close(out)
            except OSError:
                pass
    return 5
def add(a, b):
    forge()
    return a - b
""",
        TEST_ADD,
        passes=False,
    ),
    Case(
        "equal_to_anything",
        """
class Anything:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = object.__hash__
class AnyInt:
    def __eq__(self, other):
        return isinstance(other, int)
    __hash__ = object.__hash__
class Money:
    def __init__(self, cents):
        self.cents = cents
    def __eq__(self, other):
        return self.cents == (other.cents if isinstance(other, Money) else other)
    __hash__ = object.__hash__
def add(a, b):
    return Anything()
def pair():
    return [Anything(), Anything()]
def table():
    return {"a": Anything()}
def money(cents):
    return Money(cents)
def count():
    return AnyInt()
""",
        TEST_ADD
        + """
def test_reflected():
    assert 5 == add(2, 3)
def test_nested():
    assert pair() == [1, 2]
def test_in_a_dict():
    assert table() == {"a": 1}
def test_any_int():
    assert count() == 3
def test_an_honest_value_class_still_passes():
    assert money(5) == 5
    assert money(5) != 6
""",
        passes=False,
        failing_tests=frozenset(
            {"test_add", "test_reflected", "test_nested", "test_in_a_dict", "test_any_int"}
        ),
    ),
    Case(
        "monkeypatches_the_runner",
        """
import sys
patched = []
for name, module in list(sys.modules.items()):
    if name.startswith("_rmo_runtime"):
        for attr in ("Judge", "Recorder", "WorkerPeer", "Peer"):
            cls = getattr(module, attr, None)
            if cls is not None:
                for method in ("emit", "run_case", "describe", "serve", "invoke"):
                    if hasattr(cls, method):
                        setattr(cls, method, lambda *a, **k: None)
                        patched.append(f"{name}.{attr}.{method}")
import _rmo_runtime.judge as judge
judge.Judge.run_case = lambda self, case: self.rec.emit("test", name=case.name, outcome="passed")
"""
        + FAILING_ADD,
        TEST_ADD,
        passes=False,
    ),
    Case(
        "overwrites_its_tests",
        """
import os, sys
def tamper():
    here = os.path.dirname(os.path.abspath(__file__))
    done = []
    targets = [os.path.join(here, "..", "tests.py"), os.path.join(here, "..", "plan.json"), __file__]
    targets += [os.path.join(p, "_rmo_runtime", "judge.py") for p in sys.path if p]
    for path in targets:
        try:
            with open(path, "w") as fh:
                fh.write("def test_add():\\n    pass\\n")
            done.append(path)
        except OSError:
            pass
    for path in ("tests.py", "pytest.py", "/tmp/tests.py"):
        with open(path, "w") as fh:
            fh.write("raise SystemExit(0)\\n")
    return done
"""
        + FAILING_ADD,
        "def test_tamper():\n    assert tamper() == []\n" + TEST_ADD,
        passes=False,
        failing_tests=frozenset({"test_add"}),
    ),
    Case(
        "ptraces_the_judge",
        """
import ctypes, os
def attach():
    libc = ctypes.CDLL(None, use_errno=True)
    results = []
    if libc.ptrace(16, os.getppid(), None, None) == -1:  # PTRACE_ATTACH
        results.append("ptrace denied")
    else:
        libc.ptrace(17, os.getppid(), None, None)  # PTRACE_DETACH: never leave the judge stopped
        results.append("ptrace attached")
    try:
        with open(f"/proc/{os.getppid()}/mem", "rb") as fh:
            fh.read(1)
        results.append("mem readable")
    except OSError:
        results.append("mem denied")
    return results
""",
        "def test_attach():\n    assert attach() == ['ptrace denied', 'mem denied']\n",
        passes=True,
    ),
    Case(
        "segfaults",
        "import ctypes\ndef crash():\n    return ctypes.string_at(0)\n",
        "def test_crash():\n    assert crash() == b''\n",
        passes=False,
        finding="SolutionExited",
    ),
    Case(
        "unbounded_recursion",
        "import sys\nsys.setrecursionlimit(10**6)\ndef down(n):\n    return down(n + 1) + 1\n",
        "def test_down():\n    assert down(0) == 0\n",
        passes=False,
    ),
    Case(
        "tests_that_hang_the_judge",
        "def add(a, b):\n    return a + b\n",
        """
import signal, time
signal.signal(signal.SIGALRM, signal.SIG_IGN)
def test_hang():
    time.sleep(20)
""",
        passes=False,
        timeout_s=2.0,
        finding="RunAborted",
    ),
]
