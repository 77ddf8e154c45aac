"""Glue between MCP handlers and the domain functions in `tools`.

`flat_arguments` lets a tool take a pydantic request model as flat arguments (``{"message": ...}``,
not ``{"report": {"message": ...}}``) while the model stays the single place where fields, limits and
descriptions are declared. `domain_errors` turns the domain's exceptions into tool errors a model can
act on, and store outages into protocol errors.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, Any, TypeVar

from mcp import MCPError
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from pydantic import BaseModel, ValidationError

from store import NotFound, StoreError, StoreUnavailable
from tools.errors import Busy, InvalidInput
from tools.validate_code import SandboxUnavailable

log = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=BaseModel)
ResultT = TypeVar("ResultT")

# JSON-RPC code for "the server cannot serve this right now" (implementation-defined range).
STORE_UNAVAILABLE = -32001
SANDBOX_UNAVAILABLE = -32002


def describe_validation_error(exc: ValidationError) -> str:
    """One line per problem, in the `'{field}' must be {expected} (got {value!r})` form."""
    parts = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        got = err.get("input")
        shown = (
            repr(got)
            if not isinstance(got, str | bytes) or len(got) < 80
            else f"{type(got).__name__} of length {len(got)}"
        )
        parts.append(f"'{where}' {err['msg'].lower()} (got {shown})")
    return "; ".join(parts)


@contextlib.contextmanager
def domain_errors() -> Iterator[None]:
    """Map domain exceptions to what the client should see."""
    try:
        yield
    except (InvalidInput, Busy, NotFound) as exc:
        raise ToolError(str(exc)) from exc
    except ValidationError as exc:
        raise ToolError(describe_validation_error(exc)) from exc
    except SandboxUnavailable as exc:
        log.error("sandbox unavailable: %s", exc)
        raise MCPError(
            code=SANDBOX_UNAVAILABLE, message=f"Code cannot be run safely on this server: {exc}"
        ) from exc
    except StoreUnavailable as exc:
        log.error("store unavailable: %s", exc)
        raise MCPError(
            code=STORE_UNAVAILABLE, message="The error store is unavailable; retry shortly."
        ) from exc
    except StoreError as exc:
        log.exception("store error")
        raise MCPError(
            code=STORE_UNAVAILABLE, message="The error store failed to complete the request."
        ) from exc


@contextlib.contextmanager
def resource_errors() -> Iterator[None]:
    try:
        yield
    except (NotFound, InvalidInput) as exc:
        raise ResourceNotFoundError(str(exc)) from exc
    except Busy as exc:  # another instance is mining the workspace; the message says to retry
        raise MCPError(code=STORE_UNAVAILABLE, message=str(exc)) from exc
    except StoreError as exc:
        log.exception("store error while reading a resource")
        raise MCPError(
            code=STORE_UNAVAILABLE, message="The error store failed to complete the request."
        ) from exc


def flat_arguments(
    model: type[ModelT],
    handler: Callable[[ModelT, Context], Awaitable[ResultT]],
    result_type: type[ResultT],
) -> Callable[..., Awaitable[ResultT]]:
    """Build a tool function whose parameters are the fields of `model`, plus the injected Context."""

    params = [inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)]
    annotations: dict[str, Any] = {"ctx": Context, "return": result_type}
    for name, info in model.model_fields.items():
        annotation = Annotated[info.annotation, info] if info.is_required() else info.annotation
        default = inspect.Parameter.empty if info.is_required() else info
        params.append(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
        )
        annotations[name] = annotation

    @functools.wraps(handler)
    async def tool(*, ctx: Context, **arguments: Any) -> ResultT:
        with domain_errors():
            request = model.model_validate(arguments)
            return await handler(request, ctx)

    tool.__signature__ = inspect.Signature(params, return_annotation=result_type)  # type: ignore[attr-defined]
    tool.__annotations__ = annotations
    tool.__doc__ = handler.__doc__
    del tool.__wrapped__  # so inspect.signature reports the flat parameters, not the handler's
    return tool
