"""Run every benchmark and write one markdown report (bench/results/latest.md).

    python -m bench.run_all [--quick]

`--quick` uses fewer repeats and leaves out the 1M-error store, for a fast look.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from .stats import machine

REPO = Path(__file__).resolve().parents[1]


def suites(quick: bool) -> list[tuple[str, list[str]]]:
    return [
        ("Cold start", ["bench.cold_start", "--repeats", "5" if quick else "15"]),
        (
            "Tool round trips against a trivial tool",
            ["bench.roundtrip", "--repeats", "50" if quick else "200"],
        ),
        ("validate_code per level", ["bench.bench_validate", "--repeats", "5" if quick else "30"]),
        ("Pattern mining", ["bench.bench_mining"]),
        (
            "find_patterns as stored errors grow",
            ["bench.find_patterns_scale", "--sizes", "10000,100000" if quick else "10000,100000,1000000"],
        ),
        ("HTTP throughput by concurrent clients", ["bench.load_http", "--table"]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "latest.md"))
    args = parser.parse_args()
    parts = [f"# Benchmarks\n\nMachine: {machine()}. Run {time.strftime('%Y-%m-%d')}.\n"]
    failed = []
    for title, command in suites(args.quick):
        print(f"==> {title}", file=sys.stderr, flush=True)
        proc = subprocess.run([sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True)
        body = (
            proc.stdout.strip()
            if proc.returncode == 0
            else f"failed (exit {proc.returncode}):\n\n```\n{proc.stderr[-2000:]}\n```"
        )
        if proc.returncode:
            failed.append(title)
        parts.append(f"## {title}\n\n{body}\n")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(parts))
    print(f"wrote {args.out}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
