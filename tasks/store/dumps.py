"""Dump rows: register a file once by content, claim it for processing, mark it done or failed."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from isal import igzip
from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

from tasks.errors import DumpError, NotFound
from tasks.store import inbox
from tasks.store.schema import dumps

STATES = ("queued", "processing", "done", "failed")    # and "superseded": a file's earlier revision
# A kept dump is gzip, written by ISA-L (isal's igzip: plain gzip, read back by any gzip reader, the
# rows zlib wrote before included). Its level 2 of 0-3, on the 181 pages of the extraction benchmark
# (31 MB): 0.045 s of CPU and 4.38x smaller, where zlib's level 1 took 0.18 s for 4.26x; reading
# back 0.035 s instead of 0.08.
GZIP_LEVEL = 2


def now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Registration:
    dump_id: str
    source_file: str
    new: bool      # False: this file (same name, same bytes) was registered before
    state: str
    superseded: tuple[str, ...] = ()    # earlier dumps of the same path this one replaces


def content_digest(name: str, data: bytes | None = None, path: Path | None = None) -> str:
    """sha256 (64 hex) of a dump's file name and bytes: `data` if already read, else the file
    at `path`, read in blocks. The dump id is its first 16 hex; the whole of it is kept on the
    row, so that a dump whose bytes stay in its file is known by its content."""
    digest = hashlib.sha256(name.encode("utf8", "surrogateescape") + b"\0")
    if data is not None:
        digest.update(data)
        return digest.hexdigest()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dump_key(path: Path, data: bytes | None = None) -> str:
    """The dump's id: 16 hex of the sha256 of its file name and bytes.

    The same file seen again (a second run, a watcher restart) is the same dump; the same
    bytes under another name are another dump, stored as an exact duplicate, not lost."""
    return content_digest(path.name, data, path)[:16]


def too_large_reason(size: int, limit: int) -> str:
    return (f"dump is {size / 1e6:.1f} MB, over the {limit / 1e6:.1f} MB limit: raise INGEST_MAX_DUMP_BYTES "
            f"and run `ingest requeue` on it, or split it")


def register(conn: Connection, path: Path, max_bytes: int, version: str,
             st: os.stat_result | None = None, check_known: bool = True) -> Registration:
    """The dump of this file: known from the store for one `stat` when the file's path, size
    and mtime are those registered (nothing read; check_known=False skips the question when
    the caller has just asked it of many files); else read, hashed and inserted unless its
    content is known. Race-free: the primary key is the hash of name and content, and the
    insert ignores conflicts. A file rewritten in place supersedes the dump of its earlier
    content (see inbox.supersede): one file, one current dump."""
    st = st or path.stat()
    known = inbox.known(conn, str(path.absolute()), st.st_size, st.st_mtime_ns) if check_known else None
    if known is not None:
        return Registration(known[0], path.name, False, known[1])
    row = new_row(path, max_bytes, version, st)
    inserted = conn.execute(_insert(conn).values(**row).returning(dumps.c.id)).scalar()
    return _registered(conn, row, bool(inserted), inbox.supersede(conn, row["path"], row["id"]))


def register_many(conn: Connection, files: list[tuple[Path, os.stat_result | None]], max_bytes: int,
                  version: str) -> list[Registration | OSError]:
    """`register` (check_known=False) for many files, with a few statements for all of them:
    one insert, one look for earlier dumps of the same paths. Per file, in order: its
    Registration, or the OSError reading it raised (before any write of its own)."""
    rows: list[dict | OSError] = []
    for path, st in files:
        try:
            rows.append(new_row(path, max_bytes, version, st or path.stat()))
        except OSError as exc:
            rows.append(exc)
    first = {}
    for n, row in enumerate(rows):
        if isinstance(row, dict):
            first.setdefault(row["id"], n)
    fresh = [rows[n] for n in first.values()]
    inserted = set(conn.execute(_insert(conn).returning(dumps.c.id), fresh).scalars()) if fresh else set()
    others = _others_at(conn, [row["path"] for row in fresh])
    out: list[Registration | OSError] = []
    for n, row in enumerate(rows):
        if not isinstance(row, dict):
            out.append(row)
        elif first[row["id"]] != n:        # the same content twice in the list: as `register` would
            out.append(register(conn, Path(row["path"]), max_bytes, version, files[n][1], check_known=False))
        else:
            olds = inbox.supersede(conn, row["path"], row["id"]) if others.get(row["path"], {row["id"]}) - {row["id"]} else ()
            out.append(_registered(conn, row, row["id"] in inserted, olds))
    return out


def new_row(path: Path, max_bytes: int, version: str, st: os.stat_result) -> dict:
    """The row of a file not known by path: read once (hashed and kept from the same bytes),
    or hashed in blocks and failed when over `max_bytes` (it stays where it is)."""
    stamp = now()
    row = {"source_file": path.name, "path": str(path.absolute()), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
           "raw_gz": None, "state": "queued", "error": None, "attempts": 0, "articles": 0,
           "pipeline_version": version, "created_at": stamp, "updated_at": stamp, "finished_at": None}
    if st.st_size > max_bytes:
        digest = content_digest(path.name, path=path)
        row.update(state="failed", error=too_large_reason(st.st_size, max_bytes), finished_at=stamp)
    else:
        raw = path.read_bytes()
        digest = content_digest(path.name, raw)
        row.update(size=len(raw), raw_gz=igzip.compress(raw, GZIP_LEVEL))
    row.update(id=digest[:16], sha256=digest)
    return row


def _insert(conn: Connection):
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(dumps)
    return insert.on_conflict_do_nothing(index_elements=["id"])


def _others_at(conn: Connection, paths: list[str]) -> dict[str, set[str]]:
    """{path: ids of its dumps not superseded}, for these paths."""
    found: dict[str, set[str]] = {}
    for start in range(0, len(paths), 500):
        query = select(dumps.c.path, dumps.c.id).where(dumps.c.path.in_(paths[start:start + 500]),
                                                       dumps.c.state != "superseded")
        for where, dump_id in conn.execute(query):
            found.setdefault(where, set()).add(dump_id)
    return found


def _registered(conn: Connection, row: dict, inserted: bool, superseded: tuple[str, ...]) -> Registration:
    state = row["state"] if inserted else inbox.seen_again(conn, row["id"], row["path"], row["mtime_ns"],
                                                           row["sha256"])
    revived = state == "revived"
    return Registration(row["id"], row["source_file"], inserted or revived, "queued" if revived else state,
                        superseded)


def raw(conn: Connection, dump_id: str) -> bytes:
    """The dump's raw bytes: from the store, or from its path when it was too large to keep."""
    row = conn.execute(_RAW, {"id": dump_id}).mappings().first()
    if row is None:
        raise NotFound(f"no dump with id {dump_id!r}: `ingest status` lists the known ones")
    if row["raw_gz"] is not None:
        return igzip.decompress(row["raw_gz"])
    return _read_kept_path(row)


