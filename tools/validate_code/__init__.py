"""The `validate_code` tool: syntax, static analysis, sandboxed tests and performance, in stages."""

from .config import SandboxConfig
from .isolation import SandboxUnavailable
from .models import (
    Finding,
    KnownPattern,
    LoggedRef,
    PerfSpec,
    StageResult,
    ValidationRequest,
    ValidationResult,
)
from .service import validate_code

__all__ = [
    "Finding",
    "KnownPattern",
    "LoggedRef",
    "PerfSpec",
    "SandboxConfig",
    "SandboxUnavailable",
    "StageResult",
    "ValidationRequest",
    "ValidationResult",
    "validate_code",
]
