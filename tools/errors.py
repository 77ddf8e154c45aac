"""Errors a caller (usually the client's model) can fix by changing its request."""

from __future__ import annotations


class InvalidInput(ValueError):
    """A request argument is wrong; the message says what was wrong, what is valid and what to do next.

    The server turns it into a tool error (``isError: true``) with this message, unchanged.
    """


class Busy(RuntimeError):
    """A bounded resource is full right now; the same call may succeed if retried later."""
