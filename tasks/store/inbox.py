"""What the intake side asks of the dump rows besides inserting them (dumps.register):

- the known-file cache: a file whose absolute path, size and mtime (ns) are those on its dump
  row is that dump, for one `stat` and no read (`known`, `known_many`);
- superseding: a file rewritten in place with new content makes the dump of its earlier
  content a `superseded` revision (row kept, its articles removed, links re-pointed);
- files that cannot be read (kept as `failed` rows), dumps stranded `queued` with no message
  to carry them, and the path of a dump moved to the archive."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tasks.store import index
from tasks.store.schema import articles, dumps


def now() -> datetime:
    return datetime.now(timezone.utc)


def unreadable_key(path: Path) -> str:
    """A dump id for a file whose bytes cannot be read: from its absolute path, so the same
    unreadable file is one row however often it is seen."""
    return hashlib.sha256(b"unreadable\0" + str(path.absolute()).encode("utf8", "surrogateescape")).hexdigest()[:16]


def record_unreadable(conn: Connection, path: Path, size: int, reason: str):
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
    from tasks.store.dumps import Registration     # dumps imports this module
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


def known(conn: Connection, where: str, size: int, mtime_ns: int) -> tuple[str, str] | None:
    """(dump id, state) of the current dump registered from this path with this size and
    mtime, if any."""
    query = (select(dumps.c.id, dumps.c.state)
             .where(dumps.c.path == where, dumps.c.size == size, dumps.c.mtime_ns == mtime_ns,
                    dumps.c.sha256.is_not(None), dumps.c.state != "superseded")
             .order_by(dumps.c.created_at.desc()).limit(1))
    row = conn.execute(query).first()
    return (row[0], row[1]) if row else None


def known_many(conn: Connection, files: list[tuple[str, int, int]]) -> dict[str, tuple[str, str]]:
    """`known` for many (path, size, mtime_ns) at once: {path: (dump id, state)}."""
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(files), 500):
        chunk = files[start:start + 500]
        query = (select(dumps.c.path, dumps.c.size, dumps.c.mtime_ns, dumps.c.id, dumps.c.state)
                 .where(dumps.c.path.in_([f[0] for f in chunk]), dumps.c.sha256.is_not(None),
                        dumps.c.state != "superseded")
                 .order_by(dumps.c.created_at))
        wanted = set(chunk)
        for path, size, mtime_ns, dump_id, state in conn.execute(query):
            if (path, size, mtime_ns) in wanted:
                found[path] = (dump_id, state)
    return found


def seen_again(conn: Connection, dump_id: str, where: str, mtime_ns: int, digest: str) -> str:
    """A known content seen again (maybe at a new path, or with a new mtime): note where and
    when, so the next look costs one stat. A superseded revision that is the file's content
    again is brought back: returns "revived" (it is queued again), else the dump's state."""
    row = conn.execute(select(dumps.c.state).where(dumps.c.id == dump_id)).first()
    values = {"path": where, "mtime_ns": mtime_ns, "sha256": digest}
    if row.state == "superseded":
        values.update(state="queued", error=None, finished_at=None, updated_at=now())
    conn.execute(update(dumps).where(dumps.c.id == dump_id).values(**values))
    return "revived" if row.state == "superseded" else row.state


def supersede(conn: Connection, where: str, current: str) -> tuple[str, ...]:
    """Make every other dump registered from this path a `superseded` revision of `current`:
    the row is kept (with a note), its lease is voided (a late finish of its worker is refused),
    its articles leave the store, and duplicates that pointed to them are re-pointed."""
    olds = tuple(conn.execute(select(dumps.c.id).where(dumps.c.path == where, dumps.c.id != current,
                                                       dumps.c.state != "superseded")).scalars())
    if not olds:
        return ()
    conn.execute(update(dumps).where(dumps.c.id.in_(olds)).values(
        state="superseded", lease=None, holder=None, articles=0, updated_at=now(), finished_at=now(),
        error=f"superseded by dump {current}: the file was rewritten with new content"))
    gone = dict(conn.execute(select(articles.c.id, articles.c.seq).where(articles.c.dump_id.in_(olds))).all())
    if gone:
        _repoint(conn, list(gone))
        index.remove(conn, list(gone.values()))
        conn.execute(delete(articles).where(articles.c.id.in_(list(gone))))
    return olds


def _repoint(conn: Connection, gone: list[str]) -> None:
    """Duplicates of articles about to go: the earliest of each becomes the original, the
    others point to it. No `duplicate_of` is left dangling."""
    rows = conn.execute(select(articles.c.id, articles.c.duplicate_of, articles.c.seq, articles.c.text)
                        .where(articles.c.duplicate_of.in_(gone), articles.c.id.not_in(gone))
                        .order_by(articles.c.seq)).all()
    heirs: dict[str, str] = {}
    for aid, was, seq, text in rows:
        if was not in heirs:
            heirs[was] = aid
            conn.execute(update(articles).where(articles.c.id == aid).values(
                status="original", duplicate_of=None, dup_kind=None, dup_containment=None, dup_jaccard=None))
            index.add_texts(conn, [(seq, text)])
        else:
            conn.execute(update(articles).where(articles.c.id == aid).values(duplicate_of=heirs[was]))


def moved(conn: Connection, dump_id: str, where: str) -> None:
    """The dump's file now lives at `where` (the archive)."""
    conn.execute(update(dumps).where(dumps.c.id == dump_id).values(path=where))
