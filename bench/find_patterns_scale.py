"""find_patterns as the store grows: 10k, 100k and 1M stored errors.

    python -m bench.find_patterns_scale [--sizes 10000,100000,1000000] [--distinct 2000] [--db sqlite|postgres]

For each size, a store is seeded with `distinct` different mistakes (each reported once through the
real log_error pipeline, so fingerprints and features are real) and then with copies of them up
to the size, drawn with a Zipf-like skew as real error logs are. A fresh process then opens the
store and measures the first find_patterns (which mines every group once: "cold") and repeated
calls ("warm"), with the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

import anyio

from .stats import Sample, machine, table

REPO = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("FRACTAL_RMO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

VERBS = ["load", "parse", "merge", "sort", "count", "render", "fetch", "split", "score", "index"]
NOUNS = ["rows", "config", "users", "orders", "tokens", "matrix", "graph", "events", "prices", "words"]


def distinct_reports(n: int, seed: int = 7) -> list[dict]:
    """`n` different mistakes of a dozen kinds, in different functions of different modules."""
    rng = random.Random(seed)
    reports = []
    for i in range(n):
        fn = f"{VERBS[i % 10]}_{NOUNS[(i // 10) % 10]}_{i // 100}"
        var = rng.choice(["items", "data", "values", "result", "acc"])
        kind = i % 6
        if kind == 0:
            line, msg, etype = f"return {var}[len({var})]", "list index out of range", "IndexError"
        elif kind == 1:
            line, msg, etype = f"return {var}['{rng.choice(NOUNS)}']", f"'{rng.choice(NOUNS)}'", "KeyError"
        elif kind == 2:
            line, msg, etype = (
                f"return {var}.strip()",
                "'NoneType' object has no attribute 'strip'",
                "AttributeError",
            )
        elif kind == 3:
            line, msg, etype = (
                f"total = {var} + 1",
                'can only concatenate str (not "int") to str',
                "TypeError",
            )
        elif kind == 4:
            line, msg, etype = f"return {var} / len({var})", "division by zero", "ZeroDivisionError"
        else:
            line, msg, etype = (
                f"assert {fn}({var}) == {rng.randint(1, 99)}",
                f"assert {rng.randint(0, 9)} == 3",
                "AssertionError",
            )
        tb = (
            "Traceback (most recent call last):\n"
            f'  File "/srv/app/{NOUNS[i % 10]}.py", line {rng.randint(5, 400)}, in {fn}\n'
            f"    {line}\n"
            f"{etype}: {msg}\n"
        )
        reports.append({"message": msg, "error_type": etype, "traceback": tb, "source": "runtime"})
    return reports


async def seed(url: str, size: int, distinct: int) -> float:
    from store import open_store
    from tools.log_error import ErrorReport, log_error

    store = await open_store(url)
    started = time.perf_counter()
    try:
        workspace = "bench"
        ids = []
        for report in distinct_reports(distinct):
            ids.append((await log_error(ErrorReport(**report), store=store, workspace=workspace)).error_id)
        originals = [await store.get_error(workspace, error_id) for error_id in ids]
        templates = [_as_new(e) for e in originals]
        rng = random.Random(11)
        weights = [1 / (rank + 1) for rank in range(len(templates))]
        remaining = size - distinct
        while remaining > 0:
            batch = min(20_000, remaining)
            picks = rng.choices(templates, weights=weights, k=batch)
            tasks = [f"t-{rng.randint(1, 5000)}" for _ in range(batch)]
            await store.add_errors(
                workspace,
                [replace(t, task_id=None, details={"task": k}) for t, k in zip(picks, tasks, strict=True)],
            )
            remaining -= batch
    finally:
        await store.close()
    return time.perf_counter() - started


def _as_new(error):  # type: ignore[no-untyped-def]
    from store import NewError

    return NewError(
        message=error.message,
        fingerprint=error.fingerprint,
        fingerprint_version=error.fingerprint_version,
        category=error.category,
        source=error.source,
        title=error.message[:80],
        features={},
        error_type=error.error_type,
        traceback=error.traceback,
        code=error.code,
    )


async def measure(url: str, repeats: int) -> dict:
    """Runs in a fresh process: cold (mining) and warm find_patterns, and peak memory."""
    from store import open_store
    from tools.find_patterns import PatternQuery, find_patterns

    store = await open_store(url)
    try:
        stored = await store.count_errors("bench")
        start = time.perf_counter()
        first = await find_patterns(PatternQuery(limit=20), store=store, workspace="bench")
        cold = (time.perf_counter() - start) * 1000
        warm = []
        for _ in range(repeats):
            start = time.perf_counter()
            await find_patterns(PatternQuery(limit=20), store=store, workspace="bench")
            warm.append((time.perf_counter() - start) * 1000)
    finally:
        await store.close()
    return {
        "stored": stored,
        "patterns": first.total,
        "cold_ms": cold,
        "warm_ms": warm,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def store_url(backend: str, tmp: Path, size: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'errors-{size}.db'}"
    return f"{PG_URL}?schema=bench_{uuid.uuid4().hex[:10]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--distinct", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(anyio.run(measure, args.measure, args.repeats)))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            url = store_url(args.db, Path(tmp), size)
            seeded = anyio.run(seed, url, size, args.distinct)
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.find_patterns_scale",
                    "--measure",
                    url,
                    "--repeats",
                    str(args.repeats),
                ],
                cwd=REPO,
                capture_output=True,
                text=True,
                check=True,
            )
            m = json.loads(out.stdout.strip().splitlines()[-1])
            warm = Sample(m["warm_ms"])
            rows.append(
                [
                    f"{m['stored']:,}",
                    str(args.distinct),
                    str(m["patterns"]),
                    f"{seeded:.0f}",
                    f"{m['cold_ms']:.0f}",
                    warm.cell(),
                    f"{m['peak_rss_mb']:.0f}",
                ]
            )
            print(f"size {size}: done", file=sys.stderr)
    print(f"Machine: {machine()}; store: {args.db}\n")
    print(
        table(
            [
                "stored errors",
                "distinct mistakes",
                "patterns",
                "seed s",
                "cold find_patterns ms (mines all groups)",
                "warm find_patterns ms (p10–p90)",
                "peak RSS MB",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
