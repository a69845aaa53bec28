"""Engine creation and the one exclusive section that makes dedup race-free.

Dedup must see every article stored before it, even with many workers at once. The check
and the insert therefore run in one *exclusive* transaction:

- PostgreSQL: `pg_advisory_xact_lock`, held until commit; everything else (cleaning,
  classifying, fingerprinting) runs outside it, so the section is a few queries long.
- SQLite: `BEGIN IMMEDIATE`, which takes the database's write lock up front (WAL mode keeps
  readers unblocked).
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from tasks.errors import StoreError
from tasks.policy import LOCK_TIMEOUT_SECONDS, STATEMENT_TIMEOUT_SECONDS

DEDUP_LOCK_KEY = 0x1D6E57   # arbitrary constant naming the advisory lock


def make_engine(url: str, pooled: bool = True) -> Engine:
    """pooled=False opens a connection per use (for a thread that must hold none across a fork)."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, pooled)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    try:
        if not pooled:
            return create_engine(url, poolclass=NullPool)
        return create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=4)
    except Exception as exc:  # bad URL or missing driver
        raise StoreError(f"cannot use INGEST_STORE_URL={url!r}: {exc}") from exc


def _sqlite_engine(url: str, pooled: bool = True) -> Engine:
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:":
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the store's folder {Path(path).parent}: {exc.strerror}: "
                             f"create it writable by this user, or set INGEST_DATA_DIR") from exc
    engine = create_engine(url, connect_args={"timeout": 60}, **({} if pooled else {"poolclass": NullPool}))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None   # let the "begin" hook below emit BEGIN itself
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("exclusive") else "BEGIN")

    return engine


@contextmanager
def exclusive(engine: Engine):
    """A transaction no other exclusive transaction overlaps (see the module docstring)."""
    with engine.connect().execution_options(exclusive=True) as conn:
        with conn.begin():
            if engine.dialect.name == "postgresql":
                # One hung session must not stall every worker: give up waiting (and retry, see
                # tasks/store/faults.py) rather than queue forever behind it.
                conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_SECONDS}s'"))
                conn.execute(text(f"SET LOCAL statement_timeout = '{STATEMENT_TIMEOUT_SECONDS}s'"))
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": DEDUP_LOCK_KEY})
            yield conn


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"
