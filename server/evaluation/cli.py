"""``fractal-rmo eval``: run a benchmark through the server and write the results, report and chart.

`add_eval_parser(subparsers)` adds the command; `run_eval(args)` runs it and returns the exit code.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio

EXECUTORS = ("simulated", "replay", "anthropic")
ARMS = ("none", "learned", "placebo", "corrupted")


def _arms(text: str) -> tuple[str, ...]:
    arms = tuple(dict.fromkeys(a.strip() for a in text.split(",") if a.strip()))
    bad = [a for a in arms if a not in ARMS]
    if bad or not arms:
        raise argparse.ArgumentTypeError(
            f"arms must be a comma-separated subset of {','.join(ARMS)} (got {text!r})"
        )
    if ("placebo" in arms or "corrupted" in arms) and "learned" not in arms:
        raise argparse.ArgumentTypeError(
            "the placebo and corrupted arms are built from the learned one: add 'learned'"
        )
    return arms


def _effect(text: str) -> float:
    from tools.evaluation.executors.simulated import EFFECTS

    if text in EFFECTS:
        return EFFECTS[text]
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--effect must be null, helpful, harmful or a multiplier >= 0 (got {text!r})"
        ) from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"--effect must be >= 0 (got {text!r})")
    return value


def _rates(text: str) -> dict[str, float]:
    rates = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        try:
            rates[key.strip()] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"--sim-rates takes family[/kind]=rate pairs (got {part!r})"
            ) from None
        if not sep or not 0 <= rates[key.strip()] <= 1:
            raise argparse.ArgumentTypeError(
                f"--sim-rates takes family[/kind]=rate with rate in [0, 1] (got {part!r})"
            )
    return rates


def add_eval_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "eval",
        help="Run a coding benchmark through the server and report whether the learned protocol reduces errors.",
        description="Runs task instances through the server as a client would (decompose, get_protocol, write "
        "code, validate_code, retry, complete_task) under paired arms and reports error rates with intervals.",
    )
    add = parser.add_argument
    add(
        "--executor", choices=EXECUTORS, default="simulated", help="Who writes the code (default: simulated)."
    )
    add(
        "--suite",
        default="builtin",
        help="builtin[:family,...], humaneval:PATH or mbpp:PATH (default: builtin).",
    )
    add(
        "--replay-file",
        help="JSONL of recorded model outputs (task_id + solution/completion) for --executor replay.",
    )
    add(
        "--arms",
        type=_arms,
        help="Comma-separated arms: none,learned,placebo,corrupted (default: none,learned,placebo; replay: none).",
    )
    add("--learning", type=int, help="Tasks in the learning phase (default: 48 for builtin, 0 otherwise).")
    add(
        "--instances",
        type=int,
        help="Evaluation instances (default: 96 for builtin, all remaining otherwise).",
    )
    add("--seed", type=int, default=0, help="Seed of instance generation, arm order and the simulated agent.")
    add("--max-attempts", type=int, default=3, help="Attempts per task, the first one included (default 3).")
    add("--protocol-tokens", type=int, default=1500, help="max_tokens passed to get_protocol (default 1500).")
    add(
        "--validate-timeout", type=float, default=10.0, help="timeout_s passed to validate_code (default 10)."
    )
    add("--reflect-every", type=int, default=6, help="Learning tasks between reflection passes (default 6).")
    add(
        "--min-pattern-frequency",
        type=int,
        default=2,
        help="Errors a pattern needs before a rule is written for it (default 2).",
    )
    add(
        "--no-reflect",
        action="store_true",
        help="Do not propose insights (measure the server's own rules only).",
    )
    add("--alpha", type=float, default=0.05, help="Level of the one-sided tests (default 0.05).")
    add(
        "--bootstrap",
        type=int,
        default=10_000,
        help="Bootstrap resamples for the relative-reduction interval.",
    )
    add("--max-cost", type=float, help="Stop starting new tasks once this many USD are spent.")
    add(
        "--tool-retries", type=int, default=2, help="Retries of a validate_code call that failed (default 2)."
    )
    sim = parser.add_argument_group("simulated executor")
    sim.add_argument(
        "--effect",
        type=_effect,
        default=1.0,
        help="Rate multiplier when a correct rule targets a mistake: null (1), helpful (0.25), harmful (2) or a number.",
    )
    sim.add_argument(
        "--misleading-effect",
        type=float,
        default=1.5,
        help="Rate multiplier when a rule names a mistake but gives the wrong fix (default 1.5).",
    )
    sim.add_argument(
        "--base-rate",
        type=float,
        default=0.3,
        help="Chance of each mistake kind on a first attempt (default 0.3).",
    )
    sim.add_argument(
        "--sim-rates",
        type=_rates,
        default={},
        help="Per-kind rates: family[/kind]=rate,... (e.g. money=0.6).",
    )
    sim.add_argument(
        "--fix-rate", type=float, default=0.8, help="Chance a retry fixes each earlier mistake (default 0.8)."
    )
    api = parser.add_argument_group("anthropic executor")
    api.add_argument("--model", help="Claude model id (default: the anthropic_model setting).")
    api.add_argument(
        "--price-in", type=float, help="USD per million input tokens (overrides the price table)."
    )
    api.add_argument(
        "--price-out", type=float, help="USD per million output tokens (overrides the price table)."
    )
    api.add_argument(
        "--prices", help="JSON file of model -> {input, output} prices merged over the built-in table."
    )
    api.add_argument(
        "--max-output-tokens", type=int, default=2048, help="max_tokens of each API call (default 2048)."
    )
    server = parser.add_argument_group("server")
    server.add_argument(
        "--db", help="Database for an in-process server (default: a fresh temporary SQLite file)."
    )
    server.add_argument(
        "--workspace", default="eval", help="Workspace of the in-process server (default: eval)."
    )
    server.add_argument(
        "--connect", help="URL of a running server (http://host:port/mcp, or .../sse) instead of in-process."
    )
    server.add_argument("--stdio", help="Command that starts a server on stdio, e.g. 'fractal-rmo serve'.")
    out = parser.add_argument_group("output")
    out.add_argument(
        "--out",
        help="Directory for results.json, report.md and error_rate.png (default: eval-results/<time>).",
    )
    out.add_argument("--no-chart", action="store_true", help="Do not draw the PNG chart.")
    out.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")
    return parser


def run_eval(
    args: argparse.Namespace, *, environ: Mapping[str, str] | None = None, server: Any = None
) -> int:
    """Run the evaluation described by `args`; `server` connects to an already built server (tests)."""
    from .evaluate import EvaluationError, evaluate

    environ = os.environ if environ is None else environ
    try:
        results = anyio.run(lambda: evaluate(args, environ=environ, server=server))
    except EvaluationError as exc:
        print(f"fractal-rmo eval: {exc}", file=sys.stderr)
        return exc.exit_code
    out_dir = Path(args.out or Path("eval-results") / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{args.executor}")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    from tools.evaluation.report import render

    report = render(results)
    (out_dir / "report.md").write_text(report, encoding="utf-8")
    if not args.no_chart:
        from tools.evaluation.chart import write_chart

        try:
            write_chart(
                results["learning_curve"],
                out_dir / "error_rate.png",
                title=f"Error rate over tasks ({args.executor})",
            )
        except ImportError:
            print(
                "fractal-rmo eval: matplotlib is not installed, so no chart was drawn "
                "(pip install 'fractal-rmo[eval]', or pass --no-chart).",
                file=sys.stderr,
            )
    print(report)
    print(f"Results written to {out_dir}", file=sys.stderr)
    if results.get("aborted"):
        print(f"fractal-rmo eval: {results['aborted']}", file=sys.stderr)
        return 1
    return 0
