"""The PostgreSQL backend (asyncpg): a connection pool shared by any number of server instances."""

from .store import PostgresStore

__all__ = ["PostgresStore"]
