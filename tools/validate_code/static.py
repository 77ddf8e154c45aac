"""Stage 2: static analysis with ruff, plus an unreachable-code check ruff does not offer.

Only rules that find bugs are selected (no style). A finding is an *error* (fails the stage)
when the code will certainly misbehave: an undefined name, a format string that raises, an
assert that can never fail; it is a *warning* when it is usually a bug but can be deliberate
(mutable default, bare except, ``== None``, unused import). ``# noqa`` comments in the submitted
code are ignored: the code does not get to silence its own checks.
"""

from __future__ import annotations

import ast
import itertools
import json
import shutil
from collections.abc import Iterator

import anyio

from .models import Finding

SELECT = (
    "F,E711,E712,E713,E714,E721,E722,E9,B,A001,A002,PLE,"
    "PLW0120,PLW0127,PLW0128,PLW0129,PLW0131,PLW0133,PLW0177,PLW0211,PLW0602,PLW0642,PLW0711,"
    "PLW1501,PLW1508,PLW2101,PLW3301,SIM115,RET503,RUF006,RUF018,RUF024"
)
# Bugbear rules about style or API taste rather than defects.
IGNORE = "B007,B009,B010,B028,B904,B905"

ERROR_CODES = frozenset(
    {
        "F821", "F822", "F823",  # undefined names: NameError / UnboundLocalError at run time
        "F631", "F632", "F633", "F634",  # asserts and ifs that are always true, `is` with a literal
        "F501", "F502", "F503", "F504", "F505", "F506", "F507", "F508", "F509",  # % formats that raise
        "F521", "F522", "F523", "F524", "F525",  # .format() calls that raise
        "F601", "F602",  # a dict literal silently drops a repeated key
        "F701", "F702", "F704", "F706", "F707", "F722",
        "B002",  # ++x does nothing
        "PLW0133",  # an exception created and never raised
        "PLW0177",  # comparison with NaN is always False
        "PLW0711",  # `except A or B` catches only A
        "PLW1501",  # invalid open() mode raises ValueError
    }
)  # fmt: skip


def severity(code: str) -> str:
    return "error" if code in ERROR_CODES or code.startswith(("PLE", "E9")) else "warning"


def ruff_binary() -> str | None:
    try:
        from ruff.__main__ import find_ruff_bin

        return find_ruff_bin()
    except (ImportError, FileNotFoundError):
        return shutil.which("ruff")


async def run_ruff(code: str, *, timeout_s: float, binary: str | None = None) -> list[Finding]:
    """Ruff's findings on `code`; raises `RuntimeError` when ruff is missing, fails or times out."""
    binary = binary or ruff_binary()
    if binary is None:
        raise RuntimeError("ruff is not installed")
    command = [
        binary, "check", "--isolated", "--no-cache", "--ignore-noqa", "--output-format", "json",
        "--target-version", "py311", "--select", SELECT, "--ignore", IGNORE,
        "--stdin-filename", "solution.py", "-",
    ]  # fmt: skip
    with anyio.move_on_after(timeout_s) as scope:
        try:
            done = await anyio.run_process(command, input=code.encode("utf-8"), check=False, env={}, cwd="/")
        except OSError as exc:
            raise RuntimeError(f"ruff could not be started: {exc}") from exc
    if scope.cancelled_caught:
        raise RuntimeError(f"ruff did not finish within {timeout_s:g} s")
    if done.returncode not in (0, 1):
        raise RuntimeError(
            f"ruff failed (exit {done.returncode}): {done.stderr.decode(errors='replace')[:300]}"
        )
    lines = code.splitlines()
    findings = []
    for item in json.loads(done.stdout or b"[]"):
        if not item.get("code"):
            continue  # ruff's own syntax errors: stage 1 already compiled the code
        start, end = item.get("location") or {}, item.get("end_location") or {}
        line = start.get("row")
        findings.append(
            Finding(
                code=item["code"],
                message=item.get("message", ""),
                line=line,
                column=start.get("column"),
                end_line=end.get("row"),
                end_column=end.get("column"),
                severity=severity(item["code"]),
                source_line=lines[line - 1].strip()[:300]
                if isinstance(line, int) and 0 < line <= len(lines)
                else None,
                fix=(item.get("fix") or {}).get("message"),
            )
        )
    return findings


def unreachable(tree: ast.Module, code: str) -> list[Finding]:
    """Statements after a return, raise, break or continue in the same block (RMO101)."""
    lines = code.splitlines()
    findings = []
    for body in _blocks(tree):
        for stmt, after in itertools.pairwise(body):
            if isinstance(stmt, (ast.Return, ast.Raise, ast.Break, ast.Continue)):
                kind = type(stmt).__name__.lower()
                findings.append(
                    Finding(
                        code="RMO101",
                        message=f"Unreachable code: this statement comes after a `{kind}` in the same block and never runs",
                        line=after.lineno,
                        column=after.col_offset + 1,
                        severity="warning",
                        source_line=lines[after.lineno - 1].strip()[:300]
                        if after.lineno <= len(lines)
                        else None,
                    )
                )
                break
    return findings


def _blocks(tree: ast.AST) -> Iterator[list[ast.stmt]]:
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block
