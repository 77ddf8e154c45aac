"""The error category: a dotted path from the broad kind to the specific one.

``syntax``, ``static.<rule family>``, ``runtime.<kind>[.<detail>]``, ``logic.assertion``,
``performance.timeout|memory|quadratic|slow``, ``crash``, ``other``. A client filters patterns by any
prefix (``runtime`` matches ``runtime.attribute.none``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Linter rule codes (ruff, pylint, mypy) by the mistake they describe. Codes from different tools
# that find the same mistake share a family.
RULE_FAMILIES: dict[str, str] = {
    "F821": "undefined-name", "E0602": "undefined-name", "name-defined": "undefined-name",
    "F822": "undefined-name", "F823": "undefined-local", "E0601": "undefined-local",
    "PLE0601": "undefined-local", "possibly-undefined": "undefined-local",
    "F401": "unused-import", "W0611": "unused-import",
    "F841": "unused-variable", "W0612": "unused-variable",
    "B006": "mutable-default", "W0102": "mutable-default",
    "E722": "bare-except", "W0702": "bare-except", "BLE001": "broad-except", "W0718": "broad-except",
    "E711": "none-comparison", "C0121": "none-comparison", "E712": "bool-comparison",
    "F811": "redefined", "E0102": "redefined", "F541": "fstring-placeholder", "W1309": "fstring-placeholder",
    "F632": "is-literal", "F631": "assert-tuple", "W0199": "assert-tuple", "F601": "duplicate-key",
    "W0109": "duplicate-key", "B023": "loop-closure", "W0640": "loop-closure",
    "F524": "format-args", "F507": "format-args", "E1305": "format-args", "E1306": "format-args",
    "F706": "return-outside-function", "E0104": "return-outside-function",
    "PLE0211": "method-without-self", "E0211": "method-without-self", "E0213": "method-without-self",
    "SIM115": "open-without-context", "R1732": "open-without-context",
    "A001": "shadowed-builtin", "A002": "shadowed-builtin", "W0622": "shadowed-builtin",
    "RET503": "implicit-return", "R1710": "implicit-return",
    "B909": "loop-mutation", "W4701": "loop-mutation",
    "E1120": "wrong-arity", "E1121": "wrong-arity", "call-arg": "wrong-arity",
    "E1101": "no-member", "attr-defined": "no-member", "union-attr": "optional-access",
    "W0101": "unreachable", "unreachable": "unreachable",
    "operator": "type-error", "arg-type": "type-error", "return-value": "wrong-return-type",
    "ARG001": "unused-argument", "ARG002": "unused-argument", "W0613": "unused-argument",
    "E741": "ambiguous-name", "B008": "call-in-default", "B904": "raise-without-from",
    "PLW0603": "global-statement", "W0603": "global-statement", "B007": "unused-loop-variable",
    "B905": "zip-without-strict", "PLW2901": "loop-variable-overwritten", "W2901": "loop-variable-overwritten",
}  # fmt: skip

RULE_TITLES: dict[str, str] = {
    "undefined-name": "undefined name",
    "undefined-local": "variable used before assignment",
    "unused-import": "unused import",
    "unused-variable": "unused variable",
    "mutable-default": "mutable default argument",
    "bare-except": "bare except",
    "broad-except": "blind except",
    "none-comparison": "comparison to None with ==",
    "bool-comparison": "comparison to True/False with ==",
    "redefined": "redefinition",
    "fstring-placeholder": "f-string without placeholders",
    "is-literal": "'is' with a literal",
    "assert-tuple": "assert on a tuple",
    "duplicate-key": "duplicate dict key",
    "loop-closure": "closure over a loop variable",
    "format-args": "format arguments do not match",
    "return-outside-function": "return outside a function",
    "method-without-self": "method without self",
    "open-without-context": "open() without a with block",
    "shadowed-builtin": "shadowed builtin",
    "implicit-return": "missing explicit return",
    "loop-mutation": "collection mutated while iterating",
    "wrong-arity": "wrong number of arguments",
    "no-member": "unknown attribute",
    "optional-access": "attribute of a value that may be None",
    "unreachable": "unreachable code",
    "type-error": "type error",
    "wrong-return-type": "wrong return type",
    "unused-argument": "unused argument",
    "ambiguous-name": "ambiguous variable name",
    "call-in-default": "function call in default argument",
    "raise-without-from": "raise without from inside except",
    "global-statement": "global statement",
    "unused-loop-variable": "unused loop variable",
    "zip-without-strict": "zip() without strict",
    "loop-variable-overwritten": "loop variable overwritten",
}

_RUNTIME_KINDS: dict[str, str] = {
    "IndexError": "runtime.index",
    "KeyError": "runtime.key",
    "AttributeError": "runtime.attribute",
    "TypeError": "runtime.type",
    "ValueError": "runtime.value",
    "JSONDecodeError": "runtime.value",
    "NameError": "runtime.name",
    "UnboundLocalError": "runtime.name.unbound",
    "ImportError": "runtime.import",
    "ModuleNotFoundError": "runtime.import",
    "ZeroDivisionError": "runtime.zero-division",
    "RecursionError": "runtime.recursion",
    "OverflowError": "runtime.overflow",
    "FloatingPointError": "runtime.arithmetic",
    "ArithmeticError": "runtime.arithmetic",
    "StopIteration": "runtime.stop-iteration",
    "StopAsyncIteration": "runtime.stop-iteration",
    "NotImplementedError": "runtime.not-implemented",
    "UnicodeDecodeError": "runtime.unicode",
    "UnicodeEncodeError": "runtime.unicode",
    "UnicodeError": "runtime.unicode",
    "LookupError": "runtime.lookup",
    "RuntimeError": "runtime.runtime",
    "SystemExit": "runtime.exit",
}
_IO_ERRORS = frozenset(
    {
        "OSError", "IOError", "EnvironmentError", "FileNotFoundError", "FileExistsError", "PermissionError",
        "IsADirectoryError", "NotADirectoryError", "BlockingIOError", "BrokenPipeError", "ConnectionError",
        "ConnectionRefusedError", "ConnectionResetError", "ConnectionAbortedError", "InterruptedError",
        "ChildProcessError", "ProcessLookupError", "EOFError", "UnsupportedOperation",
    }
)  # fmt: skip
_SYNTAX_ERRORS = frozenset({"SyntaxError", "IndentationError", "TabError"})
_TIMEOUT = re.compile(r"(?i)time(?:d)?[ _-]?out|time limit|deadline exceeded|took too long|TestTimeout")
_QUADRATIC = re.compile(r"(?i)quadratic|O\(\s*n\s*(?:\^|\*\*)\s*2\s*\)|O\(n²\)|exponent|scal(?:es|ing)")
_CRASH = re.compile(
    r"(?i)\bSIG(?:SEGV|ABRT|BUS|ILL|FPE|KILL|TERM|XCPU)\b|segmentation fault|core dumped|killed by signal"
)
_NONE_TYPE = re.compile(r"NoneType|\bNone\b")
_ARITY = re.compile(
    r"positional argument|required (?:keyword-only |positional )?argument|unexpected keyword argument|takes no arguments"
)
_RULE_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,4}\d{3,4})(?![A-Za-z0-9])")
_MYPY_CODE = re.compile(r"\[([a-z][a-z-]+)\]\s*$")


def rule_code_from_message(message: str) -> str | None:
    """``F821`` from ``solution.py:3:5: F821 Undefined name `x` ``, ``call-arg`` from mypy's ``[call-arg]``."""
    first = message.strip().split("\n", 1)[0]
    match = _MYPY_CODE.search(first)
    if match:
        return match.group(1)
    match = _RULE_CODE.search(first)
    return match.group(1) if match else None


