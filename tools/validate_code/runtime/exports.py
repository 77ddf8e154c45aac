"""The objects a process has handed to the other side as handles, and what it serves on them."""

from __future__ import annotations

from .codec import CopyError, WireError

MAX_EXPORTS = 100_000

_SAFE_OPS = frozenset(
    {
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "contains",
        "getitem",
        "len",
        "bool",
        "hash",
        "repr",
        "str",
        "iter",
        "next",
    }
)


class Exports:
    """Objects of this process that the other side holds handles to.

    `restricted` (the judge's side) serves only calls, public attributes and a few read-only
    operators, and refuses to hand out modules, so a handle can never lead to the judge's state.
    """

    def __init__(self, generation=0, *, restricted=False):
        self.generation = generation
        self.restricted = restricted
        self.objects = {}
        self.ids = {}

    def handle(self, obj):
        if self.restricted and type(obj).__name__ == "module":
            raise CopyError("a module cannot be passed to the solution")
        hid = self.ids.get(id(obj))
        if hid is None or self.objects[hid] is not obj:
            if len(self.objects) >= MAX_EXPORTS:
                raise CopyError("too many live objects shared between the test and the solution")
            hid = len(self.objects) + 1
            self.objects[hid] = obj
            self.ids[id(obj)] = hid
        form = {"H": hid, "g": self.generation, "t": _type_name(obj), "k": _kind(obj)}
        if form["k"] == "exc_class":
            form["x"] = exception_mro(obj)
        return form

    def get(self, form):
        if form.get("g") != self.generation:
            raise WireError(
                "this object belongs to an earlier run of the solution (it was restarted after a failure)"
            )
        try:
            return self.objects[form["Y"]]
        except (KeyError, TypeError):
            raise WireError("unknown object handle") from None

    def allows(self, op, name=None):
        if not self.restricted:
            return True
        if op == "call":
            return True
        if op == "getattr":
            return isinstance(name, str) and not name.startswith("_")
        return op == "op" and name in _SAFE_OPS


def _type_name(obj):
    try:
        return str(type(obj).__qualname__)[:200]
    except Exception:
        return "object"


def _kind(obj):
    if isinstance(obj, type):
        return "exc_class" if issubclass(obj, BaseException) else "class"
    return "func" if callable(obj) else "obj"


def exception_mro(cls):
    return [[str(getattr(c, "__module__", "")), str(getattr(c, "__qualname__", ""))] for c in cls.__mro__][
        :30
    ]
