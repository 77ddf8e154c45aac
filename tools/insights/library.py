"""Built-in insights for well-known error signatures: a rule a model can follow, where it applies,
and a minimal wrong -> right example.

An entry matches a pattern by its error category, the rule codes and exception types of its
examples, and regular expressions over its title, signature and messages. The first match wins,
so specific entries come before general ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from store import PatternRecord
from tools.log_error.categorize import rule_code_from_message


@dataclass(frozen=True, slots=True)
class BuiltinInsight:
    key: str
    title: str
    scope: str
    """Taxonomy category the rule belongs to."""
    rule: str
    example_wrong: str
    example_right: str
    categories: tuple[str, ...] = ()
    """Error categories (or prefixes) that match."""
    rule_codes: tuple[str, ...] = ()
    error_types: tuple[str, ...] = ()
    text: str | None = None
    """Regex searched in the pattern's title, signature, messages and feature values."""
    requires_text: bool = False
    """Match only when `text` matches, in addition to a category, code or type match."""


LIBRARY: tuple[BuiltinInsight, ...] = (
    BuiltinInsight(
        key="mutable-default",
        title="Mutable default argument",
        scope="python.design.interface",
        rule=(
            "Never use a mutable value ([], {}, set(), a list built by a call) as a default argument: it is "
            "created once and shared by every call. Default to None and create the object inside the function."
        ),
        example_wrong="def add_item(item, items=[]):\n    items.append(item)\n    return items",
        example_right=(
            "def add_item(item, items=None):\n    if items is None:\n        items = []\n"
            "    items.append(item)\n    return items"
        ),
        categories=("static.mutable-default", "static.call-in-default"),
        rule_codes=("B006", "B008", "W0102"),
    ),
    BuiltinInsight(
        key="unbound-local",
        title="Variable used before assignment",
        scope="python.core.implement",
        rule=(
            "Give a variable a value on every path before reading it: initialise it before the loop or the "
            "if/else, and do not assign to a name inside a function that you also read from the enclosing scope."
        ),
        example_wrong="def largest(xs):\n    for x in xs:\n        if x > 0:\n            best = x\n    return best",
        example_right=(
            "def largest(xs):\n    best = None\n    for x in xs:\n        if best is None or x > best:\n"
            "            best = x\n    return best"
        ),
        categories=("runtime.name.unbound", "static.undefined-local"),
        rule_codes=("F823", "E0601", "PLE0601"),
        error_types=("UnboundLocalError",),
    ),
    BuiltinInsight(
        key="undefined-name",
        title="Missing import or undefined name",
        scope="python.deps.imports",
        rule=(
            "Import every module and name the code uses at the top of the module (math, re, itertools, "
            "collections...) and define every helper before returning the code; run it once to catch NameError."
        ),
        example_wrong="def hypotenuse(a, b):\n    return math.sqrt(a * a + b * b)",
        example_right="import math\n\n\ndef hypotenuse(a, b):\n    return math.sqrt(a * a + b * b)",
        categories=("static.undefined-name", "runtime.name", "runtime.import"),
        rule_codes=("F821", "F822", "E0602"),
        error_types=("NameError", "ModuleNotFoundError", "ImportError"),
    ),
    BuiltinInsight(
        key="none-attribute",
        title="Attribute or item of None",
        scope="python.edge_cases.none",
        rule=(
            "Before using the result of anything that can return None (dict.get, re.match/search, a function "
            "with a path that falls off the end, list.sort()), test `if value is None` and handle that case."
        ),
        example_wrong='m = re.match(r"(\\d+)", text)\nreturn int(m.group(1))',
        example_right='m = re.match(r"(\\d+)", text)\nif m is None:\n    return 0\nreturn int(m.group(1))',
        categories=("runtime.attribute.none", "runtime.type.none", "static.optional-access"),
        text=r"'NoneType' object",
    ),
    BuiltinInsight(
        key="none-comparison",
        title="Comparison to None with ==",
        scope="python.edge_cases.none",
        rule="Compare with None using `is None` / `is not None`, never `== None` or `!= None`.",
        example_wrong="if node == None:\n    return 0",
        example_right="if node is None:\n    return 0",
        categories=("static.none-comparison",),
        rule_codes=("E711", "C0121"),
    ),
    BuiltinInsight(
        key="bare-except",
        title="Bare or blind except",
        scope="python.errors.handle",
        rule=(
            "Catch only the exceptions you expect and can handle (`except ValueError:`); never a bare `except:` "
            "or `except Exception: pass`, which also swallows bugs and KeyboardInterrupt."
        ),
        example_wrong="try:\n    value = int(text)\nexcept:\n    value = 0",
        example_right="try:\n    value = int(text)\nexcept ValueError:\n    value = 0",
        categories=("static.bare-except", "static.broad-except"),
        rule_codes=("E722", "W0702", "BLE001", "W0718"),
    ),
    BuiltinInsight(
        key="zero-division",
        title="Division by zero",
        scope="python.edge_cases.numeric",
        rule=(
            "Guard every division and modulo whose divisor can be zero (an empty input, a count or a range "
            "of zero) and return the value the specification gives for that case."
        ),
        example_wrong="def mean(xs):\n    return sum(xs) / len(xs)",
        example_right="def mean(xs):\n    if not xs:\n        return 0.0\n    return sum(xs) / len(xs)",
        categories=("runtime.zero-division",),
        error_types=("ZeroDivisionError",),
    ),
    BuiltinInsight(
        key="key-error",
        title="KeyError on dict access",
        scope="python.core.collections",
        rule=(
            "Read keys that may be absent with `d.get(key, default)`, `if key in d`, or collections.defaultdict/"
            "Counter; use `d[key]` only where the key is guaranteed to exist."
        ),
        example_wrong="counts = {}\nfor word in words:\n    counts[word] += 1",
        example_right="counts = {}\nfor word in words:\n    counts[word] = counts.get(word, 0) + 1",
        categories=("runtime.key",),
        error_types=("KeyError",),
    ),
    BuiltinInsight(
        key="off-by-one",
        title="Off-by-one index or slice",
        scope="python.edge_cases.boundaries",
        rule=(
            "Check both ends of every index, range and slice: the last valid index is len(x) - 1, range(a, b) "
            "and x[a:b] exclude b. Trace the loop by hand for inputs of length 0, 1 and 2 before running it."
        ),
        example_wrong="for i in range(len(xs)):\n    if xs[i] > xs[i + 1]:\n        return False",
        example_right="for i in range(len(xs) - 1):\n    if xs[i] > xs[i + 1]:\n        return False",
        categories=("runtime.index", "logic.assertion"),
        error_types=("IndexError",),
        text=r"index out of range|off[_ -]by[_ -]one|out of range",
        requires_text=True,
    ),
    BuiltinInsight(
        key="value-parse",
        title="Parsing text into numbers",
        scope="python.io.parse",
        rule=(
            "Split text on the exact separator the spec names, strip whitespace, skip or reject empty fields, "
            "and only then convert with int()/float(); handle signs and decimals the input may contain."
        ),
        example_wrong="numbers = [int(x) for x in text.split(',')]",
        example_right="numbers = [int(x) for x in (part.strip() for part in text.split(',')) if x]",
        categories=("runtime.value",),
        error_types=("ValueError",),
        text=r"invalid literal for int|could not convert string to float|invalid literal",
        requires_text=True,
    ),
    BuiltinInsight(
        key="missing-return",
        title="Function returns None on some path",
        scope="python.core.implement",
        rule=(
            "Make every path of a function end in an explicit return of the documented type; a path that falls "
            "off the end returns None and fails later, far from the bug."
        ),
        example_wrong="def sign(x):\n    if x > 0:\n        return 1\n    elif x < 0:\n        return -1",
        example_right="def sign(x):\n    if x > 0:\n        return 1\n    if x < 0:\n        return -1\n    return 0",
        categories=("static.implicit-return",),
        rule_codes=("RET503", "R1710"),
    ),
    BuiltinInsight(
        key="string-concat-loop",
        title="Quadratic string building or nested scans",
        scope="python.perf.optimize",
        rule=(
            "Build a string from many pieces by appending to a list and calling ''.join(parts) once, and replace "
            "nested scans of the same list (x in list inside a loop) with a set or dict lookup."
        ),
        example_wrong="out = ''\nfor word in words:\n    out += word + ' '\nreturn out.strip()",
        example_right="return ' '.join(words)",
        categories=("performance.quadratic",),
        text=r"quadratic|concat|\+=|O\(n\^?2\)|O\(n\*\*2\)",
    ),
    BuiltinInsight(
        key="recursion-depth",
        title="Recursion without a reachable base case",
        scope="python.design.algorithm",
        rule=(
            "Give every recursive function a base case that all inputs reach (including 0, 1, negative and "
            "empty), or rewrite deep recursion as a loop; Python's default limit is about 1000 frames."
        ),
        example_wrong="def fact(n):\n    return n * fact(n - 1)",
        example_right="def fact(n):\n    result = 1\n    for k in range(2, n + 1):\n        result *= k\n    return result",
        categories=("runtime.recursion",),
        error_types=("RecursionError",),
    ),
    BuiltinInsight(
        key="timeout",
        title="Timeout: non-terminating or too slow",
        scope="python.perf.optimize",
        rule=(
            "Before running, check that every while loop makes progress toward its exit and that the algorithm's "
            "complexity fits the input size (about 10^7 simple steps per second); avoid recomputing inside loops."
        ),
        example_wrong="i = 0\nwhile i < len(xs):\n    if xs[i] == target:\n        return i",
        example_right="for i, x in enumerate(xs):\n    if x == target:\n        return i\nreturn -1",
        categories=("performance.timeout", "performance.slow"),
        error_types=("TimeoutError", "TimeoutExpired"),
    ),
    BuiltinInsight(
        key="type-mix",
        title="Mixing incompatible types",
        scope="python.core.implement",
        rule=(
            "Convert explicitly (str(n), int(s)) before combining values, and keep each variable one type: "
            "a function documented to return an int must not return a str or a list on some path."
        ),
        example_wrong="return 'Total: ' + total",
        example_right="return 'Total: ' + str(total)",
        categories=("runtime.type",),
        error_types=("TypeError",),
        text=r"can only concatenate|unsupported operand type|must be str, not|not supported between instances",
        requires_text=True,
    ),
)