def rule_family(rule_code: str) -> str:
    return RULE_FAMILIES.get(rule_code) or RULE_FAMILIES.get(rule_code.upper(), "other")


def categorize(
    *,
    error_type: str | None,
    message: str,
    source: str,
    rule_code: str | None = None,
    stage: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> str:
    """The category for an error; see the module docstring for the tree."""
    bare_type = (error_type or "").rsplit(".", 1)[-1]
    details = details or {}
    if rule_code:
        return f"static.{rule_family(rule_code)}"
    if bare_type in _SYNTAX_ERRORS:
        return "syntax.indentation" if bare_type != "SyntaxError" else "syntax"
    if source == "syntax" or stage == "syntax":
        return "syntax"
    if bare_type == "MemoryError":
        return "performance.memory"
    if bare_type in ("TimeoutError", "TimeoutExpired", "TestTimeout") or _TIMEOUT.search(bare_type):
        return "performance.timeout"
    performance = source == "performance" or stage in ("performance", "perf")
    if performance and _is_quadratic(message, details):
        return "performance.quadratic"
    if details.get("signal") or (bare_type in ("", "Crash") and _CRASH.search(message)):
        return "crash"
    if (performance or source in ("test", "runtime", "ci")) and not bare_type and _TIMEOUT.search(message):
        return "performance.timeout"
    if performance:
        return "performance.slow"
    if bare_type == "AssertionError":
        return "logic.assertion"
    return _runtime_category(bare_type, message, source)


def _is_quadratic(message: str, details: Mapping[str, Any]) -> bool:
    exponent = details.get("exponent")
    if isinstance(exponent, int | float) and not isinstance(exponent, bool):
        return exponent >= 1.5
    return bool(_QUADRATIC.search(message))


def _runtime_category(bare_type: str, message: str, source: str) -> str:
    if bare_type in _IO_ERRORS:
        return "runtime.io"
    category = _RUNTIME_KINDS.get(bare_type)
    if category == "runtime.attribute" and message.lstrip().startswith("'NoneType' object"):
        return "runtime.attribute.none"
    if category == "runtime.type":
        if _NONE_TYPE.search(message):
            return "runtime.type.none"
        if _ARITY.search(message):
            return "runtime.type.arity"
    if category:
        return category
    if bare_type and (bare_type.endswith(("Error", "Exception")) or source in ("runtime", "test")):
        return "runtime.other"
    return "other"
