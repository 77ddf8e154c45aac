"""Checks on the request's text before anything parses or runs it."""

from __future__ import annotations

from tools.errors import InvalidInput

from .config import SandboxConfig
from .models import ValidationRequest


def check_source(text: str, *, field: str, limit: int) -> None:
    """Reject text no Python tool can take: empty, oversized, with NUL bytes or lone surrogates."""
    if not text.strip():
        raise InvalidInput(f"'{field}' is empty. Send the Python source as text.")
    if len(text) > limit:
        raise InvalidInput(
            f"'{field}' must be at most {limit:,} characters (got {len(text):,}). Validate one module at a time, "
            "or split the code and validate the parts separately."
        )
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        line, column = _position(text, exc.start)
        raise InvalidInput(
            f"'{field}' is not valid Unicode text: a lone surrogate ({text[exc.start]!r}) at line {line}, column {column}. "
            "Send the source as UTF-8 text."
        ) from exc
    if size > limit:
        raise InvalidInput(
            f"'{field}' must be at most {limit:,} bytes of UTF-8 (got {size:,}). Validate one module at a time."
        )
    nul = text.find("\x00")
    if nul >= 0:
        line, column = _position(text, nul)
        raise InvalidInput(
            f"'{field}' contains a NUL byte at line {line}, column {column}, so it is binary data, not Python source. "
            "Send the source text itself."
        )


def check_request(request: ValidationRequest, config: SandboxConfig) -> float:
    """Validate sizes and budgets; return the wall-clock budget of the sandboxed run."""
    check_source(request.code, field="code", limit=config.max_code_bytes)
    if request.tests is not None:
        check_source(request.tests, field="tests", limit=config.max_tests_bytes)
    if request.action_id is not None and request.task_id is None:
        raise InvalidInput(
            f"'action_id' {request.action_id!r} needs the 'task_id' it belongs to. Pass both ids from decompose, or omit 'action_id'."
        )
    if request.perf is not None and request.level < 4:
        raise InvalidInput(
            f"'perf' is used at level 4 only (got level {request.level}). Pass level=4 or omit 'perf'."
        )
    if request.perf is not None and request.perf.max_n < request.perf.min_n:
        raise InvalidInput(
            f"'perf.max_n' must be at least 'perf.min_n' (got {request.perf.max_n} < {request.perf.min_n})."
        )
    timeout = config.default_timeout_s if request.timeout_s is None else request.timeout_s
    if not config.min_timeout_s <= timeout <= config.max_timeout_s:
        raise InvalidInput(
            f"'timeout_s' must be between {config.min_timeout_s:g} and {config.max_timeout_s:g} seconds "
            f"(got {request.timeout_s!r}). Omit it for the default of {config.default_timeout_s:g} s."
        )
    return float(timeout)


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1
