"""Sentry-style fingerprints: which parts of an error decide that two reports are the same error.

A fingerprint is ``v1:`` and the first 20 hex digits of a SHA-1 over the contributing components.
Every component that was available is listed, with `contributed=False` and a reason when it was
left out, so a fingerprint can always be explained.

Choices, and why:

- **Never line numbers.** They move with every unrelated edit above the failing line.
- **In-app frames by function and normalised source line**, innermost few only. Standard-library,
  site-packages, frozen and test-runner frames describe the environment, not the mistake; outer
  callers differ between tests of the same mistake.
- **The message template even when there are frames.** Sentry drops the message once it has a
  stack trace, but Python messages carry the kind of the mistake that a frame alone does not
  (``unsupported operand type(s) for +: 'NoneType' and 'int'`` versus ``... 'str' and 'int'`` on one
  line). Parameterising numbers, strings, paths and ids first keeps instance data from splitting
  groups. Exceptions: a KeyError's message is only the missing key, so with frames it is left out;
  for static findings the rule code says it all; for failed asserts the message only repeats the
  operand values, which the assert shape and value relation already describe.
- **Static findings**: the rule code and the normalised offending line.
- **Assertion failures**: the assert shape, the value relation (off by one, None, order...) and
  the operand types, so different wrong answers to one test are different errors.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections.abc import Sequence

from .assertions import AssertFacts
from .models import Evidence, FingerprintComponent
from .normalize import normalize_source
from .traceback_parse import Frame, ParsedTraceback

FINGERPRINT_VERSION = 1
_DIGEST_CHARS = 20

_STDLIB = re.compile(r"/(?:lib|lib64|Lib)/python\d+(?:\.\d+)?/|^[A-Za-z]:/[Pp]ython\d+/[Ll]ib/")
_THIRD_PARTY = re.compile(r"/(?:site|dist)-packages/")
# The validation sandbox's own harness; its frames wrap every test call.
_RUNNER_FILES = frozenset({"runner.py", "_fractal_runner.py"})


def in_app(frame: Frame) -> bool:
    """True for frames of the user's own code."""
    path = frame.filename.replace("\\", "/")
    if path.startswith("<frozen") or path in ("<frozen>", "<built-in>"):
        return False
    if _THIRD_PARTY.search(path):
        return False
    if _STDLIB.search(path):
        return False
    return posixpath.basename(path) not in _RUNNER_FILES


def app_frames(frames: Sequence[Frame]) -> list[Frame]:
    """In-app frames, outermost first, with a recursion's repeated frames folded into one."""
    result: list[Frame] = []
    for frame in frames:
        if not in_app(frame):
            continue
        if result and result[-1].function == frame.function and result[-1].source == frame.source:
            continue
        result.append(frame)
    # A recursion can alternate between a few frames; fold any run that repeats an earlier frame.
    folded: list[Frame] = []
    seen: set[tuple[str, str | None]] = set()
    for frame in result:
        key = (frame.function, frame.source)
        if key in seen:
            continue
        seen.add(key)
        folded.append(frame)
    return folded


def frame_label(frame: Frame) -> str:
    """``median: return s[len(s) // <num>]`` — a frame without its file or line number."""
    if frame.source:
        return f"{frame.function}: {normalize_source(frame.source)}"
    return frame.function


def component(
    name: str, value: str | list[str], *, contributed: bool = True, note: str | None = None
) -> FingerprintComponent:
    return FingerprintComponent(name=name, value=value, contributed=contributed, note=note)


def digest(components: Sequence[FingerprintComponent]) -> str:
    """The versioned fingerprint of the contributing components."""
    parts = [[c.name, c.value] for c in components if c.contributed]
    payload = json.dumps(parts, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return (
        f"v{FINGERPRINT_VERSION}:"
        + hashlib.sha1(payload.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST_CHARS]
    )


def fingerprint_components(
    *,
    error_type: str | None,
    rule_code: str | None,
    category: str,
    offending: str | None,
    frames: list[Frame],
    all_frames: list[Frame],
    template: str,
    facts: AssertFacts | None,
    parsed: ParsedTraceback,
    traceback_given: bool,
    evidence: Evidence,
    source: str,
) -> list[FingerprintComponent]:
    """Every component that was available, contributing or not (see the module docstring)."""
    parts = [component("error_type", error_type or "<unknown>")]
    if rule_code:
        parts.append(component("rule_code", rule_code))
    if offending:
        parts.append(component("source_line", offending))
    if not rule_code:
        parts += _frame_components(frames, all_frames, traceback_given, category)
    if all_frames:
        locations = [f"{_basename(f.filename)}:{f.lineno}" for f in all_frames[-5:]]
        parts.append(
            component(
                "line_numbers", locations, contributed=False, note="line numbers shift with unrelated edits"
            )
        )
    if template:
        parts.append(_template_component(template, rule_code, facts, error_type, bool(frames)))
    if facts is not None:
        parts += _assert_components(facts)
    if parsed.group_leaves:
        parts.append(component("group_leaves", sorted({leaf for leaf, _ in parsed.group_leaves})))
    elif parsed.cause_type:
        parts.append(component("cause_type", parsed.cause_type))
    if evidence.test_name:
        parts.append(
            component("test_name", evidence.test_name, contributed=False, note="tests of one mistake vary")
        )
    parts.append(
        component(
            "source", source, contributed=False, note="one mistake seen by a test or at run time is one error"
        )
    )
    return parts


def _frame_components(
    frames: list[Frame], all_frames: list[Frame], traceback_given: bool, category: str
) -> list[FingerprintComponent]:
    if frames:
        return [component("frames", [frame_label(frame) for frame in frames])]
    if all_frames:
        note = "no in-app frames: every frame is in the standard library, site-packages or the test runner"
        return [component("frames", [frame_label(f) for f in all_frames[-3:]], contributed=False, note=note)]
    if not traceback_given and not category.startswith("syntax"):
        return [component("frames", [], contributed=False, note="no traceback was given")]
    return []


def _template_component(
    template: str, rule_code: str | None, facts: AssertFacts | None, error_type: str | None, has_frames: bool
) -> FingerprintComponent:
    if rule_code:
        reason = "the rule code identifies a static finding"
    elif facts is not None and (facts.shape or facts.relation):
        reason = "the assert shape and value relation describe the failure"
    elif (error_type or "").endswith("KeyError") and has_frames:
        reason = "a KeyError message is only the missing key"
    else:
        return component("template", template)
    return component("template", template, contributed=False, note=reason)


def _assert_components(facts: AssertFacts) -> list[FingerprintComponent]:
    parts = []
    if facts.source:
        # Names stay (which function was asserted on); literals go (the numbers of one case).
        parts.append(
            component(
                "assert_shape", normalize_source(facts.source), note="the failing assert, literals replaced"
            )
        )
    elif facts.shape:
        parts.append(component("assert_shape", facts.shape))
    if facts.relation:
        parts.append(component("value_relation", facts.relation))
    if facts.expected_type or facts.actual_type:
        parts.append(component("operand_types", [facts.expected_type or "?", facts.actual_type or "?"]))
    return parts


def _basename(path: str) -> str:
    return posixpath.basename(path.replace("\\", "/"))
