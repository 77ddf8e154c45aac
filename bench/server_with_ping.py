"""The real server plus a trivial `ping` tool, so round trips can be compared on one server."""

from __future__ import annotations

import sys

import anyio

from server.app import build_server
from server.settings import Settings
from server.transports import serve


def with_ping(settings: Settings):  # type: ignore[no-untyped-def]
    mcp = build_server(settings)

    @mcp.tool()
    async def ping(x: int = 0) -> int:
        """Return x: the cheapest possible tool call."""
        return x

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
