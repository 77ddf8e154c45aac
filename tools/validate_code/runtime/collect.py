"""Finding the tests in the tests module and calling them (with parametrize and simple fixtures)."""

from __future__ import annotations

import ast
import contextlib
import types

from . import pytest_shim


class Case:
    def __init__(self, name: str, line: int, run) -> None:
        self.name = name
        self.line = line
        self.run = run


class CollectError(Exception):
    """The tests module itself failed (a top-level statement raised); `line` says where."""

    def __init__(self, line: int, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.line = line
        self.cause = cause


def module_steps(tree: ast.Module, compile_stmts):
    """Split the module body into runnable steps: setup chunks and top-level assert cases, in order."""
    steps, chunk = [], []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assert):
            if chunk:
                steps.append(("setup", chunk[0].lineno, compile_stmts(chunk)))
                chunk = []
            steps.append(("assert", stmt.lineno, compile_stmts([stmt])))
        else:
            chunk.append(stmt)
    if chunk:
        steps.append(("setup", chunk[0].lineno, compile_stmts(chunk)))
    return steps


def collect(namespace: dict) -> list[Case]:
    """Test functions and Test classes defined by the tests module, in definition order."""
    fixtures = {
        obj._rt_fixture: obj
        for obj in namespace.values()
        if isinstance(obj, types.FunctionType) and hasattr(obj, "_rt_fixture")
    }
    cases = []
    for name, obj in list(namespace.items()):
        if not name.startswith(("test", "Test")):
            continue
        if (
            isinstance(obj, types.FunctionType)
            and obj.__module__ == "tests"
            and not hasattr(obj, "_rt_fixture")
        ):
            cases.extend(_function_cases(name, obj, fixtures, None))
        elif isinstance(obj, type) and obj.__module__ == "tests" and name.startswith("Test"):
            cases.extend(_class_cases(name, obj, fixtures))
    return cases


def _class_cases(name: str, cls: type, fixtures: dict) -> list[Case]:
    import_unittest = _is_unittest(cls)
    cases = []
    for attr, member in list(vars(cls).items()):
        if attr.startswith("test") and isinstance(member, types.FunctionType):
            if import_unittest:
                cases.append(
                    Case(f"{name}.{attr}", member.__code__.co_firstlineno, _unittest_runner(cls, attr))
                )
            else:
                cases.extend(_function_cases(f"{name}.{attr}", member, fixtures, cls))
    return cases


def _is_unittest(cls: type) -> bool:
    return any(base.__module__ == "unittest.case" and base.__name__ == "TestCase" for base in cls.__mro__)


def _unittest_runner(cls: type, attr: str):
    def run() -> None:
        instance = cls(attr)
        instance.setUp()
        try:
            getattr(instance, attr)()
        finally:
            instance.tearDown()
            instance.doCleanups()

    return run


def _function_cases(name: str, func, fixtures: dict, cls: type | None) -> list[Case]:
    line = func.__code__.co_firstlineno
    combos: list[tuple[dict, str]] = [({}, "")]
    for cases in reversed(getattr(func, "_rt_params", [])):
        combos = [
            ({**given, **extra}, f"{ident}-{case_id}" if ident else case_id)
            for given, ident in combos
            for extra, case_id in cases
        ]
    result = []
    for given, ident in combos:
        label = f"{name}[{ident}]" if ident else name
        result.append(Case(label, line, _runner(func, given, fixtures, cls)))
    return result


def _runner(func, given: dict, fixtures: dict, cls: type | None):
    def run() -> None:
        instance = None
        if cls is not None:
            instance = cls()
            setup = getattr(instance, "setup_method", None)
            if setup is not None:
                setup(func)
        teardown: list = []
        try:
            kwargs = {
                p: given[p] if p in given else _fixture(p, fixtures, teardown, ())
                for p in _parameters(func, cls is not None)
            }
            outcome = func(instance, **kwargs) if cls is not None else func(**kwargs)
            if hasattr(outcome, "__await__"):
                outcome.close()
                raise TypeError(
                    "async test functions are not supported; write plain def test_...() functions"
                )
        finally:
            for gen in reversed(teardown):
                with contextlib.suppress(StopIteration):
                    next(gen)
            if instance is not None and hasattr(instance, "teardown_method"):
                instance.teardown_method(func)

    return run


def _parameters(func, skip_self: bool) -> list[str]:
    code = func.__code__
    names = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    defaults = len(func.__defaults__ or ())
    positional = names[: code.co_argcount]
    required = positional[: len(positional) - defaults] if defaults else positional
    required += [n for n in names[code.co_argcount :] if n not in (func.__kwdefaults__ or {})]
    return required[1:] if skip_self else required


def _fixture(name: str, fixtures: dict, teardown: list, chain: tuple):
    if name not in fixtures:
        available = ", ".join(sorted(fixtures)) or "none"
        raise pytest_shim.Failed(
            f"fixture {name!r} not found (fixtures defined in the tests: {available}; pytest's built-in fixtures are not available)"
        )
    if name in chain:
        raise pytest_shim.Failed(f"fixture {name!r} depends on itself")
    func = fixtures[name]
    kwargs = {p: _fixture(p, fixtures, teardown, (*chain, name)) for p in _parameters(func, False)}
    value = func(**kwargs)
    if isinstance(value, types.GeneratorType):
        teardown.append(value)
        return next(value)
    return value
