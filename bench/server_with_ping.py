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
    settings = Settings.load(
        {"transport": args.get("--transport"), "port": args.get("--port"), "db": args.get("--db")}, {}
    )
    anyio.run(serve, with_ping(settings), settings)
