"""Story rows: candidate look-up, the online assignment (under the story lock), and the
reads behind `ingest stories` and `ingest show STORY_ID`.

A story row keeps a bounded summary of its articles (summed term vectors cut to their
heaviest terms, size, date span); `story_keys` maps the hashed key terms of each story's
summary to it. A new article looks up the stories sharing its keys within the time window
*before* taking any lock (`prior`, with the snapshot's `horizon`). Inside the writer's
transaction it takes the story lock (`lock`: one fleet-wide PostgreSQL advisory lock, held to
commit, taken after the dedup lock(s); on SQLite the write lock already serializes), re-reads
only the stories changed since the snapshot (`touched` above it: a counter bumped under the
lock, so it follows commit order whatever the dedup locking), and joins one or starts its own
(`place`, `record`). Two workers therefore never both start a story for one event: the second
sees the first's story among the changed ones. The part under the story lock is a few indexed
queries long.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, delete, func, insert, select, text, true, update

from tasks.stages.stories import (Features, Member, Rewrite, StoryInput, StoryRules, Summary, Weights, add,
                                  keys, new_summary, score)
from tasks.store.dumps import now
from tasks.store.schema import articles, stories, story_keys

MAX_CANDIDATES = 20
STORY_LOCK_KEY = 0x5707E5   # arbitrary constant naming the story advisory lock
REWRITE_MEMBERS = 20   # a candidate story's most recent originals compared for a rewrite


@dataclass(frozen=True)
class StoryRef:
    id: str
    summary: Summary
    last_seq: int


def key_hash(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode("utf8"), digest_size=8).digest(), "big", signed=True)


def candidates(conn: Connection, f: Features, w: Weights = Weights()) -> dict[str, StoryRef]:
    """The stories that share the most key terms with the article, within its reach in time."""
    hashes = [key_hash(k) for k in keys(f)]
    if not hashes:
        return {}
    shared = func.count().label("shared")
    query = (select(story_keys.c.story_id, shared).join(stories, stories.c.id == story_keys.c.story_id)
             .where(story_keys.c.hash.in_(hashes)))
    if f.day is not None:
        low, high = _iso(f.day - w.reach_days), _iso(f.day + w.reach_days)
        query = query.where((stories.c.last_date.is_(None)) | ((stories.c.last_date >= low) & (stories.c.first_date <= high)))
    query = query.group_by(story_keys.c.story_id).order_by(shared.desc()).limit(MAX_CANDIDATES)
    ids = [r.story_id for r in conn.execute(query)]
    return _load(conn, ids)


def horizon(conn: Connection) -> int:
    """The newest story change committed (see the module docstring)."""
    return conn.execute(select(func.coalesce(func.max(stories.c.touched), 0))).scalar_one()


def lock(conn: Connection) -> None:
    """Take the story lock for the rest of the transaction (PostgreSQL; on SQLite the writer
    already holds the database's write lock)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": STORY_LOCK_KEY})


def changed_since(conn: Connection, since: int) -> dict[str, StoryRef]:
    """Stories started or joined after the snapshot `since` (as many as the articles placed
    meanwhile, so few)."""
    ids = [r.id for r in conn.execute(select(stories.c.id).where(stories.c.touched > since))]
    return _load(conn, ids)


def _load(conn: Connection, ids: list[str]) -> dict[str, StoryRef]:
    if not ids:
        return {}
    rows = conn.execute(select(stories).where(stories.c.id.in_(ids))).mappings()
    return {r["id"]: StoryRef(r["id"], _summary(r), r["last_seq"]) for r in rows}


def _summary(row) -> Summary:
    c = json.loads(row["centroid"])
    return Summary(c["body"], c["title"], c["entities"], row["size"], _day(row["first_date"]), _day(row["last_date"]))


def story_of(conn: Connection, article_id: str) -> str | None:
    return conn.execute(select(articles.c.story_id).where(articles.c.id == article_id)).scalar()


def members(conn: Connection, story_ids: list[str], skip: frozenset[str] = frozenset()) -> list[dict]:
    """The most recent original articles of these stories (id, story, text, signature)."""
    out = []
    for sid in story_ids:
        query = (select(articles.c.id, articles.c.story_id, articles.c.text, articles.c.story_sig, articles.c.seq)
                 .where(articles.c.story_id == sid, articles.c.status == "original",
                        articles.c.id.not_in(list(skip)) if skip else true())
                 .order_by(articles.c.seq.desc()).limit(REWRITE_MEMBERS))
        out.extend(dict(r) for r in conn.execute(query).mappings())
    return out


def new_id(article_id: str) -> str:
    """A story's id: `s-` and its first article's id (stable, and never taken for an article's)."""
    return "s-" + article_id


def start(conn: Connection, article_id: str, seq: int, title: str | None, f: Features) -> str:
    """A new story whose first article this is."""
    summary = new_summary(f)
    stamp = now()
    story_id = new_id(article_id)
    conn.execute(insert(stories).values(
        id=story_id, title=title, size=1, first_article=article_id, last_article=article_id,
        first_date=_iso(f.day), last_date=_iso(f.day), first_seq=seq, last_seq=seq, touched=_next(conn),
        centroid=_centroid(summary), created_at=stamp, updated_at=stamp))
    _index(conn, story_id, summary, [])
    return story_id


def join(conn: Connection, ref: StoryRef, article_id: str, seq: int, f: Features | None,
         title: str | None = None) -> None:
    """The article joins the story: size, span and last article; the centroid too when the
    article brings features (a duplicate adds nothing new to it); its title if the story had
    none (its first article had no title)."""
    summary = add(ref.summary, f) if f is not None else ref.summary
    if f is None:
        summary = Summary(summary.body, summary.title, summary.entities, summary.size + 1,
                          summary.first_day, summary.last_day)
    values = {"size": summary.size, "last_article": article_id, "last_seq": seq, "updated_at": now(),
              "touched": _next(conn),
              "first_date": _iso(summary.first_day), "last_date": _iso(summary.last_day)}
    if f is not None:
        values["centroid"] = _centroid(summary)
    conn.execute(update(stories).where(stories.c.id == ref.id).values(**values))
    if title:
        conn.execute(update(stories).where(stories.c.id == ref.id, stories.c.title.is_(None)).values(title=title))
    if f is not None:
        _index(conn, ref.id, summary, keys(ref.summary))


def _next(conn: Connection) -> int:
    return horizon(conn) + 1


def _index(conn: Connection, story_id: str, summary: Summary, old: list[str]) -> None:
    new = keys(summary)
    gone = [key_hash(k) for k in set(old) - set(new)]
    fresh = [key_hash(k) for k in set(new) - set(old)]
    if gone:
        conn.execute(delete(story_keys).where(story_keys.c.story_id == story_id, story_keys.c.hash.in_(gone)))
    if fresh:
        conn.execute(insert(story_keys), [{"hash": h, "story_id": story_id} for h in fresh])


def _centroid(s: Summary) -> str:
    rounded = {name: {t: round(w, 4) for t, w in getattr(s, name).items()} for name in ("body", "title", "entities")}
    return json.dumps(rounded, ensure_ascii=False)


def _iso(day: int | None) -> str | None:
    return None if day is None else (date(1970, 1, 1) + timedelta(days=day)).isoformat()


def _day(iso: str | None) -> int | None:
    return None if iso is None else (date.fromisoformat(iso) - date(1970, 1, 1)).days


@dataclass(frozen=True)
class Prior:
    """What was found for one article before the story lock, as of the snapshot `horizon`."""
    refs: dict[str, StoryRef]
    rewrite: Rewrite | None
    horizon: int = 0
    compared: frozenset[str] = frozenset()   # the articles already compared for a rewrite


@dataclass(frozen=True)
class Placement:
    story: StoryRef | None       # the story joined; None: the article starts its own
    rewrite: Rewrite | None


def prior(conn: Connection, article: StoryInput, rules: StoryRules) -> Prior:
    """Candidate stories, and a rewrite link among the originals of the closest three."""
    seen = horizon(conn)
    refs = candidates(conn, article.features, rules.weights)
    compared = _members(members(conn, _closest(article, refs, rules)))
    return Prior(refs, rules.rewrite(article, compared), seen, frozenset(m.article_id for m in compared))


def _closest(article: StoryInput, refs: dict[str, StoryRef], rules: StoryRules, n: int = 3) -> list[str]:
    """The n stories the article scores closest to: only their originals are compared for a
    rewrite (each comparison reads an article's text)."""
    scored = {sid: score(article.features, ref.summary, rules.weights) for sid, ref in refs.items()}
    return sorted((sid for sid, v in scored.items() if v is not None), key=lambda sid: -scored[sid])[:n]


def place(conn: Connection, article: StoryInput, rules: StoryRules, before: Prior,
          duplicate_of: str | None) -> Placement:
    """Under the story lock (taken here): the best story as of now, or a new one. A duplicate
    prefers its original's story, a rewrite the story of what it rewords: kept when it fits
    the article or when no other story does (see `choose`)."""
    lock(conn)
    changed = changed_since(conn, before.horizon)
    rewrite, prefer = None, None
    if duplicate_of is not None:
        prefer = story_of(conn, duplicate_of)
    else:
        rewrite = before.rewrite
        late = rules.rewrite(article, _members(members(conn, _closest(article, changed, rules), skip=before.compared)))
        if late is not None and (rewrite is None or late.score > rewrite.score):
            rewrite = late
        if rewrite is not None:
            prefer = story_of(conn, rewrite.article_id)
    refs = {**before.refs, **changed}
    if prefer is not None and prefer not in refs:
        refs |= _load(conn, [prefer])
    choice = rules.choose(article, {sid: ref.summary for sid, ref in refs.items()}, prefer)
    return Placement(refs.get(choice.story) if choice.story else None, rewrite)


def record(conn: Connection, placement: Placement, article_id: str, seq: int, title: str | None,
           article: StoryInput, duplicate: bool) -> str:
    """Write the placement: join the story or start one. Returns the story id."""
    if placement.story is None:
        return start(conn, article_id, seq, title, article.features)
    join(conn, placement.story, article_id, seq, None if duplicate else article.features, title)
    return placement.story.id


def _members(rows: list[dict]) -> list[Member]:
    return [Member(r["id"], r["story_id"], r["text"], json.loads(r["story_sig"] or "{}")) for r in rows]


# reads for the CLI

def listing(conn: Connection, since: str | None = None, limit: int | None = None) -> list[dict]:
    """Stories, newest last date first, optionally only those with articles on or after `since`."""
    query = select(stories).order_by(stories.c.last_date.desc().nullslast(), stories.c.last_seq.desc())
    if since:
        query = query.where(stories.c.last_date >= since)
    if limit:
        query = query.limit(limit)
    return [_row(r) for r in conn.execute(query).mappings()]


def get(conn: Connection, story_id: str) -> dict | None:
    row = conn.execute(select(stories).where(stories.c.id == story_id)).mappings().first()
    if row is None:
        return None
    query = (select(articles.c.id, articles.c.title, articles.c.source, articles.c.published, articles.c.status,
                    articles.c.duplicate_of, articles.c.rewrite_of)
             .where(articles.c.story_id == story_id).order_by(articles.c.seq))
    return _row(row) | {"articles": [dict(r) for r in conn.execute(query).mappings()]}


def _row(r) -> dict:
    return {"id": r["id"], "title": r["title"], "size": r["size"], "first_article": r["first_article"],
            "last_article": r["last_article"], "first_date": r["first_date"], "last_date": r["last_date"]}
