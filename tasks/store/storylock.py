"""The story lock's part of a writer's transaction on PostgreSQL: as little as can be.

A batch is placed in stories before the lock (tasks/store/placing.py), against the stories as
of `start`, the highest `touched` committed when it read them. Then:

1. Before the lock, inside a savepoint, everything no other writer can touch or see before
   this transaction commits: the stories the batch starts (their ids are its own articles'),
   their key rows, and the articles' story columns (its own rows).
2. The lock, then ONE statement (`_SETTLE`), both sent in one round trip, that reads the highest `touched`
   committed, leaving out the stories step 1 inserted, and only if it is still `start`
   updates the stories the batch joins and brings their key rows to their new summaries.
3. The commit.

If another writer changed a story meanwhile, the statement writes nothing, the savepoint is
rolled back, and the batch is placed again under the lock (writer.py).

Why no story can split (the argument the race tests check). Every change to a story row that
another writer can see happens under the story lock: a new story is inserted before it, but it
is invisible to others until the commit, which comes under the lock; and its `touched` values
are above `start`. A writer's changes all carry `touched` values above the highest committed
when it took the lock (its `start`, checked under the lock), and it holds the lock to its
commit, so `max(touched)` over committed stories only grows, in lock order. A writer W reads
its candidates at `start`; if any other writer committed a story change after that, it did so
under the lock before W took it, its `touched` is above `start`, and step 2 (a statement that
begins after W holds the lock, so its snapshot includes every earlier holder's commit) sees
it: W places again under the lock, seeing it. Two writers placing reports of one event
therefore never both start a story: the second to take the lock sees the first's story.

The read of step 2 must be a statement of its own after the lock statement: a statement's
snapshot is taken when it starts, so a read in the lock's own statement would miss a commit
made while it waited for the lock.
"""
from __future__ import annotations

from datetime import datetime

import psycopg
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from tasks.store import stories

SAVEPOINT = "story_placement"
_LOCK = "SELECT pg_advisory_xact_lock(%(k)s)"

# the joined stories' rows (v) and their keys (k) as arrays; every write only if `ok`
_SETTLE = """
WITH top AS (SELECT coalesce(max(touched), 0) AS n FROM stories WHERE id <> ALL(%(mine)s::text[])),
ok AS (SELECT 1 FROM top WHERE n = %(start)s),
v AS (SELECT * FROM unnest(%(ids)s::text[], %(titles)s::text[], %(sizes)s::int[], %(last_articles)s::text[],
                           %(last_seqs)s::int[], %(touched)s::int8[], %(first_dates)s::text[],
                           %(last_dates)s::text[], %(centroids)s::text[])
      AS v(id, title, size, last_article, last_seq, touched, first_date, last_date, centroid)),
k AS (SELECT * FROM unnest(%(key_stories)s::text[], %(key_hashes)s::int8[]) AS k(story_id, hash)),
joined AS (UPDATE stories s SET title = coalesce(s.title, v.title), size = v.size, last_article = v.last_article,
                                last_seq = v.last_seq, touched = v.touched, first_date = v.first_date,
                                last_date = v.last_date, centroid = v.centroid, updated_at = %(stamp)s
           FROM v, ok WHERE s.id = v.id),
gone AS (DELETE FROM story_keys d USING ok WHERE d.story_id = ANY(%(ids)s::text[])
         AND NOT EXISTS (SELECT 1 FROM k WHERE k.story_id = d.story_id AND k.hash = d.hash)),
fresh AS (INSERT INTO story_keys (hash, story_id) SELECT k.hash, k.story_id FROM k, ok ON CONFLICT DO NOTHING)
SELECT n FROM top
"""


def begin(conn: Connection) -> None:
    """Step 1's savepoint."""
    conn.exec_driver_sql(f"SAVEPOINT {SAVEPOINT}")


def settle(conn: Connection, start: int, mine: list[str], joined: list[dict], keys: dict[str, set[int]],
           stamp: datetime) -> bool:
    """Step 2: take the story lock and, if no story changed since `start` (`mine`, the stories
    started in step 1, left out), write the `joined` stories' rows (as placing._values, with
    `id` and `title`) and their `keys` {story: hashes}: True. Else write nothing, roll step 1
    back, and False."""
    col = {name: [row[name] for row in joined] for name in
           ("id", "title", "size", "last_article", "last_seq", "touched", "first_date", "last_date", "centroid")}
    pairs = [(sid, h) for sid in col["id"] for h in sorted(keys.get(sid, ()))]
    top = locked(conn, {
        "mine": mine, "start": start, "ids": col["id"], "titles": col["title"], "sizes": col["size"],
        "last_articles": col["last_article"], "last_seqs": col["last_seq"], "touched": col["touched"],
        "first_dates": col["first_date"], "last_dates": col["last_date"], "centroids": col["centroid"],
        "key_stories": [sid for sid, _ in pairs], "key_hashes": [h for _, h in pairs], "stamp": stamp})
    if top == start:
        return True
    conn.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
    return False


def locked(conn: Connection, params: dict) -> int:
    """The lock statement and _SETTLE, sent together (psycopg's pipeline: one round trip, two
    statements, the second begun once the first has the lock); the highest `touched` read."""
    raw = conn.connection.driver_connection
    try:
        with raw.pipeline():
            raw.execute(_LOCK, {"k": stories.STORY_LOCK_KEY})
            cur = raw.execute(_SETTLE, params)
        return cur.fetchone()[0]
    except psycopg.Error as exc:   # as SQLAlchemy raises it, so that store errors are told and retried alike
        raise DBAPIError.instance(_SETTLE, params, exc, psycopg.Error, hide_parameters=True,
                                  connection_invalidated=raw.broken) from exc
