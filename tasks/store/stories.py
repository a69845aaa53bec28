"""Story rows: candidate look-up, the reads the online assignment needs (tasks/store/placing.py
places a writer's batch), and the reads behind `ingest stories` and `ingest show STORY_ID`.

A story row keeps a bounded summary of its articles (summed term vectors cut to their
heaviest terms, size, date span); `story_keys` maps the hashed key terms of each story's
summary to it. A new article looks up the stories sharing its keys within the time window
*before* taking any lock (`prior`, with the snapshot's `horizon`). Inside the writer's
transaction the batch is placed against the stories changed since the snapshots (`touched`
above them: a counter bumped under the story lock, so it follows commit order whatever the
dedup locking), then the story lock is taken (`lock`: one fleet-wide PostgreSQL advisory lock,
held to commit, taken after the dedup lock(s); on SQLite the write lock already serializes)
and the placements stand only if no story changed meanwhile, else they are made again under
it. Two workers therefore never both start a story for one event: the second sees the first's
story among the changed ones. Under the story lock: one statement and the commit
(tasks/store/storylock.py, which also gives the argument in full).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Connection, bindparam, func, select, text, true

from tasks.stages.stories import Features, Member, Rewrite, StoryInput, StoryRules, Summary, Weights, keys, score
from tasks.stages.stories.rewrite import Signature, close_enough
from tasks.store.schema import articles, stories, story_keys

MAX_CANDIDATES = 20
KEY_SLOTS = 24   # at most this many key terms per article (tasks/stages/stories keys' limit)
SPARE = 20   # stories ranked after the first MAX_CANDIDATES before the lock, in case some of those change
STORY_LOCK_KEY = 0x5707E5   # arbitrary constant naming the story advisory lock
REWRITE_MEMBERS = 20   # a candidate story's most recent originals compared for a rewrite
# the story_id index holds seq (the rowid on SQLite): newest first is a walk of the index
_HORIZON = text("SELECT max(touched) FROM stories")   # bare max(): one step down the touched index
_RECENT = text("SELECT id, seq, story_sig FROM articles WHERE story_id = :story AND status = 'original' "
               "ORDER BY seq DESC LIMIT :limit")


@dataclass(frozen=True)
class StoryRef:
    id: str
    summary: Summary
    last_seq: int
    touched: int = 0          # its story-lock order (see horizon) when read


def key_hash(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode("utf8"), digest_size=8).digest(), "big", signed=True)


def ranked(conn: Connection, f: Features, w: Weights = Weights(),
           limit: int = MAX_CANDIDATES + SPARE) -> tuple[list[tuple[str, int, int]], bool]:
    """[(story, key terms shared, touched)] of the `limit` stories within the article's reach
    in time that share the most, most first, ties by id; and whether more stories share some."""
    found, more, _ = _looked_up(conn, f, w, limit)
    return found, more


def _looked_up(conn: Connection, f: Features, w: Weights = Weights(),
               limit: int = MAX_CANDIDATES + SPARE) -> tuple[list[tuple[str, int, int]], bool, int | None]:
    """`ranked`, and the `horizon` read in the same statement (so as of the same snapshot, on
    PostgreSQL too); None for an article without key terms (nothing was read)."""
    hashes = [key_hash(k) for k in keys(f, KEY_SLOTS)]
    if not hashes:
        return [], False, None
    params = {f"h{i}": hashes[min(i, len(hashes) - 1)] for i in range(KEY_SLOTS)} | {"limit": limit + 1}
    if f.day is not None:
        params |= {"low": iso(f.day - w.reach_days), "high": iso(f.day + w.reach_days)}
    rows = conn.execute(_RANKED if f.day is None else _RANKED_IN_REACH, params).all()
    found = [(sid, shared, touched) for _, sid, shared, touched in rows if sid is not None]
    return found[:limit], len(found) > limit, rows[0][0] or 0


def _ranking(in_reach: bool):
    """The statement behind `ranked`, built once: its compiled form is then found in
    SQLAlchemy's cache without walking a new statement per article. The key hashes are
    KEY_SLOTS plain parameters (an article with fewer keys repeats its last one, which leaves
    the set the same), not an expanding list, which would be rendered again at every
    execution. The postings are counted on the inverted table alone; the stories table is
    read per posting only to tell an article with a date which stories are within its reach,
    and otherwise for the `touched` of the stories ranked. Its first column is the `horizon`,
    on every row (one row of it with NULLs when no story is found)."""
    shared = func.count().label("shared")
    query = select(story_keys.c.story_id, shared).where(
        story_keys.c.hash.in_([bindparam(f"h{i}") for i in range(KEY_SLOTS)]))
    if in_reach:
        query = query.join(stories, stories.c.id == story_keys.c.story_id).where(
            (stories.c.last_date.is_(None))
            | ((stories.c.last_date >= bindparam("low")) & (stories.c.first_date <= bindparam("high"))))
    best = (query.group_by(story_keys.c.story_id).order_by(shared.desc(), story_keys.c.story_id)
            .limit(bindparam("limit")).subquery("best"))
    found = (select(best.c.story_id, best.c.shared, stories.c.touched)
             .join(stories, stories.c.id == best.c.story_id).subquery("found"))
    seen = select(func.max(stories.c.touched).label("horizon")).subquery("seen")   # one row, always
    return (select(seen.c.horizon, found.c.story_id, found.c.shared, found.c.touched)
            .select_from(seen.outerjoin(found, true())).order_by(found.c.shared.desc(), found.c.story_id))


_RANKED, _RANKED_IN_REACH = _ranking(False), _ranking(True)
# the other statements run per article, likewise built once
_CHANGED = select(stories.c.id, stories.c.touched).where(stories.c.touched > bindparam("since"))
_LOAD = select(stories).where(stories.c.id.in_(bindparam("ids", expanding=True)))
_STORY_OF = select(articles.c.story_id).where(articles.c.id == bindparam("id"))
_TEXTS = select(articles.c.id, articles.c.text).where(articles.c.id.in_(bindparam("ids", expanding=True)))


def reaches(f: Features, s: Summary, w: Weights = Weights()) -> bool:
    """Whether the story is within the article's reach in time, as `ranked` tells it."""
    return (f.day is None or s.last_day is None
            or (s.last_day >= f.day - w.reach_days and s.first_day <= f.day + w.reach_days))


