"""Copying values between the judge and the worker as JSON-ready data.

Built-in data (numbers, strings, bytes, lists, tuples, dicts, sets and a few stdlib value types)
is copied; anything else is handed to `export`, which turns it into a handle. Decoding accepts
input from the untrusted side: every malformed shape is a `WireError`.
"""

from __future__ import annotations

import base64
import builtins

from .proxy import Remote

MAX_MESSAGE = 32 << 20
MAX_DEPTH = 80
MAX_NODES = 2_000_000
SMALL_INT = 1 << 62


class CopyError(ValueError):
    """A value cannot be copied to the other process (too large, too deep, or not allowed to cross).

    Raised before anything is sent, so the channel stays usable: in a test it is an ordinary failure.
    """


class WireError(Exception):
    """A value cannot be copied, or a message broke the protocol."""


# ---------------------------------------------------------------------------------------------
# Encoding.

_MUTABLE_COLLECTIONS = {"deque", "Counter", "OrderedDict", "defaultdict"}


def _builtin_name(obj):
    """The name under which `obj` is a builtin class or function, else None."""
    try:
        name = obj.__name__
    except Exception:
        return None
    if isinstance(name, str) and getattr(builtins, name, None) is obj:
        return name
    return None


class Encoder:
    """Turns a value into JSON-ready data; non-data objects become handles via `export`."""

    def __init__(self, export, *, track=False, refs=None):
        self.export = export
        self.tracked = [] if track else None
        self.refs = refs
        self.nodes = 0

    def encode(self, x, depth=0):
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise CopyError("value is too large or too deeply nested to copy between processes")
        t = type(x)
        if x is None or t is bool or t is str or t is float:
            return x
        if t is int:
            return x if -SMALL_INT < x < SMALL_INT else {"i": format(x, "x")}
        if t is Remote:
            return dict(object.__getattribute__(x, "_rt_ref"))
        if self.refs is not None and depth > 0 and id(x) in self.refs:
            return {"Ref": self.refs[id(x)]}
        if t is list:
            self._track(x)
            return {"L": [self.encode(v, depth + 1) for v in x]}
        if t is tuple:
            return {"T": [self.encode(v, depth + 1) for v in x]}
        if t is dict:
            self._track(x)
            return {"D": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in x.items()]}
        if t is set:
            self._track(x)
            return {"S": [self.encode(v, depth + 1) for v in x]}
        if t is frozenset:
            return {"F": [self.encode(v, depth + 1) for v in x]}
        if t is bytes:
            return {"B": base64.b64encode(x).decode("ascii")}
        if t is bytearray:
            self._track(x)
            return {"A": base64.b64encode(bytes(x)).decode("ascii")}
        if t is complex:
            return {"C": [x.real, x.imag]}
        if t is range:
            return {"R": [x.start, x.stop, x.step]}
        if t is slice:
            return {
                "Sl": [
                    self.encode(x.start, depth + 1),
                    self.encode(x.stop, depth + 1),
                    self.encode(x.step, depth + 1),
                ]
            }
        if x is Ellipsis:
            return {"E": 0}
        special = self._stdlib_value(x, t, depth)
        if special is not None:
            return special
        name = _builtin_name(x)
        if name is not None:
            return {"Bi": name}
        return self.export(x)

    def _stdlib_value(self, x, t, depth):
        module, name = getattr(t, "__module__", None), getattr(t, "__qualname__", None)
        if module == "collections" and name in _MUTABLE_COLLECTIONS:
            self._track(x)
            if name == "deque":
                return {"Q": [self.encode(v, depth + 1) for v in x], "max": x.maxlen}
            return {
                "D": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in x.items()],
                "kind": name,
            }
        if t.__bases__ == (tuple,) and isinstance(getattr(t, "_fields", None), tuple):
            fields = [f for f in t._fields if isinstance(f, str)]
            return {"NT": [self.encode(v, depth + 1) for v in x], "name": str(t.__name__), "fields": fields}
        if module == "fractions" and name == "Fraction":
            return {"Fr": [self.encode(x.numerator, depth + 1), self.encode(x.denominator, depth + 1)]}
        if module == "decimal" and name == "Decimal":
            return {"Dec": str(x)}
        if module == "datetime" and name in ("date", "datetime", "time"):
            return {"Dt": [name, x.isoformat()]}
        if module == "datetime" and name == "timedelta":
            return {"Td": [x.days, x.seconds, x.microseconds]}
        return None

    def _track(self, x):
        if self.tracked is not None:
            self.tracked.append(x)


# ---------------------------------------------------------------------------------------------
# Decoding (input may come from the untrusted side: every malformed shape is a WireError).


