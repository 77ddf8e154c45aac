"""The parts of pytest that tests commonly use, for a sandbox that has only the standard library.

Installed as ``pytest`` in the judge: `raises`, `approx`, `fail`, `skip`, `param`,
`mark.parametrize` (and any other mark, as a no-op) and simple function-scoped `fixture`s.
"""

from __future__ import annotations

import math
import re


class Skipped(BaseException):
    """Raised by `skip`; a BaseException like pytest's, so `except Exception` does not swallow it."""


class Failed(AssertionError):
    """Raised by `fail` and by `raises` when nothing was raised."""


def fail(reason: str = "", pytrace: bool = True) -> None:
    raise Failed(reason)


def skip(reason: str = "") -> None:
    raise Skipped(reason)


class ExceptionInfo:
    def __init__(self) -> None:
        self.type = None
        self.value = None
        self.tb = None

    def match(self, pattern: str) -> bool:
        if not re.search(pattern, str(self.value)):
            raise AssertionError(
                f"Regex pattern did not match.\n Regex: {pattern!r}\n Input: {str(self.value)!r}"
            )
        return True

    def __repr__(self) -> str:
        return f"<ExceptionInfo {self.type.__name__ if self.type else None}: {self.value!r}>"


class RaisesContext:
    def __init__(self, expected, match: str | None) -> None:
        classes = expected if isinstance(expected, tuple) else (expected,)
        if not classes or not all(isinstance(c, type) and issubclass(c, BaseException) for c in classes):
            raise TypeError(f"pytest.raises needs exception classes (got {expected!r})")
        self.expected = classes
        self.match = match
        self.info = ExceptionInfo()

    def __enter__(self) -> ExceptionInfo:
        return self.info

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            names = " or ".join(c.__name__ for c in self.expected)
            raise Failed(f"DID NOT RAISE {names}")
        if not issubclass(exc_type, self.expected):
            return False
        self.info.type, self.info.value, self.info.tb = exc_type, exc, tb
        if self.match is not None:
            self.info.match(self.match)
        return True


def raises(expected, *args, match: str | None = None, **kwargs):
    context = RaisesContext(expected, match)
    if not args:
        return context
    func, *rest = args
    with context as info:
        func(*rest, **kwargs)
    return info


class ApproxValue:
    """``approx(expected)``: equal to numbers (or sequences/dicts of numbers) within a tolerance."""

    def __init__(
        self, expected, rel: float | None = None, abs: float | None = None, nan_ok: bool = False
    ) -> None:
        self.expected = expected
        self.rel = 1e-6 if rel is None else rel
        self.abs = 1e-12 if abs is None else abs
        self.nan_ok = nan_ok

    def __repr__(self) -> str:
        return f"approx({self.expected!r})"

    def __eq__(self, actual) -> bool:
        return self._close(actual, self.expected)

    def __ne__(self, actual) -> bool:
        return not self == actual

    __hash__ = None

    def _close(self, actual, expected) -> bool:
        if isinstance(expected, dict):
            return (
                isinstance(actual, dict)
                and actual.keys() == expected.keys()
                and all(self._close(actual[k], v) for k, v in expected.items())
            )
        if isinstance(expected, (list, tuple)):
            return (
                isinstance(actual, (list, tuple))
                and len(actual) == len(expected)
                and all(self._close(a, e) for a, e in zip(actual, expected, strict=True))
            )
        if isinstance(expected, (int, float, complex)) and not isinstance(expected, bool):
            if not isinstance(actual, (int, float, complex)) or isinstance(actual, bool):
                return False
            if isinstance(expected, float) and math.isnan(expected):
                return self.nan_ok and isinstance(actual, float) and math.isnan(actual)
            if actual == expected:
                return True
            return abs(actual - expected) <= max(self.rel * abs(expected), self.abs)
        return actual == expected


approx = ApproxValue


class ParameterSet:
    def __init__(self, values: tuple, id: str | None) -> None:
        self.values = values
        self.id = id


def param(*values, id: str | None = None, marks=()) -> ParameterSet:
    return ParameterSet(values, id)


class _MarkDecorator:
    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args, **kwargs):
        if self.name == "parametrize":
            return _parametrize(*args, **kwargs)
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        return lambda func: func


class _Marks:
    def __getattr__(self, name: str) -> _MarkDecorator:
        if name.startswith("__"):
            raise AttributeError(name)
        return _MarkDecorator(name)


mark = _Marks()


def _parametrize(argnames, argvalues, indirect=False, ids=None, scope=None):
    names = [n.strip() for n in argnames.split(",")] if isinstance(argnames, str) else list(argnames)
    cases = []
    for i, value in enumerate(argvalues):
        if isinstance(value, ParameterSet):
            values, case_id = value.values, value.id
        else:
            values, case_id = ((value,) if len(names) == 1 else tuple(value)), None
        if case_id is None and ids is not None:
            case_id = ids(value) if callable(ids) else str(list(ids)[i])
        if len(values) != len(names):
            raise TypeError(f"parametrize: {len(names)} names but {len(values)} values in case {i}")
        cases.append(
            (
                dict(zip(names, values, strict=True)),
                case_id or "-".join(_value_id(v, n, i) for v, n in zip(values, names, strict=True)),
            )
        )

    def decorate(func):
        func._rt_params = [*getattr(func, "_rt_params", []), cases]
        return func

    return decorate


def _value_id(value, name: str, index: int) -> str:
    if value is None or isinstance(value, (bool, int, float, complex)):
        return str(value)
    if isinstance(value, str) and len(value) <= 40 and value.isprintable():
        return value
    return f"{name}{index}"


def fixture(
    func=None, *, scope: str = "function", params=None, autouse: bool = False, name: str | None = None
):
    def decorate(f):
        f._rt_fixture = name or f.__name__
        return f

    return decorate(func) if callable(func) else decorate
