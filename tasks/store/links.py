"""Keeping `duplicate_of` links whole when an original goes away or becomes a duplicate.

An original can disappear (its dump was re-processed and no longer yields that record, or
its re-processing failed) or turn into a duplicate itself (re-processed, it now matches an
earlier article). The articles that pointed to it are then re-pointed, inside the exclusive
section, so that no link ever dangles and clusters stay stars:

- gone: the earliest of its duplicates becomes the original (it is indexed, as
  for any original) and the others point to it;
- now a duplicate of R: its duplicates point to R.
"""
from __future__ import annotations

from sqlalchemy import Connection, select, update

from tasks.stages import dedup
from tasks.store import index
from tasks.store.schema import articles


def repoint(conn: Connection, old: str, new: str) -> None:
    """Articles that were duplicates of `old` become duplicates of `new`."""
    conn.execute(update(articles).where(articles.c.duplicate_of == old).values(duplicate_of=new))


def orphaned(conn: Connection, gone: list[str]) -> None:
    """The originals `gone` were deleted: promote the earliest duplicate of each, re-point the rest."""
    for old in gone:
        rows = conn.execute(select(articles.c.seq, articles.c.id, articles.c.text)
                            .where(articles.c.duplicate_of == old).order_by(articles.c.seq)).all()
        if not rows:
            continue
        heir = rows[0]
        conn.execute(update(articles).where(articles.c.seq == heir.seq).values(
            status="original", duplicate_of=None, dup_kind=None, dup_containment=None, dup_jaccard=None,
            sample_size=dedup.fingerprint(heir.text).size))
        index.add_texts(conn, [(heir.seq, heir.text)])
        repoint(conn, old, heir.id)
