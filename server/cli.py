"""The ``fractal-rmo`` command: serve, migrate, and commands a person uses at a terminal.

`cli_logic(argv, environ)` is the whole CLI and returns an exit code; tests call it directly.
Only `main()` touches the real process (its arguments, environment and exit status).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio

from . import __version__
from .settings import Settings, SettingsError, env_name, flag_name, setting_fields

log = logging.getLogger("fractal_rmo")

STORE_FLAGS = ("db", "workspace", "log_level")


def _add_setting_flags(parser: argparse.ArgumentParser, names: Sequence[str] | None = None) -> None:
    for f in setting_fields():
        if names is not None and f.name not in names:
            continue
        help_text = f"{f.metadata['help']} [env {env_name(f.name)}]"
        if f.type in ("bool", bool):
            # A switch: present means true; the environment variable can still say false.
            parser.add_argument(
                flag_name(f.name), dest=f.name, action="store_const", const="true", help=help_text
            )
        else:
            parser.add_argument(
                flag_name(f.name), dest=f.name, default=None, metavar=f.name.upper(), help=help_text
            )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fractal-rmo",
        description="An MCP server that makes AI coding assistants learn from their own mistakes.",
    )
    parser.add_argument("--version", action="version", version=f"fractal-rmo {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="Run the MCP server (stdio by default).")
    _add_setting_flags(serve)

    migrate = commands.add_parser("migrate", help="Apply pending database migrations and exit.")
    _add_setting_flags(migrate, STORE_FLAGS)

    patterns = commands.add_parser("patterns", help="Print the pattern library as a table.")
    _add_setting_flags(patterns, STORE_FLAGS)
    patterns.add_argument("--category", help="Only patterns whose category starts with this (e.g. runtime).")
    patterns.add_argument(
        "--min-frequency", type=int, default=1, help="Only patterns seen at least this often."
    )
    patterns.add_argument("--since", help="Only patterns seen since this ISO date or time.")
    patterns.add_argument("--limit", type=int, default=20, help="How many patterns to show (1-100).")

    protocol = commands.add_parser(
        "protocol", help="Print the protocol (all rules, or those for a category or task)."
    )
    _add_setting_flags(protocol, STORE_FLAGS)
    protocol.add_argument("--category", help="Only rules for this action category (e.g. python.io.parse).")
    protocol.add_argument("--task", help="Only rules relevant to this task description.")
    protocol.add_argument(
        "--max-tokens", type=int, default=8000, help="Token budget of the printed protocol."
    )

    report = commands.add_parser(
        "report", help="Print the learning metrics; optionally write a PNG learning curve."
    )
    _add_setting_flags(report, STORE_FLAGS)
    report.add_argument("--png", help="Write the learning curve to this PNG file (needs matplotlib).")
    report.add_argument("--window", type=int, default=10, help="Tasks per point of the error-rate curve.")

    from .evaluation.cli import add_eval_parser

    add_eval_parser(commands)
    return parser


def cli_logic(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    parser = build_parser()
    args = parser.parse_args(list(argv) or ["serve"])
    command = args.command or "serve"
    flags = {f.name: getattr(args, f.name, None) for f in setting_fields()}
    try:
        settings = Settings.load(flags, environ)
    except SettingsError as exc:
        print(f"fractal-rmo: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        stream=sys.stderr, level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        if command == "serve":
            return _serve(settings)
        if command == "migrate":
            return anyio.run(_migrate, settings)
        if command == "patterns":
            return anyio.run(_patterns, settings, args)
        if command == "protocol":
            return anyio.run(_protocol, settings, args)
        if command == "report":
            return anyio.run(_report, settings, args)
        if command == "eval":
            from .evaluation.cli import run_eval

            return run_eval(args, environ=environ)
    except SettingsError as exc:
        print(f"fractal-rmo: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    parser.error(f"unknown command {command!r}")
    return 2  # pragma: no cover - parser.error exits


def _serve(settings: Settings) -> int:
    from store import StoreUnavailable

    from .app import build_server
    from .auth import check_exposure, print_warnings
    from .transports import serve

    print_warnings(check_exposure(settings))
    try:
        anyio.run(serve, build_server(settings), settings)
    except StoreUnavailable as exc:
        print(
            f"fractal-rmo: cannot open the database: {exc}\nHint: check --db / FRACTAL_RMO_DB.",
            file=sys.stderr,
        )
        return 1
    return 0


async def _migrate(settings: Settings) -> int:
    from store import StoreError, open_store

    try:
        store = await open_store(settings.db, migrate=False)
    except StoreError as exc:
        print(
            f"fractal-rmo: cannot open the database: {exc}\nHint: check --db / FRACTAL_RMO_DB.",
            file=sys.stderr,
        )
        return 1
    try:
        applied = await store.migrate()
    finally:
        await store.close()
    if applied:
        print(f"applied {len(applied)} migration(s) to {store.url}: {', '.join(applied)}")
    else:
        print(f"{store.url} is up to date")
    return 0


async def _patterns(settings: Settings, args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from tools.errors import Busy
    from tools.find_patterns import PatternQuery, find_patterns

    from .adapters import describe_validation_error

    try:
        query = PatternQuery(
            category=args.category, min_frequency=args.min_frequency, since=args.since, limit=args.limit
        )
        async with _opened(settings) as store:
            page = await find_patterns(
                query, store=store, workspace=settings.workspace, mining_wait_s=settings.mining_wait_s
            )
    except ValidationError as exc:
        print(f"fractal-rmo: {describe_validation_error(exc)}", file=sys.stderr)
        return 2
    except (CommandFailed, Busy) as exc:  # Busy: another instance's mining pass outlasted the wait
        print(f"fractal-rmo: {exc}", file=sys.stderr)
        return 1
    print(render_pattern_table(page.patterns, total=page.total, width=shutil.get_terminal_size().columns))
    return 0


@asynccontextmanager
async def _opened(settings: Settings) -> AsyncIterator[Any]:
    from store import StoreError, open_store

    try:
        store = await open_store(settings.db)
    except StoreError as exc:
        raise CommandFailed(f"cannot open the database: {exc}\nHint: check --db / FRACTAL_RMO_DB.") from exc
    try:
        yield store
    finally:
        await store.close()


class CommandFailed(Exception):
    """A terminal command could not do its work; the message says why."""


async def _protocol(settings: Settings, args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from tools.errors import InvalidInput
    from tools.protocol import ProtocolRequest, get_protocol

    from .app import learning_from

    try:
        request = ProtocolRequest(category=args.category, task=args.task, max_tokens=args.max_tokens)
        async with _opened(settings) as store:
            protocol = await get_protocol(
                request, store=store, workspace=settings.workspace, config=learning_from(settings)
            )
    except (ValidationError, InvalidInput, CommandFailed) as exc:
        print(f"fractal-rmo: {exc}", file=sys.stderr)
        return 2
    print(protocol.markdown)
    return 0


async def _report(settings: Settings, args: argparse.Namespace) -> int:
    from tools.metrics import learning_metrics, metrics_markdown, write_learning_curve

    from .app import learning_from

    try:
        async with _opened(settings) as store:
            metrics = await learning_metrics(
                store=store, workspace=settings.workspace, config=learning_from(settings), window=args.window
            )
    except CommandFailed as exc:
        print(f"fractal-rmo: {exc}", file=sys.stderr)
        return 1
    print(metrics_markdown(metrics))
    if args.png:
        try:
            path = write_learning_curve(metrics, args.png)
        except ImportError:
            print("fractal-rmo: --png needs matplotlib: pip install 'fractal-rmo[report]'", file=sys.stderr)
            return 1
        print(f"learning curve written to {path}", file=sys.stderr)
    return 0


def render_pattern_table(patterns: Sequence[Any], *, total: int, width: int = 100) -> str:
    if not patterns:
        return "No patterns yet. Errors reported with log_error or found by validate_code appear here."
    headers = ("ID", "FREQ", "TASKS", "CONF", "STATUS", "CATEGORY", "TITLE")
    rows = [
        (p.id, str(p.frequency), str(p.distinct_tasks), f"{p.confidence:.2f}", p.status, p.category, p.title)
        for p in patterns
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers[:-1])]
    title_width = max(20, width - sum(widths) - 2 * len(widths))

    def line(cells: Sequence[str]) -> str:
        fixed = "  ".join(c.ljust(w) for c, w in zip(cells[:-1], widths, strict=True))
        title = cells[-1] if len(cells[-1]) <= title_width else cells[-1][: title_width - 1] + "…"
        return f"{fixed}  {title}".rstrip()

    out = [line(headers), line(tuple("-" * len(h) for h in headers))]
    out += [line(r) for r in rows]
    out.append(f"{len(rows)} of {total} pattern(s)")
    return "\n".join(out)


def main() -> None:
    sys.exit(cli_logic(sys.argv[1:]))
