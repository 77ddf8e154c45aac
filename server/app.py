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

from mcp.server.mcpserver import AssistantMessage, Context, MCPServer, UserMessage
from mcp.types import ToolAnnotations
from pydantic import Field

from prompts.reflect_on_pattern import reflect_on_pattern as reflect_messages
from prompts.solve_task import solve_task_messages
from resources import patterns as pattern_resources
from store import Store, open_store
from tools.complete_task import CompleteTaskRequest, TaskOutcome, complete_task
from tools.decompose import DecomposeRequest, Decomposition, decompose
from tools.experiments import LearningConfig
from tools.find_patterns import PatternList, PatternQuery, find_patterns
from tools.insights import ProposedInsight, ProposeInsightRequest, maybe_auto_insight, propose_insight
from tools.limits import Limits
from tools.log_error import ErrorReport, InsightOut, LoggedError, log_error
from tools.protocol import Protocol, ProtocolRequest, get_protocol
from tools.validate_code import SandboxConfig, ValidationRequest, ValidationResult, validate_code

from . import __version__
from .adapters import domain_errors, flat_arguments, resource_errors
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
    learning: LearningConfig
    sandbox: SandboxConfig


def sandbox_from(settings: Settings) -> SandboxConfig:
    return SandboxConfig(
        default_timeout_s=settings.validate_timeout_s,
        slots=settings.sandbox_slots,
        max_queue=settings.sandbox_queue,
        max_code_bytes=settings.max_code_bytes,
        max_tests=settings.max_tests,
    )


def learning_from(settings: Settings) -> LearningConfig:
    return LearningConfig(
        alpha=settings.learning_alpha,
        treatment_share=settings.treatment_share,
        holdout_share=settings.holdout_share,
        sample_cap=settings.sample_cap,
        taxonomy_file=settings.taxonomy_file,
    )


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
        limits, learning, sandbox = limits_from(settings), learning_from(settings), sandbox_from(settings)
        opened = store if store is not None else await open_store(settings.db)
        try:
            state = AppState(
                store=opened, settings=settings, limits=limits, learning=learning, sandbox=sandbox
            )
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
    register_learning_tools(mcp)
    register_resources(mcp)
    register_learning_resources(mcp)
    register_prompts(mcp)
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
        logged = await attach_auto_insight(logged, state, workspace_of(ctx))
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
        result = await find_patterns(
            query, store=state.store, workspace=workspace_of(ctx), mining_wait_s=state.settings.mining_wait_s
        )
        if result.mined_groups:  # the pass described new patterns or merged some: the library changed
            await announce_library_change(ctx)
        return result

    mcp.tool(
        name="find_patterns",
        title="Find recurring error patterns",
        annotations=ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False),
    )(flat_arguments(PatternQuery, find_patterns_handler, PatternList))


async def attach_auto_insight(logged: LoggedError, state: AppState, workspace: str) -> LoggedError:
    """A pattern that just became confirmed gets the built-in library's insight, when one fits."""
    if logged.pattern_status != "confirmed" or logged.insight is not None:
        return logged
    proposed = await maybe_auto_insight(
        logged.pattern_id, store=state.store, workspace=workspace, config=state.learning
    )
    if proposed is None:
        return logged
    insight = await state.store.insight_for(workspace, logged.pattern_id)
    if insight is None:
        return logged
    return logged.model_copy(
        update={
            "insight": InsightOut(
                insight_id=insight.insight_id,
                rule=insight.rule,
                example_wrong=insight.example_wrong,
                example_right=insight.example_right,
                source=insight.source,
            )
        }
    )


