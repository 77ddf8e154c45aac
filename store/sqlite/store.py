"""`SqliteStore`: the embedded backend, one SQLite file (or memory) shared by any number of processes.

The store is assembled from mixins, one per area, all built on `SqliteBase` (connection.py).
Code that adds queries (the learning loop in learning.py) uses these stable helpers:

- ``async with self._write() as conn:`` -- the single writer connection inside
  ``BEGIN IMMEDIATE ... COMMIT``: it holds SQLite's write lock, so values read and updated in the
  block are safe from every other writer, in this process or another. Rolled back when the block
  raises; driver errors come out as `store.base` errors.
- ``async with self._read() as conn:`` -- a query-only connection inside one read transaction,
  so every query in the block sees the same snapshot.
- ``await self._transact(work, ...)`` and ``await self._query(work, ...)`` -- the same two
  transactions for a plain function ``work(sqlite3_connection, ...)`` that does all its queries
  synchronously on the connection's thread. Every await inside ``_write()``/``_read()`` is a hop
  between the event loop and that thread; these make a whole use case one hop (hot paths use them).
- ``self._now()`` -- the current time as an aware UTC datetime. Timestamps are stored as text by
  ``connection.to_text`` and read back with ``connection.from_text``.

None of these may be entered inside another. Rows are ``sqlite3.Row`` (by index or name);
``connection.fetch_all``/``fetch_one``/``next_key``/``json_list`` are the shared query helpers
(with ``*_sync`` twins for `_transact`/`_query` work).
"""

from __future__ import annotations

from .error_log import SqliteErrorLog
from .insights import SqliteInsights
from .learning import SqliteLearning
from .mining import SqliteMining
from .patterns import SqlitePatterns
from .tasks import SqliteTasks


class SqliteStore(SqliteErrorLog, SqlitePatterns, SqliteMining, SqliteTasks, SqliteInsights, SqliteLearning):
    """`store.base.Store` on SQLite; open with `SqliteStore.open(url)` or `open_store`."""
