"""The store's schema version (Alembic): create a fresh store at head, upgrade an old one in
place (`ingest migrate`), and refuse to work on a store that is behind.

Revisions live in tasks/store/migrations/versions (see the README.md there). Creating and
upgrading run under the store's exclusive lock, so two processes starting on one fresh store
do not both create it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from tasks.errors import StoreBehind, StoreError
from tasks.store.engine import DEDUP_LOCK_KEY

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"                   # the schema of release 0.1.0, made by create_all, unversioned
KNOWN_TABLES = {"dumps", "articles"}


@dataclass(frozen=True)
class Upgrade:
    before: str | None      # None: the store was empty
    after: str


def _config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


@lru_cache(maxsize=1)
def head() -> str:
    heads = ScriptDirectory.from_config(_config()).get_heads()
    if len(heads) != 1:
        raise StoreError(f"the store migrations have {len(heads)} heads ({', '.join(heads)}); "
                         f"a release must have exactly one")
    return heads[0]


def current(conn: Connection) -> str | None:
    """The store's revision; BASELINE for an unversioned 0.1.0 store; None when it is empty."""
    # Tables first, then the version: a store being created by another process right now then
    # reads as empty (and is upgraded under the lock, a no-op) or as created, never as 0.1.0.
    tables = set(inspect(conn).get_table_names())
    revision = MigrationContext.configure(conn).get_current_revision()
    if revision is None and KNOWN_TABLES & tables:
        return BASELINE
    return revision


def _locked(conn: Connection) -> None:
    """Take the store's exclusive lock for the rest of this transaction."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": DEDUP_LOCK_KEY})


def _sqlite_foreign_keys_off(conn: Connection) -> None:
    """SQLite rebuilds a table to alter it; with foreign keys on, dropping the old table would
    cascade-delete the rows that point to it. The pragma only takes effect outside a transaction."""
    if conn.dialect.name == "sqlite":
        conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")


def upgrade(engine: Engine) -> Upgrade:
    """Bring the store to head, in place; returns the revisions before and after."""
    target = head()
    with engine.connect().execution_options(exclusive=True) as conn:
        _sqlite_foreign_keys_off(conn)
        try:
            with conn.begin():
                _locked(conn)
                before = current(conn)
                if before == BASELINE and MigrationContext.configure(conn).get_current_revision() is None:
                    command.stamp(_config(conn), BASELINE)
                if before != target:
                    command.upgrade(_config(conn), target)
        finally:
            if conn.dialect.name == "sqlite":
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")
    return Upgrade(before, target)


def ensure(engine: Engine, where: str) -> None:
    """Create an empty store at head; accept one at head; refuse one behind (or ahead)."""
    target = head()
    with engine.connect() as conn:
        revision = current(conn)
    if revision is None:
        upgrade(engine)
        return
    if revision == target:
        return
    known = {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}
    if revision not in known:
        raise StoreError(f"the store at {where} is at revision {revision}, unknown to this release "
                         f"(head {target}): it was upgraded by a newer release; run that release")
    raise StoreBehind(f"the store at {where} is at schema revision {revision}, behind this release's "
                      f"{target}: run `ingest migrate` (the Procfile's release step), then start again")