def register_learning_tools(mcp: MCPServer[AppState]) -> None:
    async def validate_code_handler(request: ValidationRequest, ctx: Context) -> ValidationResult:
        """Check Python code in levels and record every genuine failure as an error.

        Level 1 compiles it (syntax), 2 runs static analysis for real bugs (undefined names, unused
        imports, mutable defaults, bare excepts...), 3 runs your tests (pytest-style test_* functions
        or bare asserts) against it in a sandbox, 4 adds performance checks. It stops at the first
        failing stage and reports each finding with its line, and for failing tests the assert with
        its expected and actual values. When a failure is a mistake seen before, known_patterns names
        it with the rule that avoids it. Pass task_id and action_id from decompose.
        """
        state = state_of(ctx)

        async def progress(done: float, total: float | None, message: str) -> None:
            await ctx.report_progress(done, total, message)

        logged_before = await state.store.library_version(workspace_of(ctx))
        result = await validate_code(
            request,
            store=state.store,
            workspace=workspace_of(ctx),
            sandbox=state.sandbox,
            limits=state.limits,
            progress=progress,
        )
        for pattern_id in dict.fromkeys(ref.pattern_id for ref in result.errors_logged):
            await maybe_auto_insight(
                pattern_id, store=state.store, workspace=workspace_of(ctx), config=state.learning
            )
        if await state.store.library_version(workspace_of(ctx)) != logged_before:
            await announce_library_change(ctx)
        return result

    mcp.tool(
        name="validate_code",
        title="Validate code",
        annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False),
    )(flat_arguments(ValidationRequest, validate_code_handler, ValidationResult))

    async def decompose_handler(request: DecomposeRequest, ctx: Context) -> Decomposition:
        """Start a task: split it into steps from the action taxonomy, each with its rules and pitfalls.

        Call this first for every coding task. It creates the task (keep its task_id for validate_code,
        log_error and complete_task) and returns a tree of action items (understand the spec, design
        the interface, parse input, handle edge cases, implement, handle errors, write tests,
        optimise...), each carrying the learned rules that apply to it and the mistakes already seen
        in that kind of step.
        """
        state = state_of(ctx)
        return await decompose(request, store=state.store, workspace=workspace_of(ctx), config=state.learning)

    mcp.tool(name="decompose", title="Decompose a task", annotations=ToolAnnotations(open_world_hint=False))(
        flat_arguments(DecomposeRequest, decompose_handler, Decomposition)
    )

    async def get_protocol_handler(request: ProtocolRequest, ctx: Context) -> Protocol:
        """Get the learned rules that apply to a task, ranked by proven effect, within a token budget.

        Pass the task_id from decompose (best: the answer is then stable for that task and includes
        rules on trial), or a category such as "python.io.parse", or the task text. Paste the returned
        markdown into your working context and follow it.
        """
        state = state_of(ctx)
        return await get_protocol(
            request, store=state.store, workspace=workspace_of(ctx), config=state.learning
        )

    mcp.tool(
        name="get_protocol",
        title="Get the learned protocol",
        annotations=ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False),
    )(flat_arguments(ProtocolRequest, get_protocol_handler, Protocol))

    async def complete_task_handler(request: CompleteTaskRequest, ctx: Context) -> TaskOutcome:
        """Close a task with its outcome (succeeded, failed or abandoned), tokens used and cost.

        Call it once when you are done. The outcome, together with the errors validate_code found
        during the task, is what decides whether the rules on trial are kept.
        """
        state = state_of(ctx)
        return await complete_task(
            request, store=state.store, workspace=workspace_of(ctx), config=state.learning
        )

    mcp.tool(
        name="complete_task",
        title="Complete a task",
        annotations=ToolAnnotations(idempotent_hint=False, open_world_hint=False),
    )(flat_arguments(CompleteTaskRequest, complete_task_handler, TaskOutcome))

    async def propose_insight_handler(request: ProposeInsightRequest, ctx: Context) -> ProposedInsight:
        """Propose a rule that would have prevented a pattern's errors, with a wrong -> right example.

        Use the reflect_on_pattern prompt to write it. The rule becomes a candidate and is shown to a
        share of later tasks; it is adopted only if the data show it reduces that pattern's errors.
        """
        state = state_of(ctx)
        result = await propose_insight(
            request, store=state.store, workspace=workspace_of(ctx), config=state.learning
        )
        await announce_library_change(ctx)
        return result

    mcp.tool(
        name="propose_insight",
        title="Propose an insight",
        annotations=ToolAnnotations(open_world_hint=False),
    )(flat_arguments(ProposeInsightRequest, propose_insight_handler, ProposedInsight))


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
                None,
                store=state.store,
                workspace=workspace_for_request(state.settings.workspace),
                mining_wait_s=state.settings.mining_wait_s,
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
            return await pattern_resources.library_page(
                cursor,
                store=state.store,
                workspace=workspace_of(ctx),
                mining_wait_s=state.settings.mining_wait_s,
            )

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
            return await pattern_resources.pattern_detail(
                pattern_id, store=state.store, workspace=workspace_of(ctx)
            )

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


