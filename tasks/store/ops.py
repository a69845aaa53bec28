"""Read-only queries for operators: what `/metrics`, `/` and `ingest health` show. Each is one
aggregate query, cheap enough for every scrape."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Connection, case, func, inspect, literal, or_, select, text

from tasks.store.schema import articles, dumps

# Failure reasons grouped into a few kinds, by the words of the product's own messages.
# Order matters: the first kind whose patterns match wins.
REASON_KINDS = (
    ("time_limit", ("%soft limit%", "%time limit%", "%took longer%")),
    ("too_large", ("%over the%limit%", "%above the limit%", "%beyond the limit%", "%too large%")),
    ("empty", ("%empty%", "%only whitespace%")),
    ("undecodable", ("%charset%", "%binary junk%", "%corrupt%", "%truncated%", "%json%", "%decode%")),
    ("no_article", ("%no article%",)),
    ("unreadable", ("%unreadable%", "%cannot read%", "%permission%", "%not a regular file%", "%changed since%")),
    ("crashed", ("%crashed%", "internal error%")),
)


def reason_kind():
    """A SQL expression naming the kind of a failed dump's error."""
    lowered = func.lower(func.coalesce(dumps.c.error, ""))
    whens = [(or_(*[lowered.like(p) for p in patterns]), literal(kind)) for kind, patterns in REASON_KINDS]
    return case(*whens, else_=literal("other"))


def failed_by_reason(conn: Connection) -> dict[str, int]:
    kind = reason_kind().label("kind")
    rows = conn.execute(select(kind, func.count()).where(dumps.c.state == "failed").group_by(kind)).all()
    return {k: 0 for k, _ in REASON_KINDS} | {"other": 0} | {k: n for k, n in rows}


def _aware(stamp: datetime | None) -> datetime | None:
    if stamp is None:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def oldest_queued_seconds(conn: Connection, now: datetime | None = None) -> float:
    """How long the longest-waiting queued dump has waited (0 when none waits)."""
    oldest = _aware(conn.execute(select(func.min(dumps.c.updated_at)).where(dumps.c.state == "queued")).scalar())
    if oldest is None:
        return 0.0
    return max(0.0, ((now or datetime.now(timezone.utc)) - oldest).total_seconds())


def finished_per_minute(conn: Connection, minutes: int = 10, now: datetime | None = None) -> list[dict]:
    """Dumps finished (done or failed) in each of the last `minutes` minutes, oldest first."""
    now = now or datetime.now(timezone.utc)
    since = now - timedelta(minutes=minutes)
    rows = conn.execute(select(dumps.c.finished_at, dumps.c.state)
                        .where(dumps.c.finished_at >= since, dumps.c.state.in_(("done", "failed")))).all()
    slots = [{"minute": (now - timedelta(minutes=minutes - i)).strftime("%H:%M"), "done": 0, "failed": 0}
             for i in range(1, minutes + 1)]
    for stamp, state in rows:
        index = int((_aware(stamp) - since).total_seconds() // 60)
        slots[min(max(index, 0), minutes - 1)][state] += 1
    return slots


def has_stories(conn: Connection) -> bool:
    """True once the store has a stories table or a story_id on articles (a later release)."""
    found = inspect(conn)
    return found.has_table("stories") or "story_id" in {c["name"] for c in found.get_columns("articles")}


def stories_count(conn: Connection) -> int | None:
    found = inspect(conn)
    if found.has_table("stories"):
        return conn.exec_driver_sql("SELECT count(*) FROM stories").scalar_one()
    if "story_id" in {c["name"] for c in found.get_columns("articles")}:
        return conn.exec_driver_sql("SELECT count(DISTINCT story_id) FROM articles WHERE story_id IS NOT NULL").scalar_one()
    return None


def latest_articles(conn: Connection, limit: int = 20) -> list[dict]:
    """The newest articles, each with the ids and titles of the articles that duplicate it, and
    its story when the store has stories."""
    story = "story_id" in {c["name"] for c in inspect(conn).get_columns("articles")}
    cols = [articles.c.seq, articles.c.id, articles.c.title, articles.c.source, articles.c.source_file,
            articles.c.status, articles.c.duplicate_of, articles.c.created_at]
    rows = [dict(r) for r in conn.execute(select(*cols).order_by(articles.c.seq.desc()).limit(limit)).mappings()]
    if story and rows:
        stories = dict(conn.execute(text("SELECT id, story_id FROM articles WHERE seq >= :first"),
                                    {"first": min(r["seq"] for r in rows)}).all())
        for r in rows:
            r["story_id"] = stories.get(r["id"])
    ids = [r["id"] for r in rows]
    copies: dict[str, list[dict]] = {}
    if ids:
        query = (select(articles.c.id, articles.c.title, articles.c.duplicate_of)
                 .where(articles.c.duplicate_of.in_(ids)).order_by(articles.c.seq))
        for row in conn.execute(query).mappings():
            copies.setdefault(row["duplicate_of"], []).append({"id": row["id"], "title": row["title"]})
    for r in rows:
        r["duplicates"] = copies.get(r["id"], [])
        r["created_at"] = _aware(r["created_at"])
    return rows
