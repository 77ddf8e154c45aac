"""Remove secrets from everything an error stores: messages, tracebacks, code and details.

Each secret becomes ``[REDACTED:kind]``. Scrubbing is idempotent (a redaction marker is never
redacted again or counted twice) and keeps Python code parseable where it can: in code, only quoted
values are replaced, so ``password = "hunter2"`` becomes ``password = "[REDACTED:password]"``
while ``password = read_password()`` is left alone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

MARK_PREFIX = "[REDACTED:"
_MAX_PASSES = 4


def _mark(kind: str) -> str:
    return f"{MARK_PREFIX}{kind}]"


# Secrets recognisable by their own shape, whatever surrounds them. Order matters: the more
# specific shapes run first so that, say, an Anthropic key is not reported as an OpenAI one.
_TOKEN_SHAPES: list[tuple[str, re.Pattern[str]]] = [
    (
        "private_key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|.*\Z)",
            re.DOTALL,
        ),
    ),
    ("api_key", re.compile(r"(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{16,}")),
    ("api_key", re.compile(r"(?<![A-Za-z0-9_-])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}")),
    ("api_key", re.compile(r"(?<![A-Za-z0-9_])[rs]k_(?:live|test)_[A-Za-z0-9]{16,}")),
    ("aws_key", re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![A-Za-z0-9])")),
    (
        "github_token",
        re.compile(r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})"),
    ),
    ("slack_token", re.compile(r"(?<![A-Za-z0-9_])xox[abposr]-[A-Za-z0-9-]{10,}")),
    ("google_api_key", re.compile(r"(?<![A-Za-z0-9_])AIza[0-9A-Za-z_-]{35}")),
    ("jwt", re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
]

_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@'\"<>]+):([^\s@/'\"<>]+)@")
_AUTH_HEADER = re.compile(r"(?i)\b(bearer|basic)(\s+)([A-Za-z0-9._~+/=-]{8,})")

# Names under which a secret is usually assigned: DB_PASSWORD, api_key, client_secret, GITHUB_TOKEN.
_SECRET_NAME = (
    r"(?:[A-Za-z0-9]+[_.-])*"
    r"(?:pass(?:word|wd|phrase)|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key"
    r"|private[_-]?key|client[_-]?secret|credentials?)"
    r"(?:[_-](?:hash|value|key))?"
)
_NAME_KIND = [
    ("password", re.compile(r"(?i)pass|pwd")),
    ("token", re.compile(r"(?i)token")),
    ("api_key", re.compile(r"(?i)key")),
]
_QUOTED_ASSIGNMENT = re.compile(
    r"(?i)(?<![A-Za-z0-9_])(" + _SECRET_NAME + r")"
    # the key's closing quote, an optional annotation (`password: str = "..."`), the operator
    r"(['\"]?(?:\s*:\s*[A-Za-z_][\w.\[\]| ,]*?)?\s*(?:[:=]|==|!=)\s*[bru]?)"
    r"(['\"])((?:(?!\3)[^\n\\]|\\.)+)\3"
)
# Unquoted values appear in logs, config and URLs (password=hunter2, ?token=abc). A value that is an
# expression (a call, an attribute, a subscript) is code, not a secret, and stays.
_BARE_ASSIGNMENT = re.compile(
    r"(?i)(?<![A-Za-z0-9_])("
    + _SECRET_NAME
    + r")(\s*[:=]\s*)([A-Za-z0-9_+/=.~!$%*@#^-]+)(?![A-Za-z0-9_(\[.])"
)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
)
# Every shape above needs one of these substrings, and most texts have none of them: one search
# tells which texts can skip the dozen substitutions of a pass.
_MAYBE_SECRET = re.compile(
    r"(?i)-----BEGIN|sk-|[rs]k_|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|xox|AIza|eyJ|://|bearer|basic"
    r"|pass|pwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|private[_-]?key|credential|@"
)
_SECRET_KEY = re.compile(r"(?i)^" + _SECRET_NAME + r"$")
_NOT_SECRETS = frozenset({"none", "null", "true", "false", "nil", "undefined", "self", "cls"})


def _kind_for_name(name: str) -> str:
    for kind, pattern in _NAME_KIND:
        if pattern.search(name):
            return kind
    return "secret"


class Scrubber:
    """Scrubs texts and structures, counting what it removed by kind across all calls."""

    def __init__(self) -> None:
        self.removed: Counter[str] = Counter()

    def text(self, text: str, *, code: bool = False) -> str:
        """Scrub one text; `code=True` keeps unquoted right-hand sides so the code still parses."""
        if not _MAYBE_SECRET.search(text):
            return text
        # A redaction can expose a secret glued to the one removed (its marker ends in "]", a
        # boundary), so passes repeat until nothing changes; that is also what makes this idempotent.
        for _ in range(_MAX_PASSES):
            scrubbed = self._pass(text, code=code)
            if scrubbed == text:
                break
            text = scrubbed
        return text

    def _pass(self, text: str, *, code: bool) -> str:
        if not text:
            return text
        for kind, pattern in _TOKEN_SHAPES:
            text = pattern.sub(self._replacer(kind), text)
        text = _URL_CREDENTIALS.sub(self._url_password, text)
        text = _AUTH_HEADER.sub(self._auth_header, text)
        text = _QUOTED_ASSIGNMENT.sub(self._quoted_assignment, text)
        if not code:
            text = _BARE_ASSIGNMENT.sub(self._bare_assignment, text)
        return _EMAIL.sub(self._replacer("email"), text)

    def value(self, value: Any, *, key: str | None = None) -> Any:
        """Scrub strings anywhere inside a JSON-like value; a string under a secret-named key goes whole."""
        if isinstance(value, str):
            if key is not None and value and not value.startswith(MARK_PREFIX) and _SECRET_KEY.match(key):
                self.removed[_kind_for_name(key)] += 1
                return _mark(_kind_for_name(key))
            return self.text(value)
        if isinstance(value, Mapping):
            return {str(k): self.value(v, key=str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value

    def note(self) -> str | None:
        """``removed 2 secrets: api_key, email`` or None when nothing was removed."""
        total = sum(self.removed.values())
        if not total:
            return None
        kinds = ", ".join(sorted(self.removed))
        return f"removed {total} secret{'s' if total != 1 else ''}: {kinds}"

    # replacement callbacks -----------------------------------------------------------------------

    def _replacer(self, kind: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            self.removed[kind] += 1
            return _mark(kind)

        return replace

    def _url_password(self, match: re.Match[str]) -> str:
        if match.group(2).startswith(MARK_PREFIX):
            return match.group(0)
        self.removed["password"] += 1
        return f"{match.group(1)}:{_mark('password')}@"

    def _auth_header(self, match: re.Match[str]) -> str:
        credential = match.group(3)
        # "basic arithmetic" is English; a credential has a digit in it or is long.
        if len(credential) < 20 and not any(c.isdigit() for c in credential):
            return match.group(0)
        self.removed["bearer"] += 1
        return f"{match.group(1)}{match.group(2)}{_mark('bearer')}"

    def _quoted_assignment(self, match: re.Match[str]) -> str:
        name, separator, quote, value = match.groups()
        if value.startswith(MARK_PREFIX):
            return match.group(0)
        kind = _kind_for_name(name)
        self.removed[kind] += 1
        return f"{name}{separator}{quote}{_mark(kind)}{quote}"

    def _bare_assignment(self, match: re.Match[str]) -> str:
        name, separator, value = match.groups()
        if value.lower() in _NOT_SECRETS or value.startswith(MARK_PREFIX):
            return match.group(0)
        kind = _kind_for_name(name)
        self.removed[kind] += 1
        return f"{name}{separator}{_mark(kind)}"


def scrub(text: str, *, code: bool = False) -> tuple[str, Counter[str]]:
    """Scrub one text; return it with the count of secrets removed by kind."""
    scrubber = Scrubber()
    return scrubber.text(text, code=code), scrubber.removed