def _haystack(pattern: PatternRecord) -> str:
    parts = [pattern.title, pattern.signature, pattern.category]
    for example in pattern.examples:
        parts.append(example.message)
        parts.extend(str(v) for v in example.details.values() if isinstance(v, str | int | float))
    return "\n".join(parts)


def _matches(
    entry: BuiltinInsight, pattern: PatternRecord, codes: set[str], types: set[str], hay: str
) -> bool:
    categories = [pattern.category, *(e.category for e in pattern.examples)]
    by_category = any(c == p or c.startswith(p + ".") for c in categories for p in entry.categories)
    by_code = bool(codes.intersection(entry.rule_codes))
    by_type = bool(types.intersection(entry.error_types))
    by_text = entry.text is not None and re.search(entry.text, hay, re.IGNORECASE) is not None
    if entry.requires_text:
        return by_text and (by_category or by_code or by_type)
    return by_category or by_code or by_type or (by_text and not entry.categories and not entry.error_types)


def match_builtin(
    pattern: PatternRecord, library: Iterable[BuiltinInsight] = LIBRARY
) -> BuiltinInsight | None:
    """The built-in insight for the pattern's signature, or None when the library has none."""
    hay = _haystack(pattern)
    texts = [pattern.title, pattern.signature, *(e.message for e in pattern.examples)]
    codes = {code for code in map(rule_code_from_message, texts) if code}
    for example in pattern.examples:
        code = example.details.get("rule_code")
        if isinstance(code, str):
            codes.add(code)
    types = {(e.error_type or "").rsplit(".", 1)[-1] for e in pattern.examples} - {""}
    for entry in library:
        if _matches(entry, pattern, codes, types, hay):
            return entry
    return None
