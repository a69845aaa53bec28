"""The output store (SQLAlchemy Core): dumps with their raw bytes and state, articles with
their lineage and duplicate links, and the inverted index dedup queries. SQLite by default,
PostgreSQL in production; the schema is created on first use."""
from tasks.store.store import Store

__all__ = ["Store"]
