"""Take instance data out of messages and source lines so the same mistake reads the same every time.

A message becomes a template (``list index out of range``, ``name <str> is not defined``); a source
line keeps its names and operators but loses its literals (``return s[len(s) // <num>]``); an
assert keeps only its shape (``assert <call>(<list>) == <num>``).
"""

from __future__ import annotations

import ast
import builtins
import functools
import io
import re
import tokenize

from .pyparse import parse

# Quoted words that name a type carry the kind of the mistake ("'NoneType' object is not
# subscriptable", "can only concatenate str (not "int") to str"), so templates keep them.
_TYPE_NAMES = frozenset(
    {
        "NoneType", "int", "float", "complex", "str", "bytes", "bytearray", "bool", "list", "dict",
        "tuple", "set", "frozenset", "object", "type", "function", "builtin_function_or_method",
        "method", "module", "generator", "range", "slice", "memoryview", "map", "filter", "zip",
        "enumerate", "coroutine", "dict_keys", "dict_values", "dict_items", "list_iterator",
        "Decimal", "Fraction", "datetime", "date", "timedelta", "ndarray", "DataFrame", "Series",
    }
)  # fmt: skip
_BUILTIN_NAMES = frozenset(dir(builtins))

_REDACTED = re.compile(r"\[REDACTED:\w+\]")
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>)\]]+")
_EMAIL = re.compile(r"\b[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]+\b")
_HASH = re.compile(r"\b(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{16,}\b")
_PATH = re.compile(
    r"(?:(?<![\w.])(?:[A-Za-z]:)?(?:[\\/][\w.~@+-]+){2,}[\\/]?"  # /abs/path, C:\dir\file
    r"|(?<![\w/])(?:\.{1,2}|~)(?:[\\/][\w.~@+-]+)+"  # ./rel, ../rel, ~/home
    r"|(?<![\w./-])[\w.-]+(?:[\\/][\w.-]+)+\.[A-Za-z]\w{0,5}\b)"  # data/input.csv
)
_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
_BACKTICKED = re.compile(r"`[^`\n]*`")
_IDENTIFIER_ID = re.compile(r"(?<![\w-])(?:(?:e|p|t|a|x|i|r|ex)-|#)\d+\b")  # e-12, t-3, #42
# A number may carry a short unit ("2.5s", "10ms"); digits inside names ("x1", "F821") stay.
_NUMBER = re.compile(r"(?<![\w.])(?<!\w-)-?\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?j?(?=[A-Za-z]{0,3}(?!\w))")
_SPACES = re.compile(r"[ \t]+")


def message_template(message: str, *, error_type: str | None = None, limit: int = 500) -> str:
    """The message with numbers, quoted strings, paths, ids, addresses and the like as placeholders."""
    text = message.strip()[: limit * 4]
    text = _REDACTED.sub("<secret>", text)
    text = _URL.sub("<url>", text)
    text = _EMAIL.sub("<email>", text)
    text = _UUID.sub("<uuid>", text)
    text = _ADDRESS.sub("<addr>", text)
    text = _HASH.sub("<hash>", text)
    keep_types = (error_type or "").rsplit(".", 1)[-1] != "KeyError"
    text = _QUOTED.sub(lambda m: _quoted_placeholder(m, text, keep_types), text)
    text = _BACKTICKED.sub("<name>", text)
    text = _PATH.sub("<path>", text)
    text = _IDENTIFIER_ID.sub("<id>", text)
    text = _NUMBER.sub("<num>", text)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines() if line.strip())
    return text[:limit]


def _quoted_placeholder(match: re.Match[str], text: str, keep_types: bool) -> str:
    inner = match.group(0)[1:-1]
    if keep_types and (inner in _TYPE_NAMES or text.startswith(" object", match.end())):
        return match.group(0)
    return "<str>"


# ---------------------------------------------------------------------------------------------
# Source lines.


class _Literals(ast.NodeTransformer):
    """Replace literals with placeholder names; `shape=True` also hides names and called functions."""

    def __init__(self, *, shape: bool) -> None:
        self.shape = shape

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        value = node.value
        if value is None or value is Ellipsis or isinstance(value, bool):
            return node
        if isinstance(value, str):
            return ast.Name("__str__")
        if isinstance(value, bytes):
            return ast.Name("__bytes__")
        return ast.Name("__num__")

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        return ast.Name("__str__")

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        operand = node.operand
        if (
            isinstance(node.op, ast.USub | ast.UAdd)
            and isinstance(operand, ast.Constant)
            and _is_number(operand.value)
        ):
            return ast.Name("__num__")
        return self.generic_visit(node)

    def visit_List(self, node: ast.List) -> ast.AST:
        return self._display(node, "__list__")

    def visit_Tuple(self, node: ast.Tuple) -> ast.AST:
        # Tuples on the left of an assignment are targets, not values: keep them.
        if isinstance(node.ctx, ast.Store):
            return self.generic_visit(node)
        return self._display(node, "__tuple__")

    def visit_Set(self, node: ast.Set) -> ast.AST:
        return self._display(node, "__set__")

    def visit_Dict(self, node: ast.Dict) -> ast.AST:
        return self._display(node, "__dict__")

    def _display(self, node: ast.AST, placeholder: str) -> ast.AST:
        # Empty displays are a shape of their own (`items=[]` is the B006 mistake); filled ones
        # are data as long as they hold only literals or, for an assert shape, anything.
        elements = getattr(node, "elts", None) or getattr(node, "values", None) or []
        if not elements:
            return node
        if self.shape or all(_is_literal(element) for element in elements):
            return ast.Name(placeholder)
        return self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        builtin_call = isinstance(node.func, ast.Name) and node.func.id in _BUILTIN_NAMES
        if self.shape and not builtin_call:
            node.func = ast.Name("__call__")
        elif not builtin_call:
            node.func = self.visit(node.func)
        node.args = [self.visit(arg) for arg in node.args]
        node.keywords = [self.visit(keyword) for keyword in node.keywords]
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if self.shape and node.id not in _BUILTIN_NAMES and not node.id.startswith("__"):
            return ast.Name("__name__")
        return node


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | complex) and not isinstance(value, bool)


