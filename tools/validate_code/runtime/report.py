"""Describing a failed test: exception, assert operands, where it failed in the tests and in the solution."""

from __future__ import annotations

from .asserts import NOVALUE
from .proxy import remote_type_name

MAX_REPR = 400
MAX_TEXT = 4000


def safe_repr(value) -> str:
    import reprlib

    r = reprlib.Repr()
    r.maxstring = r.maxother = MAX_REPR
    r.maxlist = r.maxtuple = r.maxset = r.maxfrozenset = r.maxdeque = 40
    r.maxdict = 25
    r.maxlevel = 5
    try:
        text = r.repr(value)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        return f"<{remote_type_name(value)} object; repr() failed: {type(exc).__name__}>"
    return text if len(text) <= MAX_REPR else text[: MAX_REPR - 3] + "..."


def describe(exc: BaseException, asserts: dict) -> dict:
    remote = getattr(exc, "_rt_remote", None)
    remote = remote if isinstance(remote, dict) else None
    info: dict = {"type": str(remote.get("type")) if remote else type(exc).__name__, "message": _text(exc)}
    test_frames = _test_frames(exc)
    if test_frames:
        info["test_line"] = test_frames[-1]["line"]
    solution_frames = _solution_frames(remote)
    app = [f for f in solution_frames if f.get("app")]
    if app:
        info["line"] = app[-1]["line"]
        info["column"] = app[-1].get("col")
        info["source_line"] = app[-1].get("src")
    if remote and remote.get("timeout"):
        info["timeout"] = True
    captured = getattr(exc, "_rt_assert", None)
    if captured is not None:
        info.update(_assertion(captured, asserts, str(exc)))
        refuted = getattr(exc, "_rt_refuted", None)
        if refuted is not None:
            type_name, probe = refuted
            info["refuted"] = (
                f"the {type_name} object from the solution also says it equals {safe_repr(probe)}, a value "
                "made up for this check: its __eq__ answers yes to anything, so the comparison proves nothing"
            )
    info["traceback"] = _traceback(test_frames, solution_frames, info)
    return info


def _assertion(captured, asserts: dict, message: str) -> dict:
    aid, left, right = captured
    meta = asserts.get(aid, {})
    op = meta.get("op")
    out = {"assert_source": meta.get("source"), "assert_op": op, "test_line": meta.get("line")}
    if op in ("truth", "not") and left is not NOVALUE:
        out["actual"] = safe_repr(left)
        out["actual_type"] = remote_type_name(left)
        out["expected"] = "a true value" if op == "truth" else "a false value"
        out["message"] = (
            f"{message}\n  where the value was {out['actual']}"
            if message != meta.get("source")
            else f"assert {out['actual']}"
        )
        return out
    if left is NOVALUE or right is NOVALUE:
        return out
    actual, expected = (right, left) if meta.get("swap") else (left, right)
    out.update(
        actual=safe_repr(actual),
        expected=safe_repr(expected),
        actual_type=remote_type_name(actual),
        expected_type=remote_type_name(expected),
    )
    shown = f"assert {safe_repr(left)} {op} {safe_repr(right)}"
    out["message"] = shown if message == meta.get("source") else f"{message}\n  {shown}"
    return out


def _text(exc: BaseException) -> str:
    try:
        text = str(exc)
    except BaseException:
        text = "<message could not be printed>"
    return text[:MAX_TEXT]


def _test_frames(exc: BaseException) -> list[dict]:
    import traceback

    frames = []
    for fs in traceback.extract_tb(exc.__traceback__, limit=60):
        if fs.filename == "tests.py":
            frames.append({"file": "tests.py", "line": fs.lineno, "name": fs.name, "src": fs.line or ""})
    return frames


def _solution_frames(remote: dict | None) -> list[dict]:
    if not remote or not isinstance(remote.get("frames"), list):
        return []
    frames = []
    for f in remote["frames"][-40:]:
        if isinstance(f, dict) and isinstance(f.get("line"), int):
            frames.append(
                {
                    "file": str(f.get("file", "?"))[:300],
                    "line": f["line"],
                    "name": str(f.get("name", "?"))[:200],
                    "src": str(f.get("src", ""))[:300],
                    "col": f.get("col") if isinstance(f.get("col"), int) else None,
                    "app": f.get("app") is True,
                }
            )
    return frames


def _traceback(test_frames: list[dict], solution_frames: list[dict], info: dict) -> str:
    lines = ["Traceback (most recent call last):"]
    for f in [*test_frames, *solution_frames]:
        lines.append(f'  File "{f["file"]}", line {f["line"]}, in {f["name"]}')
        if f["src"]:
            lines.append(f"    {f['src'].strip()}")
    message = info["message"]
    lines.append(f"{info['type']}: {message}" if message else info["type"])
    return "\n".join(lines)[-MAX_TEXT * 2 :]
