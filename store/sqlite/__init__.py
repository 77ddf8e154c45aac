"""The SQLite backend (sqlite3 on worker threads): WAL, one writer at a time, durable on every commit."""

from .store import SqliteStore

__all__ = ["SqliteStore"]
