"""Pattern mining on thousands of distinct fingerprints: a first full pass, an incremental pass, and
the worst case where every signature falls in one block.

    python -m bench.bench_mining                   # 2,000 signatures, 5 repeats per cell
    python -m bench.bench_mining --signatures 5000 --repeats 3

Signatures are the labelled test errors with their function and variable names varied, so every
one has its own fingerprint while the mistakes stay realistic. Each cell is the median of the
repeats with the p10-p90 spread, in milliseconds, after one warm-up run (which also pays for
importing scikit-learn). "end to end" logs the errors into an in-memory SQLite store first, then
times `find_patterns` (mining, merging and marking in the store, then listing).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import anyio

from bench.stats import Sample, machine
from store import open_store
from store.base import SignatureGroup
from tests.data.labelled_errors import ERRORS, Labelled
from tools.find_patterns import PatternQuery, find_patterns, plan_mining
from tools.log_error import ErrorReport, Evidence, log_error
from tools.log_error.analyze import Analysis, analyze

_IDENTIFIER = re.compile(
    r"\b(?!assert\b|return\b|for\b|in\b|if\b|not\b|and\b|while\b|def\b|is\b|None\b)([a-z][a-z_]{2,})\b"
)


def variant(entry: Labelled, index: int) -> Labelled:
    """The entry with its lower-case identifiers suffixed, so its fingerprint is new."""
    report = dict(entry.report)
    for key in ("traceback", "code"):
        if report.get(key):
            report[key] = _IDENTIFIER.sub(lambda m: f"{m.group(1)}_{index}", report[key])
    evidence = dict(entry.evidence) if entry.evidence else None
    if evidence and evidence.get("assert_source"):
        evidence["assert_source"] = _IDENTIFIER.sub(
            lambda m: f"{m.group(1)}_{index}", evidence["assert_source"]
        )
    if (
        not report.get("traceback")
        and not report.get("code")
        and not (evidence and evidence.get("assert_source"))
    ):
        report["message"] = f"{report['message']} in handler_{index}"
    return dataclasses.replace(entry, report=report, evidence=evidence)


def entries(signatures: int, kind: str | None = None) -> list[Labelled]:
    """Variants of the labelled errors (of one kind, when given) with `signatures` distinct fingerprints;
    a variant whose fingerprint repeats an earlier one is logged too, as a recurrence."""
    pool = [e for e in ERRORS if kind is None or e.kind == kind]
    result: list[Labelled] = []
    fingerprints: set[str] = set()
    index = 0
    while len(fingerprints) < signatures and index < signatures * 3:
        entry = variant(pool[index % len(pool)], index)
        fingerprints.add(_analyze(entry).fingerprint)
        result.append(entry)
        index += 1
    return result


def _analyze(entry: Labelled) -> Analysis:
    return analyze(
        message=entry.report["message"],
        source=entry.report.get("source", "runtime"),
        error_type=entry.report.get("error_type"),
        traceback=entry.report.get("traceback"),
        code=entry.report.get("code"),
        evidence=Evidence(**entry.evidence) if entry.evidence else None,
    )


def groups_for(labelled: list[Labelled], *, mined_share: float = 0.0) -> list[SignatureGroup]:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    groups: dict[str, SignatureGroup] = {}
    for index, entry in enumerate(labelled):
        analysis = _analyze(entry)
        seen = start + timedelta(minutes=index)
        groups.setdefault(
            analysis.fingerprint,
            SignatureGroup(
                fingerprint=analysis.fingerprint,
                pattern_id=f"p-{len(groups) + 1}",
                category=analysis.category,
                title=analysis.title,
                features=dict(analysis.features),
                count=1,
                distinct_tasks=1,
                first_seen=seen,
                last_seen=seen,
                mined=index < mined_share * len(labelled),
            ),
        )
    return list(groups.values())


def timed(fn: Callable[[], object], repeats: int) -> Sample:
    fn()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return Sample(times)


async def end_to_end(labelled: list[Labelled]) -> float:
    store = await open_store("sqlite:///:memory:")
    try:
        for entry in labelled:
            evidence = Evidence(**entry.evidence) if entry.evidence else None
            await log_error(ErrorReport(**entry.report), store=store, workspace="bench", evidence=evidence)
        started = time.perf_counter()
        await find_patterns(PatternQuery(), store=store, workspace="bench")
        return (time.perf_counter() - started) * 1000
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--signatures", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    labelled = entries(args.signatures)
    fresh = groups_for(labelled)
    incremental = groups_for(labelled, mined_share=0.95)
    one_block = groups_for(entries(args.signatures, kind="assert_off_by_one"))
    print(f"# Pattern mining, {len(fresh)} distinct signatures\n\n{machine()}\n")
    print("| pass | groups | median ms (p10-p90) |\n|---|---|---|")
    rows = [
        ("full, first pass (all new)", fresh, True),
        ("incremental (5% new)", incremental, False),
        (f"full, one block of {len(one_block)}", one_block, True),
    ]
    for name, groups, full in rows:
        sample = timed(lambda groups=groups, full=full: plan_mining(groups, full=full), args.repeats)
        print(f"| {name} | {len(groups)} | {sample.cell()} |")
    total = anyio.run(end_to_end, labelled)
    print(
        f"| end to end: find_patterns after logging {len(labelled)} errors (SQLite, one run) | {len(fresh)} | {total:.0f} |"
    )


if __name__ == "__main__":
    main()
