"""The real server plus two tools that do no work, so round trips can be compared on one server.

`ping` is the trivial call. `log_error_shape` takes log_error's arguments and answers in
log_error's shape without analysing or storing anything: what the MCP layer alone charges for a
call of that size (argument validation, the answer's serialisation and the client's schema check),
the least any log_error could cost.
"""

from __future__ import annotations

import sys

import anyio
from mcp.server.mcpserver import Context

from server.adapters import flat_arguments
from server.app import build_server
from server.settings import Settings
from server.transports import serve
from tools.log_error import ErrorReport, LoggedError


def with_ping(settings: Settings):  # type: ignore[no-untyped-def]
    mcp = build_server(settings)

    @mcp.tool()
    async def ping(x: int = 0) -> int:
        """Return x: the cheapest possible tool call."""
        return x

    async def log_error_shape(report: ErrorReport, ctx: Context) -> LoggedError:
        """Answer like log_error, from the report alone: nothing analysed, nothing stored."""
        return LoggedError(
            error_id="e-1",
            fingerprint="v1:" + "0" * 20,
            category="runtime",
            error_type=report.error_type,
            title=report.message[:80],
            pattern_id="p-1",
            pattern_title=report.message[:80],
            pattern_frequency=1,
            pattern_status="emerging",
            new_pattern=False,
        )

    mcp.tool(name="log_error_shape")(flat_arguments(ErrorReport, log_error_shape, LoggedError))
    return mcp


if __name__ == "__main__":
    args = dict(zip(sys.argv[1::2], sys.argv[2::2], strict=True))
    # The fairness limits stay in the path but far above the benchmark's pace: a few hundred calls
    # in a second would otherwise be refused, and latency, not refusal, is what is measured here.
    unlimited = "1000000"
    settings = Settings.load(
        {
            "transport": args.get("--transport"),
            "port": args.get("--port"),
            "db": args.get("--db"),
            "rate_limit_per_minute": unlimited,
            "rate_limit_burst": unlimited,
            "http_rate_limit_per_minute": unlimited,
        },
        {},
    )
    anyio.run(serve, with_ping(settings), settings)
