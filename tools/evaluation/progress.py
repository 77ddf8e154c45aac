"""A small progress bar on stderr: redrawn in place on a terminal, a line per tenth otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(
        self, total: int, *, stream: TextIO | None = None, width: int = 28, enabled: bool = True
    ) -> None:
        self.total = max(total, 1)
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.enabled = enabled
        self.done = 0
        self.started = time.monotonic()
        self.interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_tenth = -1

    def line(self, status: str = "") -> str:
        filled = round(self.width * self.done / self.total)
        elapsed = time.monotonic() - self.started
        eta = elapsed / self.done * (self.total - self.done) if self.done else None
        eta_text = f" eta {eta:4.0f}s" if eta is not None and self.done < self.total else ""
        bar = "#" * filled + "." * (self.width - filled)
        return f"[{bar}] {self.done}/{self.total} {100 * self.done / self.total:3.0f}%{eta_text} {status}".rstrip()

    def advance(self, status: str = "", step: int = 1) -> None:
        self.done = min(self.total, self.done + step)
        if not self.enabled:
            return
        if self.interactive:
            self.stream.write("\r" + self.line(status).ljust(100))
            self.stream.flush()
            return
        tenth = 10 * self.done // self.total
        if tenth != self._last_tenth:
            self._last_tenth = tenth
            self.stream.write(self.line(status) + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.interactive:
            self.stream.write("\n")
            self.stream.flush()