def register_learning_resources(mcp: MCPServer[AppState]) -> None:
    @mcp.resource(
        "protocol://current",
        name="protocol",
        title="Current protocol",
        description="Every adopted rule of the protocol, as markdown.",
        mime_type="text/markdown",
    )
    async def protocol_current() -> str:
        state = running_state(mcp)
        workspace = workspace_for_request(state.settings.workspace)
        with resource_errors():
            protocol = await get_protocol(
                ProtocolRequest(max_tokens=8000),
                store=state.store,
                workspace=workspace,
                config=state.learning,
            )
        return protocol.markdown

    @mcp.resource(
        "protocol://{category}",
        name="protocol-category",
        title="Protocol for an action category",
        description="The rules that apply to one action category (e.g. python.io.parse), as markdown.",
        mime_type="text/markdown",
    )
    async def protocol_for_category(category: str, ctx: Context) -> str:
        state = state_of(ctx)
        with resource_errors():
            protocol = await get_protocol(
                ProtocolRequest(category=category, max_tokens=8000),
                store=state.store,
                workspace=workspace_of(ctx),
                config=state.learning,
            )
        return protocol.markdown

    @mcp.resource(
        "metrics://learning",
        name="learning-metrics",
        title="Learning metrics",
        description="Error rate per task over time, recurrence before and after each rule, each rule's "
        "measured effect with an interval, cost and tokens per task.",
        mime_type="text/markdown",
    )
    async def learning() -> str:
        from tools.metrics import learning_metrics, metrics_markdown

        state = running_state(mcp)
        workspace = workspace_for_request(state.settings.workspace)
        with resource_errors():
            metrics = await learning_metrics(store=state.store, workspace=workspace, config=state.learning)
        return metrics_markdown(metrics)

    @mcp.resource(
        "taxonomy://actions",
        name="taxonomy",
        title="Action taxonomy",
        description="The hierarchy of action categories that decompose draws from and rules are scoped to.",
        mime_type="text/markdown",
    )
    async def taxonomy() -> str:
        from tools.taxonomy import describe_taxonomy, taxonomy_for

        state = running_state(mcp)
        workspace = workspace_for_request(state.settings.workspace)
        with resource_errors():
            found = await taxonomy_for(
                store=state.store, workspace=workspace, taxonomy_file=state.learning.taxonomy_file
            )
        return describe_taxonomy(found).markdown


def register_prompts(mcp: MCPServer[AppState]) -> None:
    def as_messages(pairs: list[tuple[str, str]]) -> list[UserMessage | AssistantMessage]:
        return [UserMessage(text) if role == "user" else AssistantMessage(text) for role, text in pairs]

    @mcp.prompt(name="solve_task", title="Solve a task with Fractal-RMO")
    def solve_task(
        task: str = Field(description="The coding task, as the user gave it."),
        domain: str = Field("python", description="Domain of the task; python is the built-in taxonomy."),
    ) -> list[UserMessage | AssistantMessage]:
        """Walk through the whole loop: protocol, decompose, write code, validate, fix, complete."""
        return as_messages(solve_task_messages(task, domain=domain))

    @mcp.prompt(name="reflect_on_pattern", title="Write an insight for a pattern")
    async def reflect_on_pattern(
        ctx: Context, pattern_id: str = Field(description="Id of the pattern, e.g. p-7 (see find_patterns).")
    ) -> list[UserMessage | AssistantMessage]:
        """Ask your model for a rule that prevents a recurring mistake, then submit it with propose_insight."""
        state = state_of(ctx)
        with domain_errors():
            pairs = await reflect_messages(
                pattern_id, store=state.store, workspace=workspace_of(ctx), config=state.learning
            )
        return as_messages(pairs)
