"""In-process execution of the suite's OWN code (reference solutions, mistake templates, generated tests).

Used to compute the expected values of hidden tests and to self-check the suite. Never run a model's
code here: that goes through validate_code and its sandbox.
"""

from __future__ import annotations

import contextlib
import sys
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


@contextlib.contextmanager
def installed_module(name: str, source: str) -> Iterator[types.ModuleType]:
    """Execute `source` as module `name` (registered in sys.modules) and undo every module it added."""
    before = set(sys.modules)
    module = types.ModuleType(name)
    module.__file__ = f"<{name}>"
    sys.modules[name] = module
    try:
        exec(compile(source, f"<{name}>", "exec"), module.__dict__)
        yield module
    finally:
        for added in set(sys.modules) - before:
            del sys.modules[added]


def outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    """("returned", value) or ("raised", "module.Class: message")."""
    try:
        return "returned", call()
    except Exception as exc:
        return "raised", describe_exception(exc)


def describe_exception(exc: BaseException) -> str:
    return f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}"


@dataclass(frozen=True, slots=True)
class LocalFailure:
    test: str
    error: str


def run_tests(program: str, tests: str) -> list[LocalFailure]:
    """Run the ``test_*`` functions of `tests` against `program` imported as ``solution``."""
    failures: list[LocalFailure] = []
    try:
        with installed_module("solution", program):
            namespace: dict[str, Any] = {"__name__": "tests"}
            exec(compile(tests, "<tests>", "exec"), namespace)
            for name, fn in namespace.items():
                if name.startswith("test") and callable(fn):
                    try:
                        fn()
                    except Exception as exc:
                        failures.append(LocalFailure(name, describe_exception(exc)))
    except Exception as exc:
        failures.append(LocalFailure("<import>", describe_exception(exc)))
    return failures