# built once (every dump is read by it): SQLAlchemy then finds its compiled form without walking a new statement
_RAW = (select(dumps.c.id, dumps.c.source_file, dumps.c.path, dumps.c.raw_gz, dumps.c.sha256)
        .where(dumps.c.id == bindparam("id")))


def _read_kept_path(row) -> bytes:
    """The bytes of a dump kept only in its file, checked against the digest taken when it was
    registered: other bytes at that path are another file, never processed under this id."""
    path = Path(row["path"] or "")
    if not path.is_file():
        raise DumpError(f"dump {row['id']} was too large to keep in the store and {path} is gone: "
                        f"put the file back there and requeue it")
    raw = path.read_bytes()
    expected = row.get("sha256")
    if expected and content_digest(row["source_file"], raw) != expected:
        raise DumpError(f"the file changed since it was registered: {path} no longer holds the bytes of dump "
                        f"{row['id']}; `ingest run` on it registers its new content as a dump of its own")
    return raw


def states(conn: Connection, ids: list[str]) -> dict[str, str]:
    result = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        result.update(conn.execute(select(dumps.c.id, dumps.c.state).where(dumps.c.id.in_(chunk))).all())
    return result


def counts(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(dumps.c.state, func.count()).group_by(dumps.c.state)).all()
    return {state: 0 for state in STATES} | dict(rows)


def recent_failures(conn: Connection, limit: int = 10) -> list[dict]:
    query = (select(dumps.c.id, dumps.c.source_file, dumps.c.error, dumps.c.updated_at, dumps.c.attempts)
             .where(dumps.c.state == "failed").order_by(dumps.c.updated_at.desc()).limit(limit))
    return [dict(r) for r in conn.execute(query).mappings()]


def recent_warnings(conn: Connection, limit: int = 10) -> list[dict]:
    """Done dumps with records that gave no article, newest first (their `warnings` as `error`)."""
    query = (select(dumps.c.id, dumps.c.source_file, dumps.c.warnings.label("error"), dumps.c.attempts)
             .where(dumps.c.state == "done", dumps.c.warnings.is_not(None))
             .order_by(dumps.c.updated_at.desc()).limit(limit))
    return [dict(r) for r in conn.execute(query).mappings()]


def get(conn: Connection, dump_id: str) -> dict | None:
    cols = [c for c in dumps.c if c.name != "raw_gz"]
    row = conn.execute(select(*cols).where(dumps.c.id == dump_id)).mappings().first()
    return dict(row) if row else None
