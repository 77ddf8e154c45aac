"""Control protocols built from the learned one: a placebo of the same length and a corrupted copy.

The placebo holds plausible but irrelevant style rules, so a difference between the learned and the
placebo arm is due to what the rules say, not to the protocol being there or being long. The
corrupted copy keeps every rule's trigger but breaks its advice (code identifiers renamed, literals
and operators flipped, "never" and "always" swapped): it tests whether the content is what helps.
"""

from __future__ import annotations

import functools
import random
import re

PLACEBO_RULES: tuple[str, ...] = (
    "Give every public function a one-line docstring written in the imperative mood.",
    "Prefer descriptive variable names to single letters outside very short loops.",
    "Keep functions short; extract a helper once a function no longer fits on one screen.",
    "Order imports as standard library, third-party, then local modules, each group alphabetised.",
    "Use f-strings rather than percent formatting or str.format in new code.",
    "Write type hints on the parameters and return value of public functions.",
    "Delete commented-out code instead of leaving it in the file.",
    "Put module-level constants in UPPER_CASE near the top of the module.",
    "Use pathlib.Path for filesystem paths rather than joining strings by hand.",
    "Log through the logging module rather than print in library code.",
    "Prefer early returns to deeply nested if/else blocks.",
    "Use enumerate() when a loop needs both the index and the item.",
    "Name boolean variables and functions as predicates, such as is_ready or has_items.",
    "Keep lines within about 100 characters so diffs stay readable.",
    "Open files and acquire locks with a with-statement so they are always released.",
    "Prefer a list comprehension to map() or filter() with a lambda when it reads more clearly.",
    "Keep helper functions close to the function that calls them.",
    "Use dataclasses for plain records instead of hand-written __init__ methods.",
    "Avoid wildcard imports; import the names a module uses explicitly.",
    "Keep module import free of side effects other than definitions.",
    "Use snake_case for functions and variables and CapWords for classes.",
    "Write comments that explain why the code does something, not what it does.",
    "Spell out abbreviations in public names unless they are widely known.",
    "Prefer tuples for fixed-size records and lists for sequences of like items.",
    "Write one statement per line; avoid semicolon-joined statements.",
    "Group related constants in an Enum when they form a closed set of choices.",
    "Keep a blank line between logical steps of a longer function.",
    "Put the most important public function first in a module, helpers after it.",
)

_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


@functools.lru_cache(maxsize=256)
def rule_blocks(markdown: str) -> tuple[str, ...]:
    """The markdown split into rule-sized blocks: one per bullet or paragraph, headings on their own."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in markdown.splitlines():
        starts = _BULLET.match(line) is not None or line.lstrip().startswith("#")
        if not line.strip() or starts:
            if current:
                blocks.append(current)
            current = [line] if line.strip() else []
            if line.lstrip().startswith("#"):
                blocks.append(current)
                current = []
        else:
            current.append(line)
    if current:
        blocks.append(current)
    return tuple("\n".join(b) for b in blocks if any(part.strip() for part in b))


def count_rules(markdown: str) -> int:
    return sum(1 for block in rule_blocks(markdown) if _BULLET.match(block))


def placebo(learned_markdown: str, *, seed: int) -> str:
    """Irrelevant rules of about the same length (characters) and at least as many bullets as `learned_markdown`."""
    target = len(learned_markdown)
    if target == 0:
        return ""
    pool = list(PLACEBO_RULES)
    random.Random(seed).shuffle(pool)
    wanted_rules = max(1, count_rules(learned_markdown))
    chosen: list[str] = []
    text = "## Protocol\n"
    while pool and (len(text) < target or len(chosen) < wanted_rules):
        chosen.append(pool.pop())
        text = "## Protocol\n\n" + "\n".join(f"- {rule}" for rule in chosen) + "\n"
        if not pool and len(text) < target:  # longer than the whole bank: deal it again in a new order
            pool = list(PLACEBO_RULES)
            random.Random(seed + len(chosen)).shuffle(pool)
    return text


_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_FENCE = re.compile(r"```[a-zA-Z]*\n(.*?)```", re.DOTALL)
_SWAPS = (
    ("True", "False"),
    ("None", "[]"),
    ("==", "!="),
    ("<=", "<"),
    (">=", ">"),
    ("//", "/"),
    ("+ 1", "- 1"),
    (" in ", " not in "),
    (";", "#"),
    ("\\", "/"),
    ("int", "float"),
)
_PROSE_SWAPS = (
    ("never", "always"),
    ("Never", "Always"),
    ("must not", "must"),
    ("do not", "do"),
    ("Do not", "Do"),
)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CALLED = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z_][A-Za-z0-9_]*(?=\s*\()")
_NUMBER = re.compile(r"(?<![\w.])(\d+)(\.\d+)?(?![\w.])")


def _swap_all(text: str, pairs: tuple[tuple[str, str], ...], *, whole_words: bool) -> str:
    """Swap each pair in both directions at once (placeholders keep a swap from being undone)."""
    marks: dict[str, str] = {}
    for i, (a, b) in enumerate(pairs):
        for j, (src, dst) in enumerate(((a, b), (b, a))):
            mark = f"\x00{i}.{j}\x00"
            pattern = (
                rf"(?<![A-Za-z0-9_]){re.escape(src)}(?![A-Za-z0-9_])"
                if whole_words and src[0].isalnum()
                else re.escape(src)
            )
            new = re.sub(pattern, mark, text)
            if new != text:
                marks[mark] = dst
                text = new
    for mark, dst in marks.items():
        text = text.replace(mark, dst)
    return text


def corrupt_code(code: str) -> str:
    """Break a code fragment: flip literals and operators; failing that, bump numbers or rename a name."""
    swapped = _swap_all(code, _SWAPS, whole_words=True)
    if swapped != code:
        return swapped
    bumped = _NUMBER.sub(lambda m: str(int(m.group(1)) + 1) + (m.group(2) or ""), code)
    if bumped != code:
        return bumped
    if _CALLED.search(code):  # every called name: `housekit.api.ok(data)` -> `housekit.api.legacy_ok(data)`
        return _CALLED.sub(lambda m: "legacy_" + m.group(0), code)
    names = list(_IDENT.finditer(code))
    if not names:
        return code + " (deprecated)"
    return code[: names[-1].start()] + "legacy_" + code[names[-1].start() :]


def corrupt(markdown: str) -> str:
    """The protocol with every rule's advice broken but its wording and triggers kept."""
    if not markdown:
        return ""
    text = _FENCE.sub(
        lambda m: m.group(0).replace(m.group(1), "\n".join(corrupt_code(x) for x in m.group(1).split("\n"))),
        markdown,
    )
    text = _CODE_SPAN.sub(lambda m: f"`{corrupt_code(m.group(1))}`", text)
    outside = _CODE_SPAN.split(text)
    # split() alternates prose and code-span contents; only the prose gets its polarity words swapped
    rebuilt = [
        (_swap_all(part, _PROSE_SWAPS, whole_words=True) if i % 2 == 0 else f"`{part}`")
        for i, part in enumerate(outside)
    ]
    return "".join(rebuilt)
