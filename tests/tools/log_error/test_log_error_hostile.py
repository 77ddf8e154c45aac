"""Hostile reports: log_error stores something sane or refuses with InvalidInput, and never crashes."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import anyio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import open_store
from tests.strategies import AWKWARD_TEXT, big_text, json_values
from tools.errors import InvalidInput
from tools.log_error import ErrorReport, Evidence, log_error
from tools.log_error.models import Source

texts = st.one_of(st.text(max_size=300), AWKWARD_TEXT, big_text(20_000))
tracebacks = st.one_of(
    texts,
    st.builds(
        lambda path, source, error: (
            f'Traceback (most recent call last):\n  File "{path}", line 1, in f\n    {source}\n{error}\n'
        ),
        texts,
        texts,
        texts,
    ),
)


async def log_once(report: ErrorReport, evidence: Evidence | None) -> None:
    store = await open_store("sqlite:///:memory:")
    try:
        try:
            logged = await log_error(report, store=store, workspace="ws", evidence=evidence)
        except InvalidInput:
            return
        stored = await store.get_error("ws", logged.error_id)
        for text in (stored.message, stored.traceback or "", stored.code or ""):
            assert "\x00" not in text
            text.encode("utf-8")  # no lone surrogates survive
        json.dumps(stored.details, allow_nan=False)
        assert logged.fingerprint.startswith("v1:")
        assert logged.pattern_frequency >= 1
    finally:
        await store.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    message=texts,
    error_type=st.one_of(st.none(), texts),
    traceback=st.one_of(st.none(), tracebacks),
    code=st.one_of(st.none(), texts),
    source=st.sampled_from(["runtime", "test", "static", "syntax", "performance", "review", "ci", "other"]),
    details=st.dictionaries(st.text(max_size=10), json_values, max_size=5),
    operands=st.tuples(st.one_of(st.none(), texts), st.one_of(st.none(), texts), st.one_of(st.none(), texts)),
    line=st.one_of(st.none(), st.integers(-5, 10**9)),
)
def test_any_report_is_stored_cleanly_or_refused_with_a_clear_error(
    message: str,
    error_type: str | None,
    traceback: str | None,
    code: str | None,
    source: Source,
    details: dict[str, Any],
    operands: tuple[str | None, str | None, str | None],
    line: int | None,
) -> None:
    report = ErrorReport(
        message=message, error_type=error_type, traceback=traceback, code=code, source=source
    )
    assert_source, expected, actual = operands
    evidence = Evidence(
        line=line, details=details, assert_source=assert_source, expected=expected, actual=actual
    )
    anyio.run(log_once, report, evidence)


def test_importing_the_tools_does_not_import_scientific_libraries() -> None:
    code = (
        "import sys, tools.log_error, tools.find_patterns\n"
        "heavy = sorted(m for m in ('sklearn', 'numpy', 'scipy') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == ""
