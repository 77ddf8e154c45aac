"""The channel between the judge and the worker: requests and replies that may nest both ways.

Values cross by copy (`codec`); objects that are not data stay where they live and the other side
gets a `Remote` (`proxy`). The judge serves only a narrow set of operations on its own objects
(`Exports(restricted=True)`) so the solution cannot walk from a callback to the judge's internals.
"""

from __future__ import annotations

import builtins
import json
import os
import sys

from .codec import MAX_MESSAGE, CopyError, Decoder, Encoder, WireError, apply_in_place, text_field
from .exports import exception_mro
from .proxy import OPS, Remote


class PeerGone(Exception):
    """The other process closed its end of the channel."""


class RemoteExit(Exception):
    """The other side raised SystemExit, KeyboardInterrupt or GeneratorExit inside a call."""


# ---------------------------------------------------------------------------------------------
# The channel.


class Peer:
    """One end of a request/response channel over two pipe fds; requests may nest both ways."""

    serving_error: type[BaseException] = Exception

    def __init__(self, rfd, wfd, exports, *, budget_for=None):
        self.rfd = rfd
        self.wfd = wfd
        self.exports = exports
        self.handlers = {}
        self.budget_for = budget_for
        self.buf = bytearray()
        self.scan = 0
        self.next_id = 0
        self.exception_classes = {}

    # -- framing ---------------------------------------------------------------------------
    def send(self, msg):
        self.write(self.frame(msg))

    @staticmethod
    def frame(msg) -> bytes:
        data = json.dumps(msg, ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n"
        if len(data) > MAX_MESSAGE:
            raise CopyError(f"a message of {len(data)} bytes exceeds the {MAX_MESSAGE} byte limit")
        return data

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                n = os.write(self.wfd, view)
            except (BrokenPipeError, OSError) as exc:
                raise PeerGone(str(exc)) from None
            view = view[n:]

    def recv(self):
        while True:
            end = self.buf.find(b"\n", self.scan)
            if end >= 0:
                line = bytes(self.buf[:end])
                del self.buf[: end + 1]
                self.scan = 0
                try:
                    msg = json.loads(line)
                except (ValueError, RecursionError) as exc:
                    raise WireError(f"unreadable message: {exc}") from None
                if type(msg) is not dict:
                    raise WireError("message is not an object")
                return msg
            self.scan = len(self.buf)
            if len(self.buf) > MAX_MESSAGE:
                raise WireError("message exceeds the size limit")
            chunk = os.read(self.rfd, 1 << 16)
            if not chunk:
                raise PeerGone("the other process closed the channel")
            self.buf += chunk

    # -- codec -------------------------------------------------------------------------------
    def encoder(self, **kw):
        return Encoder(self.exports.handle, **kw)

    def decoder(self, **kw):
        return Decoder(self._own, self._remote, **kw)

    def _own(self, form):
        if "N" in form:
            resolve = self.handlers.get("name")
            if resolve is None:
                raise WireError("namespace references are not served here")
            return resolve(text_field(form["N"]))
        return self.exports.get(form)

    def _remote(self, form):
        if form.get("k") == "exc_class":
            return self.exception_class(form.get("x") or [])
        ref = {"Y": form["H"], "g": form.get("g")}
        return Remote(self, ref, text_field(form.get("t", "object")), text_field(form.get("k", "obj")))

    def exception_class(self, mro):
        """A local class standing for an exception class of the other side (cached by name)."""
        key = tuple(tuple(x) for x in mro[:1])
        cached = self.exception_classes.get(key)
        if cached is not None:
            return cached
        cls = None
        for i, (module, qualname) in enumerate(mro):
            found = _known_class(module, qualname)
            if found is not None and isinstance(found, type) and issubclass(found, BaseException):
                if i == 0:
                    cls = found
                else:
                    base = found if issubclass(found, Exception) else Exception
                    cls = type(
                        str(mro[0][1]).rpartition(".")[2] or "RemoteError",
                        (base,),
                        {"__module__": str(mro[0][0])},
                    )
                break
        if cls is None or cls in (SystemExit, KeyboardInterrupt, GeneratorExit):
            cls = RemoteExit
        self.exception_classes[key] = cls
        return cls

    # -- requests ----------------------------------------------------------------------------
    def call(self, ref, args, kwargs):
        enc = self.encoder(track=True)
        msg = {
            "op": "call",
            "ref": ref,
            "a": [enc.encode(a) for a in args],
            "k": {k: enc.encode(v) for k, v in kwargs.items()},
        }
        reply = self._roundtrip(msg)
        mutations = reply.get("mut") or []
        if mutations:
            refs = enc.tracked
            dec = self.decoder(refs=refs)
            for index, content in mutations:
                apply_in_place(refs[int(index)], dec.decode(content))
        return self._result(reply)

    def request(self, msg, args=()):
        if args:
            enc = self.encoder()
            msg = dict(msg, a=[enc.encode(a) for a in args])
        return self._result(self._roundtrip(msg))

    def _roundtrip(self, msg):
        self.next_id += 1
        qid = self.next_id
        if self.budget_for is not None:
            msg["budget"] = self.budget_for()
        msg["q"] = qid
        self.send(msg)
        while True:
            reply = self.recv()
            if "q" in reply:
                self.serve(reply)
                continue
            if reply.get("r") != qid:
                raise WireError("reply out of order")
            return reply

    def _result(self, reply):
        if "x" in reply:
            raise self.rebuild_exception(reply["x"])
        return self.decoder().decode(reply.get("v"))

    def rebuild_exception(self, info):
        if type(info) is not dict:
            raise WireError("malformed exception")
        cls = self.exception_class(info.get("mro") or [["builtins", "Exception"]])
        message = str(info.get("message", ""))[:4000]
        exc = None
        args = info.get("args")
        if args is not None and cls is not RemoteExit:
            try:
                exc = cls(*self.decoder().decode(args))
            except Exception:
                exc = None
        if exc is None:
            try:
                exc = cls(message)
            except Exception:
                exc = RemoteExit(message)
        exc._rt_remote = info
        return exc

    # -- serving -----------------------------------------------------------------------------
    def serve(self, msg):
        qid = msg.get("q")
        try:
            value, mutations = self.dispatch(msg)
            try:
                data = self.frame(
                    {"r": qid, "v": self.encoder().encode(value), **({"mut": mutations} if mutations else {})}
                )
            except CopyError:
                # Too large to copy: the value stays here and the other side gets a proxy to it.
                data = self.frame({"r": qid, "v": self.exports.handle(value)})
        except self.serving_error as exc:
            data = self.frame({"r": qid, "x": self.describe(exc)})
        self.write(data)

    def describe(self, exc):
        return {"type": type(exc).__name__, "mro": exception_mro(type(exc)), "message": str(exc)[:4000]}

    def dispatch(self, msg):
        op = msg.get("op")
        handler = self.handlers.get(op)
        if handler is not None and op not in ("call", "getattr", "setattr", "delattr", "op"):
            return handler(msg), None
        name = msg.get("name")
        if not self.exports.allows(op, name):
            raise WireError(f"operation {op!r} {name or ''} is not allowed on this object")
        target = self._own(msg.get("ref") or {})
        if op == "call":
            dec = self.decoder(track=True)
            args = [dec.decode(a) for a in msg.get("a") or []]
            kwargs = {text_field(k): dec.decode(v) for k, v in (msg.get("k") or {}).items()}
            return self.invoke(target, args, kwargs, dec.tracked)
        args = [self.decoder().decode(a) for a in msg.get("a") or []]
        if op == "getattr":
            return getattr(target, text_field(name)), None
        if op == "setattr":
            setattr(target, text_field(name), *args)
            return None, None
        if op == "delattr":
            delattr(target, text_field(name))
            return None, None
        if op == "op" and name in OPS:
            return OPS[name](target, *args), None
        raise WireError(f"unknown operation {op!r}")

    def invoke(self, target, args, kwargs, tracked):
        return target(*args, **kwargs), None


def _known_class(module, qualname):
    if module == "builtins":
        return getattr(builtins, qualname, None)
    mod = sys.modules.get(module)
    if mod is None or "." in qualname:
        return None
    return getattr(mod, qualname, None)
