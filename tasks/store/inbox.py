"""What the intake side asks of the dump rows besides `register`: files that cannot be read,
and dumps stranded `queued` with no message to carry them (see workers/watcher.py)."""
from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tasks.store.dumps import Registration, now
from tasks.store.schema import dumps


def unreadable_key(path: Path) -> str:
    """A dump id for a file whose bytes cannot be read: from its absolute path, so the same
    unreadable file is one row however often it is seen."""
    return hashlib.sha256(b"unreadable\0" + str(path.absolute()).encode("utf8", "surrogateescape")).hexdigest()[:16]


def record_unreadable(conn: Connection, path: Path, size: int, reason: str) -> Registration:
    """Keep a `failed` row for a file that is there but cannot be read (permissions, a fifo):
    it shows in `status` with the reason. Once the file can be read, `ingest run` registers
    its content as a dump of its own."""
    stamp = now()
    row = {"id": unreadable_key(path), "source_file": path.name, "path": str(path.absolute()), "size": size,
           "raw_gz": None, "state": "failed", "error": reason[:2000], "attempts": 0, "articles": 0,
           "created_at": stamp, "updated_at": stamp, "finished_at": stamp}
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(dumps)
    inserted = conn.execute(insert.values(**row).on_conflict_do_nothing(index_elements=["id"])
                            .returning(dumps.c.id)).scalar()
    if not inserted:
        conn.execute(update(dumps).where(dumps.c.id == row["id"], dumps.c.state == "failed")
                     .values(error=row["error"], size=size, updated_at=stamp))
    state = conn.execute(select(dumps.c.state).where(dumps.c.id == row["id"])).scalar_one()
    return Registration(row["id"], path.name, bool(inserted), state)


def queued_before(conn: Connection, cutoff: datetime, limit: int = 500) -> list[str]:
    """Dumps `queued` and untouched since `cutoff`, oldest first."""
    query = (select(dumps.c.id).where(dumps.c.state == "queued", dumps.c.updated_at < cutoff)
             .order_by(dumps.c.updated_at).limit(limit))
    return list(conn.execute(query).scalars())


def touch_queued(conn: Connection, ids: list[str]) -> None:
    """Mark queued dumps as just sent (their `updated_at`), so they are not re-sent at once."""
    if ids:
        conn.execute(update(dumps).where(dumps.c.id.in_(ids), dumps.c.state == "queued").values(updated_at=now()))
