"""The story lock's part of a writer's transaction on PostgreSQL: as little as can be.

A batch is placed in stories before the lock (tasks/store/placing.py), against the stories as
of `start`, the highest `touched` committed when it read them. Then:

1. Before the lock, inside a savepoint, everything no other writer can touch or see before
   this transaction commits: the stories the batch starts (their ids are its own articles'),
   their key rows, and the articles' story columns (its own rows). And a read: the key rows
   of the stories it joins, so that only those that change are written under the lock.
2. The lock, then ONE statement (`_SETTLE`), then the commit (step 3), all sent in one round
   trip: from taking the lock to committing, the server waits on nothing of this process's.
   The statement looks for a story changed since `start` (committed by another writer: step
   1's stories are left out) that the batch's placement depends on: one of the stories it
   considered (every candidate of every article, and the stories it joined or preferred), or
   one whose key rows share a key term of one of its articles. Only if there is none, it
   updates the stories the batch joins, writes the key rows that change (those read in step 1
   are still the stored ones: a story's key rows change only with its `touched`, and the
   joined stories are considered), and lifts the batch's `touched` values above the highest
   committed (`shift`).
3. The commit. So on PostgreSQL a batch's transaction ends with its placements (writer.py).

If a story the batch depends on changed, the statement writes nothing and fails on purpose
(AGAIN), so that the commit sent behind it does not run; the savepoint is rolled back (which
ends the failed state), and the batch is placed again under the lock (writer.py), seeing the
change, and committed as usual. Rolling back to the savepoint releases the lock (taken inside
it, as every lock a rolled-back savepoint took), so `settle` takes it again before it returns:
the new placement's reads, being later statements, see every commit made meanwhile.

Why no story can split (the argument the race tests check).
- Every change to a story row that another writer can see happens under the story lock: a new
  story is inserted before it, but it is invisible to others until the commit, which comes
  under the lock. A writer's `touched` values are lifted above the highest committed when it
  checks, and it holds the lock to its commit, so committed `touched` values only grow, in
  lock order, and "changed since a snapshot" is "`touched` above the snapshot's highest".
- Step 2 is a statement that begins once the writer holds the lock, so its snapshot holds
  every earlier holder's commit. (A read in the lock's own statement would not: a statement's
  snapshot is taken when it starts, before it waited.)
- An article's placement reads only stories found by its key terms (stories.ranked looks up
  story_keys by them), the stories it prefers (its original's or rewritten article's), and
  the batch's own. A story changed since `start` that is none of the stories considered and
  shares no key row with the articles' key terms can be neither a candidate now nor have
  been one then, so the placements made at `start` are those that would be made now.
- So two writers placing reports of one event never both start a story: the second to take
  the lock finds the first's new story through the key terms the two reports share (else
  neither could ever find the other's story, serialized or not), and places again.
- Writers whose articles share no key term and no story do not wait for each other beyond
  one statement and a commit: the fleet is serialized on this lock only for that long.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from tasks.store import stories

SAVEPOINT = "story_placement"
_LOCK = "SELECT pg_advisory_xact_lock(%(k)s)"

# the error _SETTLE fails with when a story the batch depends on changed: a failed statement is
# the only way to keep the COMMIT queued behind it (see `locked`) from running (the server logs
# it as an error, with the statement: as often as a batch is placed again)
AGAIN = "story placement to be made again, stories it depends on changed"
# the joined stories' rows (v) and the key rows that go and come, as arrays; every write only if `ok`
_SETTLE = f"""
WITH top AS (SELECT greatest(coalesce(max(touched), 0), %(start)s) AS n FROM stories
             WHERE id <> ALL(%(mine)s::text[])),
moved AS (SELECT count(*) AS n FROM stories s WHERE s.touched > %(start)s AND s.id <> ALL(%(mine)s::text[])
          AND (s.id = ANY(%(considered)s::text[])
               OR EXISTS (SELECT 1 FROM story_keys c WHERE c.story_id = s.id AND c.hash = ANY(%(hashes)s::int8[])))),
ok AS (SELECT top.n - %(start)s AS shift FROM top, moved WHERE moved.n = 0),
v AS (SELECT * FROM unnest(%(ids)s::text[], %(titles)s::text[], %(sizes)s::int[], %(last_articles)s::text[],
                           %(last_seqs)s::int[], %(touched)s::int8[], %(first_dates)s::text[],
                           %(last_dates)s::text[], %(centroids)s::text[])
      AS v(id, title, size, last_article, last_seq, touched, first_date, last_date, centroid)),