def _is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        return True
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return all(_is_literal(element) for element in node.elts)
    if isinstance(node, ast.Dict):
        return all(
            k is not None and _is_literal(k) and _is_literal(v)
            for k, v in zip(node.keys, node.values, strict=True)
        )
    return False


_PLACEHOLDERS = re.compile(r"__(str|bytes|num|list|tuple|set|dict|call|name)__")
_BLOCK_OPENERS = re.compile(
    r"^(?:async\s+)?(?:def|class|if|for|while|with|try)\b|^(?:elif|else|except|finally)\b"
)


def _unparse_one(line: str, *, shape: bool) -> str | None:
    source = line.strip()
    if not source:
        return None
    prefix = ""
    # Clause keywords cannot stand alone; give them the statement they belong to, then drop it.
    if re.match(r"^(?:elif)\b", source):
        source, prefix = "if" + source[4:], "el"
    elif re.match(r"^(?:else|try|finally)\s*:", source):
        return source.split(":", 1)[0] + ":"
    elif re.match(r"^except\b", source):
        source, prefix = "try:\n pass\n" + source, ""
    body = " pass" if source.endswith(":") else ""
    try:
        tree = parse(source + body)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    tree = _Literals(shape=shape).visit(tree)
    try:
        text = ast.unparse(tree)
    except (ValueError, RecursionError, AttributeError):
        return None
    lines = [part for part in text.split("\n") if part.strip() and part.strip() != "pass"]
    if source.startswith("try:\n"):
        lines = [part for part in lines if part.strip().startswith("except")]
    if not lines:
        return None
    head = lines[0].strip() if _BLOCK_OPENERS.match(lines[0].strip()) else " ".join(p.strip() for p in lines)
    return prefix + _PLACEHOLDERS.sub(r"<\1>", head)


def _tokenize_fallback(line: str) -> str:
    """Literal replacement by tokens, for lines that do not parse alone (a call split over lines)."""
    parts: list[str] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(line.strip()).readline):
            if token.type == tokenize.STRING:
                parts.append("<str>")
            elif token.type == tokenize.NUMBER:
                parts.append("<num>")
            elif token.type in (tokenize.NAME, tokenize.OP):
                parts.append(token.string)
            elif token.type == tokenize.COMMENT:
                break
            elif token.type == tokenize.ERRORTOKEN and token.string.strip():
                parts.append(token.string.strip())
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    text = " ".join(parts)
    # Undo the spaces joining put around brackets, dots and commas, so the result reads like code.
    text = re.sub(r"\s*([.(\[{])\s*", r"\1", text)
    text = re.sub(r"\s+([)\]},:])", r"\1", text)
    text = re.sub(r"([(\[{@])\s+", r"\1", text)
    return text.replace(",", ", ").replace(",  ", ", ").strip()


# A report names the same line several times (fingerprint, features, title) and recurring mistakes
# repeat lines across reports, while each parse and unparse costs about 0.1 ms.
@functools.lru_cache(maxsize=2048)
def normalize_source(line: str) -> str:
    """A source line with literals replaced and spacing made canonical; names and operators stay."""
    line = line.strip()[:2000]
    return _unparse_one(line, shape=False) or _tokenize_fallback(line)


def assert_shape(source: str) -> str | None:
    """``assert <call>(<list>) == <num>`` for ``assert median([1, 2]) == 1.5``; None if not an assert."""
    source = source.strip()[:2000]
    if not source.startswith("assert"):
        source = "assert " + source
    try:
        tree = parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assert):
        return None
    statement = tree.body[0]
    statement.msg = None  # the assert's message is for people, not part of its shape
    return _unparse_one(ast.unparse(statement), shape=True)


def source_words(text: str) -> list[str]:
    """Words of a normalised line or a function name, for text similarity (``parse_config`` -> parse config)."""
    words: list[str] = []
    for token in re.findall(r"<\w+>|[A-Za-z][A-Za-z0-9]*|//|\*\*|[-+*/%<>=!]=?|\[|\]", text):
        if token.startswith("<") and token.endswith(">") and len(token) > 2:
            words.append(token)
            continue
        for part in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+|[^\w]+", token):
            words.append(part.lower())
    return words
