"""Engine creation, and the two kinds of write transaction that keep dedup race-free.

Dedup must see every article stored before it, even with many workers at once.

- `writing`: where articles are stored. On PostgreSQL it takes the store lock *shared*
  (writers do not wait for each other) and the writer then locks what its texts could
  collide on (tasks/store/index.py: their lookup keys and exact hashes), so only near
  duplicates serialize. On SQLite, `BEGIN IMMEDIATE` takes the database's write lock up
  front (WAL mode keeps readers unblocked).
- `exclusive`: the rare changes that must see no writer at all (a failed dump's articles
  going, a migration): the store lock taken exclusively (PostgreSQL), `BEGIN IMMEDIATE` (SQLite).
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from tasks.errors import StoreError
from tasks.policy import LOCK_TIMEOUT_SECONDS, STATEMENT_TIMEOUT_SECONDS

DEDUP_LOCK_KEY = 0x1D6E57   # arbitrary constant naming the advisory lock
# SQLite copies the WAL back into the database once it holds this many pages (SQLite's default:
# 1,000, a 4 MB WAL). Each copy costs two fsyncs and, in a large store, one write per distinct page
# (saves dirty pages all over its indexes); four times fewer copies, of pages re-dirtied in between
# written once, cut a 1M-article store's checkpoint CPU by ~25% (bench/index_growth.py). The WAL
# stays bounded (16 MB) for a store that runs for months.
WAL_CHECKPOINT_PAGES = 4000


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
        cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("exclusive") else "BEGIN")

    return engine


# set_config(..., true) is SET LOCAL; the select list runs left to right, so one round trip
_TIMEOUTS = (f"set_config('lock_timeout', '{LOCK_TIMEOUT_SECONDS}s', true), "
             f"set_config('statement_timeout', '{STATEMENT_TIMEOUT_SECONDS}s', true)")


@contextmanager
def exclusive(engine: Engine):
    """A transaction no other exclusive or writing transaction overlaps (see the module docstring)."""
    with _locked(engine, "pg_advisory_xact_lock") as conn:
        yield conn


@contextmanager
def writing(engine: Engine):
    """A transaction that stores articles (see the module docstring): writers overlap on
    PostgreSQL, each locking what it stores (tasks/store/index.py)."""
    with _locked(engine, "pg_advisory_xact_lock_shared") as conn:
        yield conn


@contextmanager
def _locked(engine: Engine, how: str):
    with engine.connect().execution_options(exclusive=True) as conn:
        with conn.begin():
            if engine.dialect.name == "postgresql":
                # One hung session must not stall every worker: give up waiting (and retry, see
                # tasks/store/faults.py) rather than queue forever behind it.
                conn.exec_driver_sql(f"SELECT {_TIMEOUTS}, {how}({DEDUP_LOCK_KEY})")
            yield conn


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"
