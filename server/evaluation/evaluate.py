"""Assemble a run from the command line: suite, executor, reflector, server; run it; gather the results."""

from __future__ import annotations

import argparse
import shlex
import shutil
import tempfile
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mcp import MCPError

from tools.evaluation.analysis import AnalysisSettings, analyse, learning_curve, replay_audit
from tools.evaluation.loaders import DatasetError
from tools.evaluation.model import Executor, ExecutorError, Reflector
from tools.evaluation.progress import Progress
from tools.evaluation.suites import Split, draw, parse_suite

from .connection import LEARNING_TOOLS, REQUIRED_TOOLS, MissingTools, Target, ToolFailed, connect
from .runner import RunConfig, Runner

SCHEMA = "fractal-rmo.eval/1"


class EvaluationError(RuntimeError):
    """The evaluation cannot run; the message says why and what to change."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _config(args: argparse.Namespace) -> dict[str, Any]:
    return {k: v for k, v in vars(args).items() if k not in ("func",) and not callable(v)}


def _check(args: argparse.Namespace) -> None:
    for name, low in (
        ("max_attempts", 1),
        ("protocol_tokens", 1),
        ("reflect_every", 1),
        ("min_pattern_frequency", 1),
        ("bootstrap", 100),
    ):
        if getattr(args, name) < low:
            raise EvaluationError(
                f"--{name.replace('_', '-')} must be >= {low} (got {getattr(args, name)!r})"
            )
    if not 0 < args.alpha < 0.5:
        raise EvaluationError(f"--alpha must be between 0 and 0.5 (got {args.alpha!r})")
    for name in ("learning", "instances"):
        if getattr(args, name) is not None and getattr(args, name) < 0:
            raise EvaluationError(f"--{name} must be >= 0 (got {getattr(args, name)!r})")


def build_executor(
    args: argparse.Namespace, split: Split, environ: Mapping[str, str]
) -> tuple[Executor, Reflector | None, dict[str, bool | None]]:
    """The executor, its reflector, and (for replay) the recorded verdicts by instance id."""
    if args.executor == "simulated":
        from tools.evaluation.executors.simulated import SimConfig, SimulatedExecutor, SimulatedReflector

        try:
            config = SimConfig(
                base_rate=args.base_rate, rates=args.sim_rates, effect=args.effect,
                misleading_effect=args.misleading_effect, fix_rate=args.fix_rate, seed=args.seed,
            )  # fmt: skip
        except ValueError as exc:
            raise EvaluationError(str(exc)) from exc
        if parse_suite(args.suite).kind != "builtin":
            raise EvaluationError(
                "--executor simulated writes code for the built-in suite only: use --suite builtin"
            )
        reflector = None if args.no_reflect else SimulatedReflector(split.learning + split.evaluation)
        return SimulatedExecutor(config), reflector, {}
    if args.executor == "replay":
        from tools.evaluation.executors.replay import ReplayExecutor, recording_for
        from tools.evaluation.loaders import load_recordings

        if not args.replay_file:
            raise EvaluationError("--executor replay needs --replay-file PATH (a JSONL of recorded outputs)")
        recordings = load_recordings(args.replay_file)
        executor = ReplayExecutor(recordings)
        verdicts = {}
        for instance in split.learning + split.evaluation:
            found = recording_for(recordings, instance)
            if found is not None:
                verdicts[instance.instance_id] = found.recorded_passed
        return executor, None, verdicts
    return _anthropic(args, environ)


def _anthropic(
    args: argparse.Namespace, environ: Mapping[str, str]
) -> tuple[Executor, Reflector | None, dict[str, bool | None]]:
    from ..settings import Settings, SettingsError

    try:
        settings = Settings.load({}, environ)
    except SettingsError as exc:
        raise EvaluationError(str(exc)) from exc
    key = settings.anthropic_api_key
    if not key:
        raise EvaluationError(
            "--executor anthropic needs an API key. Hint: set ANTHROPIC_API_KEY (or FRACTAL_RMO_ANTHROPIC_API_KEY)."
        )
    try:
        import anthropic
    except ImportError as exc:
        raise EvaluationError(
            "--executor anthropic needs the anthropic package: pip install 'fractal-rmo[anthropic]'"
        ) from exc
    from tools.evaluation.executors.anthropic import AnthropicCaller, AnthropicExecutor, AnthropicReflector
    from tools.evaluation.pricing import DEFAULT_PRICES, Price, load_price_table, price_for

    model = args.model or settings.anthropic_model
    table = load_price_table(args.prices) if args.prices else DEFAULT_PRICES
    if args.price_in is not None and args.price_out is not None:
        price = Price(args.price_in, args.price_out)
    else:
        try:
            price = price_for(model, table)
        except KeyError as exc:
            raise EvaluationError(str(exc.args[0])) from exc
    client = anthropic.AsyncAnthropic(api_key=str(key))
    caller = AnthropicCaller(client, model=model, price=price, max_tokens=args.max_output_tokens)
    reflector = None if args.no_reflect else AnthropicReflector(caller)
    return AnthropicExecutor(caller), reflector, {}


def _split(args: argparse.Namespace) -> Split:
    try:
        spec = parse_suite(args.suite)
    except ValueError as exc:
        raise EvaluationError(str(exc)) from exc
    learning = args.learning if args.learning is not None else (48 if spec.kind == "builtin" else 0)
    if args.executor == "replay":
        learning = args.learning or 0
    try:
        return draw(spec, learning=learning, evaluation=args.instances, seed=args.seed)
    except (DatasetError, ValueError) as exc:
        raise EvaluationError(str(exc)) from exc


def target_for(
    args: argparse.Namespace, environ: Mapping[str, str], server: Any
) -> tuple[Target, Path | None]:
    """Where the server is, and the temporary directory to delete afterwards (the default in-process store)."""
    from ..settings import Settings, SettingsError

    if server is not None:
        return Target("in-process", server=server), None
    if args.connect and args.stdio:
        raise EvaluationError("pass either --connect or --stdio, not both")
    if args.connect:
        return Target("url", url=args.connect), None
    if args.stdio:
        return Target("stdio", command=tuple(shlex.split(args.stdio)), env=dict(environ)), None
    scratch = None
    db = args.db
    if db is None:
        scratch = Path(tempfile.mkdtemp(prefix="fractal-rmo-eval-"))
        db = f"sqlite:///{scratch / 'eval.db'}"
    try:
        settings = Settings.load({"db": db, "workspace": args.workspace, "log_level": "WARNING"}, environ)
    except SettingsError as exc:
        raise EvaluationError(str(exc)) from exc
    return Target("in-process", settings=settings), scratch


async def evaluate(
    args: argparse.Namespace, *, environ: Mapping[str, str], server: Any = None
) -> dict[str, Any]:
    _check(args)
    started = datetime.now(UTC)
    arms = args.arms or (("none",) if args.executor == "replay" else ("none", "learned", "placebo"))
    split = _split(args)
    try:
        executor, reflector, verdicts = build_executor(args, split, environ)
    except DatasetError as exc:
        raise EvaluationError(str(exc)) from exc
    notes: list[str] = []
    if args.executor == "replay":
        covered = [i for i in split.evaluation if i.instance_id in verdicts]
        if len(covered) < len(split.evaluation):
            notes.append(
                f"{len(split.evaluation) - len(covered)} evaluation tasks have no recording and were skipped."
            )
        split = Split([i for i in split.learning if i.instance_id in verdicts], covered)
        if arms != ("none",):
            notes.append("A replay cannot react to the protocol: every arm replays the same recorded output.")
    target, scratch = target_for(args, environ, server)
    config = RunConfig(
        arms=arms, max_attempts=args.max_attempts, protocol_max_tokens=args.protocol_tokens,
        validate_timeout_s=args.validate_timeout, reflect_every=args.reflect_every,
        min_pattern_frequency=args.min_pattern_frequency, max_cost_usd=args.max_cost, seed=args.seed,
    )  # fmt: skip
    total = len(split.learning) + len(split.evaluation) * len(arms)
    progress = Progress(total, enabled=not args.no_progress)
    clock = time.monotonic()
    aborted: str | None = None
    try:
        async with connect(target) as session:
            needed = REQUIRED_TOOLS + (("get_protocol",) if "learned" in arms else ()) + ("find_patterns",)
            if reflector is not None and split.learning:
                needed += tuple(t for t in LEARNING_TOOLS if t not in needed)
            await session.require(tuple(dict.fromkeys(needed)))
            runner = Runner(session, executor, reflector=reflector, config=config, progress=progress)
            try:
                await runner.learning_phase(split.learning)
                await runner.evaluation_phase(split.evaluation)
            except ToolFailed as exc:  # keep what was measured: the results of a long paid run must survive
                aborted = f"the run stopped early because the server refused a tool call: {exc}"
            except ExecutorError as exc:
                aborted = f"the run stopped early because the executor cannot continue: {exc}"
            except MCPError as exc:
                aborted = f"the run stopped early because the server answered with a protocol error: {exc}"
            try:
                final = await runner.finish()
            except ToolFailed as exc:
                notes.append(f"could not read the final patterns and rules: {exc}")
                final = {"patterns": [], "rules": dict(runner.state.rules_seen)}
            calls = dict(session.calls)
    except MissingTools as exc:
        raise EvaluationError(str(exc)) from exc
    finally:
        progress.close()
        if scratch is not None:  # the default store only lives for the run; --db keeps one
            shutil.rmtree(scratch, ignore_errors=True)
    state = runner.state
    analysis = analyse(
        state.runs,
        rule_patterns=state.rule_patterns,
        settings=AnalysisSettings(alpha=args.alpha, resamples=args.bootstrap, seed=args.seed),
    )
    rules = final["rules"]
    if aborted:
        notes.insert(0, aborted)
    if state.stopped_early:
        notes.append(state.stopped_early)
    notes += state.notes
    results: dict[str, Any] = {
        "schema": SCHEMA,
        "started_at": started.isoformat(),
        "seconds": time.monotonic() - clock,
        "config": {**_config(args), "arms": list(arms)},
        "executor": {"name": executor.name, "description": getattr(executor, "description", "")},
        "server": {"connection": target.label, "tool_calls": calls},
        "suite": {
            "label": parse_suite(args.suite).label,
            "learning_instances": len(split.learning),
            "evaluation_instances": len(split.evaluation),
            "families": sorted({i.family for i in split.evaluation}) if len(split.evaluation) < 200 else None,
        },
        "learning": {
            "insights_proposed": state.insights,
            "rule_patterns": state.rule_patterns,
            "reflection_cost_usd": state.reflection_cost_usd,
        },
        "analysis": analysis,
        "server_rules_by_id": rules,
        "adopted_by_server": sorted(
            {rid for rid, r in rules.items() if r.get("status") == "adopted"}
            | {str(d.get("rule_id")) for d in state.server_decisions if d.get("decision") == "adopt"}
        ),
        "server_decisions": state.server_decisions,
        "patterns": final["patterns"],
        "replay": replay_audit([r for r in state.runs if r.phase == "evaluation"], verdicts)
        if args.executor == "replay"
        else None,
        "learning_curve": learning_curve(state.runs),
        "runs": [r.as_dict() for r in state.runs],
        "total_cost_usd": state.cost_usd,
        "notes": notes,
        "aborted": aborted,
    }
    return results
