"""The store's schema version (Alembic): create a fresh store at head, upgrade an old one in
place (`ingest migrate`), and refuse to work on a store that is behind.

Revisions live in tasks/store/migrations/versions (see the README.md there). Creating and
upgrading run under the store's exclusive lock, so two processes starting on one fresh store
do not both create it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import exc as sa_exc, inspect, text
from sqlalchemy.engine import Connection, Engine

from tasks.errors import StoreBehind, StoreError
from tasks.store.engine import DEDUP_LOCK_KEY

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"                   # the schema of release 0.1.0, made by create_all, unversioned
KNOWN_TABLES = {"dumps", "articles"}
# a revision file's own lines, as `alembic revision` writes them: revision = "0006"
_ASSIGNED = re.compile(r"""^(revision|down_revision)\s*(?::[^=]*)?=\s*(?:["']([^"']+)["']|(None))\s*$""", re.M)


@dataclass(frozen=True)
class Upgrade:
    before: str | None      # None: the store was empty
    after: str


def _config(conn: Connection | None = None) -> "Config":
    from alembic.config import Config   # Alembic loads in ~0.3 s: only when a store is created or behind
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


@lru_cache(maxsize=1)
def head() -> str:
    from alembic.script import ScriptDirectory
    heads = ScriptDirectory.from_config(_config()).get_heads()
    if len(heads) != 1:
        raise StoreError(f"the store migrations have {len(heads)} heads ({', '.join(heads)}); "
                         f"a release must have exactly one")
    return heads[0]


def current(conn: Connection) -> str | None:
    """The store's revision; BASELINE for an unversioned 0.1.0 store; None when it is empty."""
    # Tables first, then the version: a store being created by another process right now then
    # reads as empty (and is upgraded under the lock, a no-op) or as created, never as 0.1.0.
    from alembic.runtime.migration import MigrationContext
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
    from alembic import command
    from alembic.runtime.migration import MigrationContext
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


@lru_cache(maxsize=1)
def written_head() -> str | None:
    """The head revision read from the revision files' own `revision = ...` and `down_revision
    = ...` lines, without loading Alembic; None when any file is not that simple (a merge, a
    computed value): then only Alembic's answer counts."""
    revisions, downs = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = {}
        for name, value, none in _ASSIGNED.findall(path.read_text(encoding="utf8")):
            if name in found:
                return None
            found[name] = value or None
        if "revision" not in found or "down_revision" not in found or not found["revision"]:
            return None
        revisions.add(found["revision"])
        downs.add(found["down_revision"])
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


def at_head(conn: Connection) -> bool:
    """True when the store's one version row is this release's head (read cheaply, as above)."""
    target = written_head()
    if target is None:
        return False
    try:
        versions = [row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]
    except sa_exc.DBAPIError:   # no version table: an empty store, or one of release 0.1.0
        conn.rollback()
        return False
    return versions == [target]


def ensure(engine: Engine, where: str) -> None:
    """Create an empty store at head; accept one at head; refuse one behind (or ahead)."""
    with engine.connect() as conn:
        if at_head(conn):
            return
    from alembic.script import ScriptDirectory
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
