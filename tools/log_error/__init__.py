"""The `log_error` tool: record an error, fingerprint it, and tie it to its pattern."""

from .log import log_error
from .models import ErrorReport, Evidence, FingerprintComponent, InsightOut, LoggedError

__all__ = ["ErrorReport", "Evidence", "FingerprintComponent", "InsightOut", "LoggedError", "log_error"]