joined AS (UPDATE stories s SET title = coalesce(s.title, v.title), size = v.size, last_article = v.last_article,
                                last_seq = v.last_seq, touched = v.touched + ok.shift, first_date = v.first_date,
                                last_date = v.last_date, centroid = v.centroid, updated_at = %(stamp)s
           FROM v, ok WHERE s.id = v.id),
started AS (UPDATE stories s SET touched = s.touched + ok.shift FROM ok
            WHERE ok.shift > 0 AND s.id = ANY(%(mine)s::text[])),
gone AS (DELETE FROM story_keys d USING ok, unnest(%(gone_stories)s::text[], %(gone_hashes)s::int8[]) AS g(story_id, hash)
         WHERE d.story_id = g.story_id AND d.hash = g.hash),
fresh AS (INSERT INTO story_keys (hash, story_id)
          SELECT f.hash, f.story_id FROM ok, unnest(%(fresh_stories)s::text[], %(fresh_hashes)s::int8[]) AS f(story_id, hash))
SELECT CASE WHEN moved.n = 0 THEN top.n - %(start)s ELSE ('{AGAIN}: ' || moved.n)::int8 END FROM top, moved
"""


def begin(conn: Connection) -> None:
    """Step 1's savepoint."""
    conn.exec_driver_sql(f"SAVEPOINT {SAVEPOINT}")


def settle(conn: Connection, start: int, mine: list[str], joined: list[dict], gone: list[tuple[str, int]],
           fresh: list[tuple[str, int]], stamp: datetime, considered: set[str], hashes: set[int]) -> int | None:
    """Step 2: take the story lock and, if no story the batch depends on changed since
    `start` (the stories `considered`, and those keyed by `hashes`, the articles' key terms;
    `mine`, the stories started in step 1, left out), write the `joined` stories' rows (as
    placing._values, with `id` and `title`) and their key rows' changes, (story, hash) pairs
    `gone` and `fresh` (worked out before the lock from the rows stored then: the joined
    stories are considered, so they stand only if those rows are still the stored ones),
    commit, and return the shift added to the batch's `touched` values. Else write nothing,
    roll step 1 back and hold the lock again: None."""
    col = {name: [row[name] for row in joined] for name in
           ("id", "title", "size", "last_article", "last_seq", "touched", "first_date", "last_date", "centroid")}
    shift = locked(conn, {
        "mine": mine, "start": start, "considered": sorted(considered), "hashes": sorted(hashes),
        "ids": col["id"], "titles": col["title"], "sizes": col["size"],
        "last_articles": col["last_article"], "last_seqs": col["last_seq"], "touched": col["touched"],
        "first_dates": col["first_date"], "last_dates": col["last_date"], "centroids": col["centroid"],
        "gone_stories": [sid for sid, _ in gone], "gone_hashes": [h for _, h in gone],
        "fresh_stories": [sid for sid, _ in fresh], "fresh_hashes": [h for _, h in fresh], "stamp": stamp})
    if shift is not None:
        return shift
    conn.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")   # out of the failed statement's error, too
    stories.lock(conn)   # the rollback released the lock, taken inside the savepoint
    return None


def locked(conn: Connection, params: dict) -> int | None:
    """The lock statement, _SETTLE and the COMMIT, sent together (psycopg's pipeline: one round
    trip, each statement begun once the one before is done, the second once the first has the
    lock): the lock is held while the server works, with no round trip to this process in it.
    The shift _SETTLE returned, the transaction committed; or None if a story the batch depends
    on changed: _SETTLE failed with AGAIN, the COMMIT did not run, and the transaction waits
    for a rollback to the savepoint."""
    import psycopg   # only a PostgreSQL store comes here: an embedded run on SQLite is spared its ~0.15 s import
    raw = conn.connection.driver_connection
    try:
        with raw.pipeline():
            raw.execute(_LOCK, {"k": stories.STORY_LOCK_KEY})
            cur = raw.execute(_SETTLE, params)
            raw.execute("COMMIT")
        return cur.fetchone()[0]
    except psycopg.Error as exc:
        if isinstance(exc, psycopg.errors.InvalidTextRepresentation) and AGAIN in (exc.diag.message_primary or ""):
            return None
        # as SQLAlchemy raises it, so that store errors are told and retried alike
        raise DBAPIError.instance(_SETTLE, params, exc, psycopg.Error, hide_parameters=True,
                                  connection_invalidated=raw.broken) from exc
