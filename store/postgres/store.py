"""`PostgresStore`: the shared backend, for several server instances on one database.

The store is assembled from mixins, one per area, all built on `PostgresBase` (connection.py).
Code that adds queries (the learning loop in learning.py) uses three stable helpers:

- ``async with self._write() as conn:`` -- a pooled asyncpg connection inside a READ COMMITTED
  transaction, committed on exit and rolled back when the block raises; driver errors come out
  as `store.base` errors. Change counters with SQL arithmetic (``n = n + $1``, ``INSERT ... ON
  CONFLICT DO UPDATE``), never by reading a value and writing it back. Wrap a write that locks
  several rows in ``await self._retrying(lambda: ...)`` to retry it after a deadlock.
- ``async with self._read() as conn:`` -- a pooled connection inside a read-only REPEATABLE READ
  transaction, so every query in the block sees the same snapshot.
- ``self._now()`` -- the current time as an aware UTC datetime (timestamptz columns take it as is).

jsonb values come back as Python objects; pass JSON text with a ``$n::text::jsonb`` cast, or a
Python value to a ``$n::jsonb`` parameter. ``connection.Params`` numbers placeholders for
queries built from optional clauses; ``connection.next_keys`` allocates ids ahead of an insert.
"""

from __future__ import annotations

from .error_log import PostgresErrorLog
from .insights import PostgresInsights
from .learning import PostgresLearning
from .mining import PostgresMining
from .patterns import PostgresPatterns
from .tasks import PostgresTasks


class PostgresStore(
    PostgresErrorLog, PostgresPatterns, PostgresMining, PostgresTasks, PostgresInsights, PostgresLearning
):
    """`store.base.Store` on PostgreSQL (asyncpg); open with `PostgresStore.open(url)` or `open_store`."""
