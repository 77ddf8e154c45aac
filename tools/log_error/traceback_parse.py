"""Parse Python traceback text into frames and the exception that ended it.

Understands CPython tracebacks (chained with "During handling..." or "The above exception was the
direct cause...", 3.11 caret lines, "[Previous line repeated N more times]", SyntaxError location
blocks, exception groups at a minimum) and pytest's long format. The outermost exception of a
chain (the one printed last) is the error; the exception before it is kept as its cause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEADER = re.compile(r"^\s*(?:\|\s*)*\+?\s*(?:Exception Group )?Traceback \(most recent call last\):\s*$")
_FRAME = re.compile(r'^\s*File "(?P<file>[^"]*)", line (?P<line>\d+)(?:, in (?P<func>.+?))?\s*$')
_CARETS = re.compile(r"^\s*[~^]+[\s~^]*$")
_REPEATED = re.compile(r"^\s*\[Previous line repeated (\d+) more times?\]\s*$")
_CHAIN = re.compile(
    r"^(?:During handling of the above exception, another exception occurred:"
    r"|The above exception was the direct cause of the following exception:)\s*$"
)
# "KeyError: 'x'", "json.decoder.JSONDecodeError: ...", "StopIteration", "__main__.MyError: ...".
_EXCEPTION_LINE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?::\s?(?P<message>.*))?$")
_EXCEPTION_NAME = re.compile(
    r"(?:Error|Exception|Warning|Exit|Interrupt|Iteration|Timeout|Group|Expired|Failure)$"
)
# Exception-group drawing: "  | ", "  +-+---- 1 ----", "    +------------------".
_GROUP_PREFIX = re.compile(r"^[ ]*(?:\|[ ]?|\+[-+]*[ ]?\d*[ ]?-*)")
_PYTEST_LOCATION = re.compile(
    r"^(?P<file>[^\s:][^:]*\.py):(?P<line>\d+):(?:\s(?P<type>[A-Za-z_][\w.]*))?\s*$"
)
_PYTEST_DEF = re.compile(r"^\s*(?:async\s+)?def\s+(?P<name>\w+)\s*\(")


@dataclass(frozen=True, slots=True)
class Frame:
    filename: str
    lineno: int
    function: str
    source: str | None = None
    """The source line as printed, stripped."""
    segment: str | None = None
    """The part of the line CPython 3.11+ marked with carets, when it marked a part."""
    repeated: int = 0
    """How many more times the traceback says this frame repeated (recursion)."""


@dataclass(frozen=True, slots=True)
class ParsedTraceback:
    frames: list[Frame]
    """Frames of the final exception, outermost first."""
    error_type: str | None
    message: str | None
    cause_type: str | None = None
    """Type of the exception this one was raised while handling (or from), if chained."""
    chain: list[str] = field(default_factory=list)
    """Types of every exception in the chain, in printed order."""
    group_leaves: list[tuple[str, str]] = field(default_factory=list)
    """(type, message) of the sub-exceptions when the error is an exception group."""

    @property
    def empty(self) -> bool:
        return not self.frames and self.error_type is None


def looks_like_exception_name(name: str) -> bool:
    bare = name.rsplit(".", 1)[-1]
    return bool(bare[:1].isupper() and _EXCEPTION_NAME.search(bare)) or bare in {
        "KeyboardInterrupt",
        "SystemExit",
    }


def split_exception_line(line: str) -> tuple[str, str] | None:
    """``("KeyError", "'x'")`` for ``KeyError: 'x'``; None when the line does not name an exception."""
    match = _EXCEPTION_LINE.match(line.strip())
    if not match or not looks_like_exception_name(match.group("type")):
        return None
    return match.group("type"), (match.group("message") or "").strip()


def parse_traceback(text: str) -> ParsedTraceback:
    """Parse `text`; an unrecognised text gives an empty result rather than an error."""
    lines = text.split("\n")
    if any("Exception Group Traceback" in line for line in lines):
        return _parse_group(lines)
    if any(_HEADER.match(line) for line in lines) or any(_FRAME.match(line) for line in lines):
        return _parse_cpython(lines)
    if any(_PYTEST_LOCATION.match(line) for line in lines):
        return _parse_pytest(lines)
    for line in reversed(lines):
        found = split_exception_line(line)
        if found:
            return ParsedTraceback(frames=[], error_type=found[0], message=found[1])
    return ParsedTraceback(frames=[], error_type=None, message=None)


@dataclass(slots=True)
class _Block:
    frames: list[Frame] = field(default_factory=list)
    error_type: str | None = None
    message_lines: list[str] = field(default_factory=list)


def _parse_cpython(lines: list[str]) -> ParsedTraceback:
    blocks: list[_Block] = [_Block()]
    current: dict[str, object] | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        block = blocks[-1]
        if _CHAIN.match(line.strip()):
            _flush(block, current)
            current = None
            blocks.append(_Block())
        elif _HEADER.match(line):
            if block.frames or block.error_type:
                _flush(block, current)
                current = None
                blocks.append(_Block())
        elif frame := _FRAME.match(line):
            _flush(block, current)
            current = {
                "filename": frame.group("file"),
                "lineno": int(frame.group("line")),
                "function": (frame.group("func") or "<module>").strip(),
                "source": None,
                "segment": None,
                "repeated": 0,
            }
        elif repeated := _REPEATED.match(line):
            if block.frames and current is None:
                last = block.frames[-1]
                block.frames[-1] = Frame(
                    last.filename,
                    last.lineno,
                    last.function,
                    last.source,
                    last.segment,
                    int(repeated.group(1)),
                )
            elif current is not None:
                current["repeated"] = int(repeated.group(1))
        elif current is not None and line.startswith("    ") and not _CARETS.match(line):
            if current["source"] is None:
                current["source"] = line.strip()
                printed = line
                if index + 1 < len(lines) and _CARETS.match(lines[index + 1]):
                    current["segment"] = _caret_segment(printed, lines[index + 1])
                    index += 1
        elif _CARETS.match(line):
            pass
        elif line and not line[0].isspace() and (found := split_exception_line(line)):
            _flush(block, current)
            current = None
            block.error_type, first = found
            block.message_lines = [first] if first else []
            # The message runs on until a blank line or the next chain marker.
            while index + 1 < len(lines) and lines[index + 1].strip() and not _CHAIN.match(lines[index + 1]):
                if _HEADER.match(lines[index + 1]):
                    break
                index += 1
                block.message_lines.append(lines[index])
        index += 1
    _flush(blocks[-1], current)
    blocks = [b for b in blocks if b.frames or b.error_type]
    if not blocks:
        return ParsedTraceback(frames=[], error_type=None, message=None)
    final = blocks[-1]
    chain = [b.error_type for b in blocks if b.error_type]
    cause = blocks[-2].error_type if len(blocks) > 1 else None
    return ParsedTraceback(
        frames=final.frames,
        error_type=final.error_type,
        message="\n".join(final.message_lines).strip() if final.error_type else None,
        cause_type=cause,
        chain=chain,
    )


def _flush(block: _Block, current: dict[str, object] | None) -> None:
    if current is not None:
        block.frames.append(Frame(**current))  # type: ignore[arg-type]


def _caret_segment(printed: str, carets: str) -> str | None:
    """The text of `printed` under the ^/~ marks of `carets`, unless they mark the whole line."""
    marks = [i for i, c in enumerate(carets) if c in "^~"]
    if not marks:
        return None
    start, end = marks[0], marks[-1] + 1
    segment = printed[start:end].strip()
    if not segment or segment == printed.strip():
        return None
    return segment


def _parse_group(lines: list[str]) -> ParsedTraceback:
    """Exception groups, minimally: the group's frames and type, and the leaf exceptions."""
    stripped = [
        _GROUP_PREFIX.sub("", line, count=1) if line.lstrip().startswith(("|", "+")) else line
        for line in lines
    ]
    first_leaf = next(
        (i for i, line in enumerate(lines) if re.match(r"^\s*\+-\+-+ 1 -+\s*$", line)), len(lines)
    )
    top = _parse_cpython(stripped[:first_leaf])
    leaves: list[tuple[str, str]] = []
    for line in stripped[first_leaf:]:
        if line[:1].isspace():
            continue
        found = split_exception_line(line)
        if found:
            leaves.append(found)
    return ParsedTraceback(
        frames=top.frames,
        error_type=top.error_type,
        message=top.message,
        cause_type=leaves[0][0] if leaves else top.cause_type,
        chain=top.chain,
        group_leaves=leaves,
    )


def _parse_pytest(lines: list[str]) -> ParsedTraceback:
    """pytest's long format: code blocks with `>` at the failing line, `E` message lines, `file:line:` footers."""
    frames: list[Frame] = []
    block: list[str] = []
    error_type: str | None = None
    message_lines: list[str] = []
    for line in lines:
        location = _PYTEST_LOCATION.match(line)
        if location is None:
            block.append(line)
            continue
        function = "<module>"
        source = None
        for candidate in block:
            if definition := _PYTEST_DEF.match(candidate):
                function = definition.group("name")
            if candidate.startswith(">"):
                source = candidate[1:].strip()
        errors = [candidate[1:].strip() for candidate in block if candidate.startswith("E ")]
        if errors:
            message_lines = errors
        frames.append(Frame(location.group("file"), int(location.group("line")), function, source))
        if location.group("type"):
            error_type = location.group("type")
        block = []
    message = None
    if message_lines:
        found = split_exception_line(message_lines[0])
        if found and (error_type is None or found[0].endswith(error_type)):
            error_type = found[0]
            message_lines = [found[1], *message_lines[1:]]
        message = "\n".join(message_lines).strip()
    return ParsedTraceback(frames=frames, error_type=error_type, message=message)
