"""The MCP server: `build_server(settings)` registers every tool, resource and prompt.

This is the only module that knows MCP. Each registration is a short adapter that takes the shared
state from the lifespan, works out the caller's workspace, and calls a domain function.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.types import ToolAnnotations

from resources import patterns as pattern_resources
from store import Store, open_store
from tools.find_patterns import PatternList, PatternQuery, find_patterns
from tools.limits import Limits
from tools.log_error import ErrorReport, LoggedError, log_error

from . import __version__
from .adapters import flat_arguments, resource_errors
from .auth import auth_kwargs, workspace_for_request
from .limits import RateLimiter, ToolCallRateLimit
from .settings import Settings

log = logging.getLogger(__name__)

INSTRUCTIONS = """\
Fractal-RMO records the coding errors you make, groups them into recurring patterns and hands you the
rules learned from them. Report every genuine error you see (a traceback, a failing test, a linter
finding) with log_error; it answers with the pattern the error belongs to and, when one exists, the
rule that avoids it. Call find_patterns to see which mistakes recur. Never report your own opinion
of your work as an error: only what actually failed."""


@dataclass(frozen=True, slots=True)
class AppState:
    store: Store
    settings: Settings
    limits: Limits


def limits_from(settings: Settings) -> Limits:
    return Limits(
        message_chars=settings.max_message_chars,
        traceback_chars=settings.max_traceback_chars,
        code_chars=settings.max_code_bytes,
    )


def state_of(ctx: Context) -> AppState:
    return ctx.request_context.lifespan_context


def running_state(mcp: MCPServer[AppState]) -> AppState:
    state = getattr(mcp, "_fractal_state", None)
    if state is None:
        raise RuntimeError("the server's lifespan has not started")
    return state


def workspace_of(ctx: Context) -> str:
    """The caller's workspace: the bearer token's over HTTP, the configured one over stdio."""
    return workspace_for_request(state_of(ctx).settings.workspace)


async def announce_library_change(ctx: Context) -> None:
    """Tell subscribed clients of both protocol eras that the pattern library changed."""
    await ctx.notify_resources_changed()
    await ctx.notify_resource_updated("patterns://library")
    session = getattr(ctx, "session", None)
    if session is not None:
        # Legacy (2025-era) sessions only hear the session-level notification; modern ones drop it.
        try:
            await session.send_resource_list_changed()
        except Exception:  # a transport without a back channel has nobody to tell
            log.debug("legacy list-changed notification not delivered", exc_info=True)


def build_server(settings: Settings, *, store: Store | None = None) -> MCPServer[AppState]:
    """The Fractal-RMO server. Pass `store` to share an already open store (tests, benchmarks)."""

    @asynccontextmanager
    async def lifespan(_: MCPServer[AppState]) -> AsyncIterator[AppState]:
        limits = limits_from(settings)
        opened = store if store is not None else await open_store(settings.db)
        try:
            state = AppState(store=opened, settings=settings, limits=limits)
            mcp._fractal_state = state  # type: ignore[attr-defined]
            yield state
        finally:
            if store is None:
                await opened.close()

    mcp: MCPServer[AppState] = MCPServer(
        "fractal-rmo",
        title="Fractal-RMO",
        instructions=INSTRUCTIONS,
        version=__version__,
        lifespan=lifespan,
        log_level=settings.log_level,  # type: ignore[arg-type]
        **auth_kwargs(settings),
    )
    if settings.transport != "stdio" and settings.rate_limit_per_minute:
        limiter = RateLimiter(per_minute=settings.rate_limit_per_minute, burst=settings.rate_limit_burst)
        mcp.middleware.append(ToolCallRateLimit(limiter, default_workspace=settings.workspace))
    register_tools(mcp)
    register_resources(mcp)
    return mcp


def register_tools(mcp: MCPServer[AppState]) -> None:
    async def log_error_handler(report: ErrorReport, ctx: Context) -> LoggedError:
        """Record an error you saw (traceback, failing test, linter finding).

        The server categorises it, fingerprints it (exception type, your code's frames, the message with
        numbers and strings replaced), removes secrets, stores it, and answers with the pattern it belongs
        to and, when one exists, the learned rule that avoids it. Report only errors that actually
        happened, with the traceback when there is one.
        """
        state = state_of(ctx)
        logged = await log_error(report, store=state.store, workspace=workspace_of(ctx), limits=state.limits)
        if logged.new_pattern:
            await announce_library_change(ctx)
        return logged

    mcp.tool(
        name="log_error",
        title="Log an error",
        annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False),
    )(flat_arguments(ErrorReport, log_error_handler, LoggedError))

    async def find_patterns_handler(query: PatternQuery, ctx: Context) -> PatternList:
        """List recurring error patterns, most frequent first.

        Each pattern groups errors that are the same mistake, even when worded differently, with how
        often it happened, in how many distinct tasks, how confident the grouping is, examples, and the
        learned rule (insight) when one exists. Filter by category prefix (e.g. "runtime" or
        "logic.assertion"), minimum frequency, or time; page with the returned next_cursor.
        """
        state = state_of(ctx)
        before = await state.store.library_version(workspace_of(ctx))
        result = await find_patterns(query, store=state.store, workspace=workspace_of(ctx))
        if await state.store.library_version(workspace_of(ctx)) != before:
            await announce_library_change(ctx)
        return result

    mcp.tool(
        name="find_patterns",
        title="Find recurring error patterns",
        annotations=ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False),
    )(flat_arguments(PatternQuery, find_patterns_handler, PatternList))


def register_resources(mcp: MCPServer[AppState]) -> None:
    @mcp.resource(
        "patterns://library",
        name="pattern-library",
        title="Pattern library",
        description="Summary of the recurring error patterns, most frequent first (first page; "
        "the 'next' URI pages on).",
        mime_type="application/json",
    )
    async def pattern_library() -> dict[str, Any]:
        # Static resources get no Context; the lifespan state is reached through the server itself.
        state = running_state(mcp)
        with resource_errors():
            return await pattern_resources.library_page(
                None, store=state.store, workspace=workspace_for_request(state.settings.workspace)
            )

    @mcp.resource(
        "patterns://library/after/{cursor}",
        name="pattern-library-page",
        title="Pattern library page",
        description="The next page of the pattern library summary; follow the 'next' URI of the previous page.",
        mime_type="application/json",
    )
    async def pattern_library_page(cursor: str, ctx: Context) -> dict[str, Any]:
        state = state_of(ctx)
        with resource_errors():
            return await pattern_resources.library_page(cursor, store=state.store, workspace=workspace_of(ctx))

    @mcp.resource(
        "patterns://{pattern_id}",
        name="pattern",
        title="One error pattern",
        description="A pattern with its examples, insight, provenance and the ids of its errors (first page).",
        mime_type="application/json",
    )
    async def pattern_detail(pattern_id: str, ctx: Context) -> dict[str, Any]:
        state = state_of(ctx)
        with resource_errors():
            return await pattern_resources.pattern_detail(pattern_id, store=state.store, workspace=workspace_of(ctx))

    @mcp.resource(
        "patterns://{pattern_id}/errors/{after}",
        name="pattern-errors",
        title="Error ids of a pattern",
        description="The ids of a pattern's errors after the given error id (use 'start' for the first page).",
        mime_type="application/json",
    )
    async def pattern_errors(pattern_id: str, after: str, ctx: Context) -> dict[str, Any]:
        state = state_of(ctx)
        with resource_errors():
            return await pattern_resources.pattern_error_ids(
                pattern_id, after, store=state.store, workspace=workspace_of(ctx)
            )