def horizon(conn: Connection) -> int:
    """The newest story change committed (see the module docstring)."""
    return conn.execute(_HORIZON).scalar() or 0


def lock(conn: Connection) -> None:
    """Take the story lock for the rest of the transaction (PostgreSQL; on SQLite the writer
    already holds the database's write lock)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": STORY_LOCK_KEY})


def changed_since(conn: Connection, since: int, cache=None) -> dict[str, StoryRef]:
    """Stories started or joined after the snapshot `since` (as many as the articles placed
    meanwhile, so few)."""
    return _read(conn, dict(conn.execute(_CHANGED, {"since": since}).all()),
                 cache)


def _read(conn: Connection, touched: dict[str, int], cache) -> dict[str, StoryRef]:
    """The stories {id: touched}, in the order of their ids."""
    found = cache.refs(conn, touched) if cache is not None else load(conn, list(touched))
    return {sid: found[sid] for sid in sorted(found)}


def load(conn: Connection, ids: list[str], terms: dict[str, str] | None = None) -> dict[str, StoryRef]:
    if not ids:
        return {}
    rows = conn.execute(_LOAD, {"ids": ids}).mappings()
    return {r["id"]: StoryRef(r["id"], summary_of(r, terms), r["last_seq"], r["touched"]) for r in rows}


def summary_of(row, terms: dict[str, str] | None = None) -> Summary:
    """The summary of a story row (its centroid decoded; its terms `shared`)."""
    c = json.loads(row["centroid"])
    return Summary(shared(c["body"], terms), shared(c["title"], terms), shared(c["entities"], terms), row["size"],
                   _day(row["first_date"]), _day(row["last_date"]))


def shared(weights: dict[str, float], terms: dict[str, str] | None) -> dict[str, float]:
    """The weights, each term the copy in `terms` ({term: term}, added if new), not JSON's own."""
    return weights if terms is None else {terms.setdefault(t, t): w for t, w in weights.items()}


def story_of(conn: Connection, article_id: str) -> str | None:
    return conn.execute(_STORY_OF, {"id": article_id}).scalar()


def recent(conn: Connection, story_id: str, limit: int, decoded: dict[str, tuple] | None = None,
           terms: dict[str, str] | None = None) -> list[tuple[str, int, Signature]]:
    """(id, seq, signature) of a story's most recent original articles, newest first (no text),
    their terms `shared`. `decoded`: {article id: (length, hash of its JSON, signature)} read
    before (Python's hash, salted per process), not decoded again while the JSON is the same;
    it then holds those of the articles read, so it stays as small as the list."""
    before = dict(decoded) if decoded else {}
    if decoded is not None:
        decoded.clear()
    found = []
    for aid, seq, stored in conn.execute(_RECENT, {"story": story_id, "limit": limit}):
        stored = stored or "{}"
        known = before.get(aid, ())
        sig = known[2] if known[:2] == (len(stored), hash(stored)) else Signature(shared(json.loads(stored), terms))
        if decoded is not None:
            decoded[aid] = (len(stored), hash(stored), sig)
        found.append((aid, seq, sig))
    return found