class Decoder:
    def __init__(self, own, remote, *, track=False, refs=None):
        self.own = own
        self.remote = remote
        self.tracked = [] if track else None
        self.refs = refs

    def decode(self, v):
        try:
            return self._decode(v)
        except WireError:
            raise
        except (
            KeyError,
            TypeError,
            ValueError,
            IndexError,
            AttributeError,
            OverflowError,
            RecursionError,
        ) as exc:
            raise WireError(f"malformed value from the other process: {type(exc).__name__}: {exc}") from None

    def _decode(self, v):
        t = type(v)
        if v is None or t is bool or t is int or t is float or t is str:
            return v
        if t is not dict:
            raise WireError(f"malformed value from the other process: {t.__name__}")
        d = self._decode
        if "L" in v:
            slot = self._reserve()
            return self._fill(slot, [d(x) for x in v["L"]])
        if "T" in v:
            return tuple(d(x) for x in v["T"])
        if "D" in v:
            slot = self._reserve()
            return self._fill(slot, _mapping(v.get("kind"), [(d(k), d(val)) for k, val in v["D"]]))
        if "S" in v:
            slot = self._reserve()
            return self._fill(slot, {d(x) for x in v["S"]})
        if "F" in v:
            return frozenset(d(x) for x in v["F"])
        if "i" in v:
            return int(text_field(v["i"]), 16)
        if "B" in v:
            return base64.b64decode(text_field(v["B"]), validate=True)
        if "A" in v:
            return self._fill(self._reserve(), bytearray(base64.b64decode(text_field(v["A"]), validate=True)))
        if "C" in v:
            return complex(float(v["C"][0]), float(v["C"][1]))
        if "R" in v:
            return range(*(int(x) for x in v["R"]))
        if "Sl" in v:
            return slice(*(d(x) for x in v["Sl"]))
        if "E" in v:
            return Ellipsis
        if "Q" in v:
            import collections

            maxlen = v.get("max")
            slot = self._reserve()
            return self._fill(
                slot, collections.deque([d(x) for x in v["Q"]], None if maxlen is None else int(maxlen))
            )
        if "NT" in v:
            return _namedtuple(text_field(v["name"]), tuple(text_field(f) for f in v["fields"]))(
                *(d(x) for x in v["NT"])
            )
        if "Fr" in v:
            import fractions

            return fractions.Fraction(int(d(v["Fr"][0])), int(d(v["Fr"][1])))
        if "Dec" in v:
            import decimal

            return decimal.Decimal(text_field(v["Dec"]))
        if "Dt" in v:
            import datetime

            kind, text = v["Dt"]
            if kind not in ("date", "datetime", "time"):
                raise WireError("malformed date value")
            return getattr(datetime, kind).fromisoformat(text_field(text))
        if "Td" in v:
            import datetime

            return datetime.timedelta(*(int(x) for x in v["Td"]))
        if "Bi" in v:
            obj = getattr(builtins, text_field(v["Bi"]), None)
            if obj is None or not callable(obj):
                raise WireError(f"unknown builtin {v['Bi']!r}")
            return obj
        if "Ref" in v:
            if self.refs is None:
                raise WireError("unexpected back-reference")
            return self.refs[int(v["Ref"])]
        if "Y" in v or "N" in v:
            return self.own(v)
        if "H" in v:
            return self.remote(v)
        raise WireError(f"malformed value from the other process: keys {sorted(v)[:5]}")

    def _reserve(self):
        """Track a container before its contents, in the order the encoder saw them (pre-order)."""
        if self.tracked is None:
            return None
        self.tracked.append(None)
        return len(self.tracked) - 1

    def _fill(self, slot, x):
        if slot is not None:
            self.tracked[slot] = x
        return x


def text_field(v):
    if type(v) is not str or len(v) > MAX_MESSAGE:
        raise WireError("malformed string field")
    return v


def _mapping(kind, items):
    if kind is None:
        return dict(items)
    import collections

    if kind == "Counter":
        return collections.Counter(dict(items))
    if kind == "OrderedDict":
        return collections.OrderedDict(items)
    if kind == "defaultdict":
        return collections.defaultdict(None, items)
    raise WireError(f"unknown mapping kind {kind!r}")


_NAMEDTUPLES = {}


def _namedtuple(name, fields):
    key = (name, fields)
    if key not in _NAMEDTUPLES:
        import collections

        try:
            _NAMEDTUPLES[key] = collections.namedtuple(name, fields)
        except ValueError:
            _NAMEDTUPLES[key] = collections.namedtuple("Record", fields, rename=True)
    return _NAMEDTUPLES[key]


def apply_in_place(target, new):
    """Give `target` the contents of `new` (a mutated copy of an argument) without replacing it."""
    if type(target) is not type(new):
        raise WireError("a mutated argument changed type")
    if isinstance(target, (list, bytearray)):
        target[:] = new
    elif isinstance(target, (dict, set)):
        target.clear()
        target.update(new)
    else:  # deque
        target.clear()
        target.extend(new)