def texts(conn: Connection, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(conn.execute(_TEXTS, {"ids": ids}).all())


def members(conn: Connection, article: StoryInput, refs: list[StoryRef], cache=None) -> tuple[list[Member], frozenset[str]]:
    """The most recent originals of these stories (REWRITE_MEMBERS each) that are close enough
    to the article to compare for a rewrite (only their texts are read), and the ids of all
    those considered."""
    considered, close = [], []
    for ref in refs:
        sid = ref.id
        found = cache.recent(conn, sid, ref.touched) if cache is not None else recent(conn, sid, REWRITE_MEMBERS)
        for aid, _, sig in found[:REWRITE_MEMBERS]:
            considered.append(aid)
            if close_enough(article.signature, sig):
                close.append((aid, sid, sig))
    text_of = texts(conn, [aid for aid, _, _ in close])
    return [Member(aid, sid, text_of[aid], sig) for aid, sid, sig in close if aid in text_of], frozenset(considered)


def new_id(article_id: str) -> str:
    """A story's id: `s-` and its first article's id (stable, and never taken for an article's)."""
    return "s-" + article_id


def encode(s: Summary) -> str:
    """A summary's centroid column; its weights already rounded (placing.py rounds them)."""
    return json.dumps({"body": s.body, "title": s.title, "entities": s.entities}, ensure_ascii=False)


def iso(day: int | None) -> str | None:
    return None if day is None else (date(1970, 1, 1) + timedelta(days=day)).isoformat()


def _day(iso: str | None) -> int | None:
    return None if iso is None else (date.fromisoformat(iso) - date(1970, 1, 1)).days


@dataclass(frozen=True)
class Prior:
    """What was found for one article before the story lock, as of the snapshot `horizon`."""
    refs: dict[str, StoryRef]                  # the first MAX_CANDIDATES stories of `shares`
    rewrites: dict[str, Rewrite | None]        # per story compared for a rewrite (the closest), its best
    horizon: int = 0
    shares: dict[str, int] = field(default_factory=dict)   # {story: key terms shared}, as `ranked`
    more: bool = False                         # more stories share keys than `shares` holds
    scores: dict[str, float | None] = field(default_factory=dict)   # `score` of each of `refs`

    @property
    def rewrite(self) -> Rewrite | None:
        return best_rewrite(self.rewrites.values())


def prior(conn: Connection, article: StoryInput, rules: StoryRules, cache=None) -> Prior:
    """Candidate stories, and the rewrite links found among the originals of the closest three."""
    found, more, seen = _looked_up(conn, article.features, rules.weights)
    seen = horizon(conn) if seen is None else seen
    refs = _read(conn, {sid: touched for sid, _, touched in found[:MAX_CANDIDATES]}, cache)
    scores = {sid: score(article.features, ref.summary, rules.weights) for sid, ref in refs.items()}
    rewrites = {sid: rules.rewrite(article, members(conn, article, [refs[sid]], cache)[0])
                for sid in closest(article, refs, rules, scores=scores)}
    return Prior(refs, rewrites, seen, {sid: n for sid, n, _ in found}, more, scores)


def closest(article: StoryInput, refs: dict[str, StoryRef], rules: StoryRules, n: int = 3,
            scores: dict[str, float | None] | None = None) -> list[str]:
    """The n stories the article scores closest to: only their originals are compared for a
    rewrite (each comparison reads an article's text). `scores`: some already worked out."""
    known = scores or {}
    scored = {sid: known[sid] if sid in known else score(article.features, ref.summary, rules.weights)
              for sid, ref in refs.items()}
    return sorted((sid for sid, v in scored.items() if v is not None), key=lambda sid: (-scored[sid], sid))[:n]


def best_rewrite(found) -> Rewrite | None:
    """The first of the highest-scoring rewrites (as StoryRules.rewrite picks among members)."""
    best = None
    for r in found:
        if r is not None and (best is None or r.score > best.score):
            best = r
    return best


def reranked(before: Prior, now: dict[str, int]) -> list[str] | None:
    """The first MAX_CANDIDATES stories as `prior` would find them now, from the
    snapshot's ranking (`before`) and `now`, the key terms shared with every story changed since
    the snapshot (0 or missing: none). None when that cannot be told without looking up again:
    the snapshot ranked only its first stories, and too many of them changed."""
    shares = {sid: n for sid, n in before.shares.items() if sid not in now} | {sid: n for sid, n in now.items() if n}
    order = sorted(shares, key=lambda sid: (-shares[sid], sid))
    if before.more:   # a story the snapshot did not rank comes after its last one
        last = next(reversed(before.shares))
        order = [sid for sid in order if (-shares[sid], sid) <= (-before.shares[last], last)]
        if len(order) < MAX_CANDIDATES:
            return None
    return order[:MAX_CANDIDATES]


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
