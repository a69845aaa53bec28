"""Article rows: the dedup queries and the write, run inside the store's exclusive section,
and the reads behind `ingest export` and `ingest show`."""
from __future__ import annotations

import json
from datetime import timezone
from dataclasses import dataclass
from typing import Callable, Iterator

from sqlalchemy import Connection, delete, func, insert, select, true, update

from tasks.stages.model import Extracted, Fingerprint, Match, Topic, Verdict
from tasks.stages.stories import StoryInput, StoryRules
from tasks.store import links, stories, templates
from tasks.store.dumps import now
from tasks.store.schema import articles, shingles
from tasks.store.sqlsets import one_of

MAX_CANDIDATES = 20


@dataclass(frozen=True)
class Draft:
    """One article ready to store: what the stages made of one record of a dump."""
    index: int
    extracted: Extracted
    topics: tuple[Topic, ...]
    classifier: str
    fingerprint: Fingerprint
    template_hashes: frozenset[int] = frozenset()   # its lines, counted per source if original
    topics_reason: str | None = None                # why it has no topics (e.g. a language not covered)
    story: StoryInput | None = None                  # what story matching needs of it


Decide = Callable[[Fingerprint, "str | None", list[Match]], Verdict]


def article_id(dump_id: str, index: int) -> str:
    return f"{dump_id}-{index}"


def horizon(conn: Connection) -> int:
    """The newest article's seq. Articles are inserted only inside the exclusive section, so
    seq order is commit order: everything up to the horizon is already visible."""
    return conn.execute(select(func.coalesce(func.max(articles.c.seq), 0))).scalar_one()


def prior_matches(conn: Connection, dump_id: str, draft: Draft) -> list[Match]:
    """The costly near-match query, run *before* the exclusive section (see save)."""
    seq = conn.execute(select(articles.c.seq).where(articles.c.id == article_id(dump_id, draft.index))).scalar()
    return _near_matches(conn, draft.fingerprint.sample, seq)


def save(conn: Connection, dump_id: str, source_file: str, draft: Draft, decide: Decide, version: str,
         prior: list[Match], seen_up_to: int, rules: StoryRules | None = None,
         story_prior: "stories.Prior | None" = None) -> Verdict:
    """Dedup one draft against every article stored before it, then insert or update it.

    Runs inside the exclusive section. `prior` holds the near matches found before it among
    articles up to `seen_up_to`; only articles committed since are queried here, so the
    section stays short however large the store grows.

    An article being re-processed keeps its place in arrival order (`seq`) and is compared only
    with articles that arrived before it, so a re-queue never turns an original into a copy of
    its own duplicate.

    Then it is placed in a story (see tasks/store/stories.py); a re-processed article keeps
    the story and rewrite link it had."""
    aid = article_id(dump_id, draft.index)
    seq = conn.execute(select(articles.c.seq).where(articles.c.id == aid)).scalar()
    fp = draft.fingerprint
    recent = _near_matches(conn, fp.sample, seq, after=seen_up_to)
    verdict = decide(fp, _exact_match(conn, fp.exact, seq), _merge(prior, recent))
    verdict = _to_root(conn, verdict)
    row = _row(aid, dump_id, source_file, draft, verdict, version)
    row_is_new = seq is None
    placement = None
    if row_is_new and draft.story is not None and rules is not None:
        placement = stories.place(conn, draft.story, rules, story_prior or stories.prior(conn, draft.story, rules),
                                  verdict.duplicate_of)
        row |= _story_fields(aid, placement, draft.story)
    if seq is None:
        seq = conn.execute(insert(articles).values(**row, created_at=row["updated_at"])).inserted_primary_key[0]
        if placement is not None:
            stories.record(conn, placement, aid, seq, draft.extracted.title, draft.story,
                           duplicate=verdict.duplicate_of is not None)
    else:
        conn.execute(update(articles).where(articles.c.seq == seq).values(**row))
        conn.execute(delete(shingles).where(shingles.c.article_seq == seq))
    if verdict.duplicate_of is None and draft.extracted.source and row_is_new:
        templates.count(conn, draft.extracted.source, set(draft.template_hashes))
    if fp.sample and verdict.duplicate_of is None:
        # Only originals are indexed: a duplicate is linked to its original, which a later copy
        # finds as well, and the index stays as large as the distinct stories, not the dumps.
        conn.execute(insert(shingles), [{"hash": h, "article_seq": seq} for h in fp.sample])
    return verdict


def _story_fields(aid: str, placement: "stories.Placement", story: StoryInput) -> dict:
    rewrite = placement.rewrite
    return {"story_id": placement.story.id if placement.story else stories.new_id(aid),
            "rewrite_of": rewrite.article_id if rewrite else None,
            "rewrite_score": rewrite.score if rewrite else None,
            "story_sig": json.dumps(story.signature, ensure_ascii=False)}


def _merge(prior: list[Match], recent: list[Match]) -> list[Match]:
    best: dict[str, Match] = {}
    for m in prior + recent:
        if m.article_id not in best or m.shared > best[m.article_id].shared:
            best[m.article_id] = m
    return list(best.values())


def drop_stale(conn: Connection, dump_id: str, keep: set[int]) -> None:
    """Delete the articles of a dump whose record index is not in `keep` (a re-processed dump
    that no longer yields them, or all of a dump whose re-processing failed); the articles
    that pointed to them are re-pointed (links.py)."""
    rows = conn.execute(select(articles.c.seq, articles.c.id, articles.c.record_index)
                        .where(articles.c.dump_id == dump_id)).all()
    stale = [r for r in rows if r.record_index not in keep]
    for start in range(0, len(stale), 500):
        seqs = [r.seq for r in stale[start:start + 500]]
        conn.execute(delete(shingles).where(shingles.c.article_seq.in_(seqs)))
        conn.execute(delete(articles).where(articles.c.seq.in_(seqs)))
    links.orphaned(conn, [r.id for r in stale])


def set_topics(conn: Connection, aid: str, topics: tuple[Topic, ...], classifier: str, reason: str | None) -> None:
    """Re-classification only: new topics, nothing else about the article changes."""
    conn.execute(update(articles).where(articles.c.id == aid).values(
        topics=_topics_json(topics), topics_reason=reason, classifier=classifier, updated_at=now()))


def _topics_json(topics) -> str:
    return json.dumps([{"label": t.label, "score": round(t.score, 4)} for t in topics])


def _before(column, seq: int | None):
    return column < seq if seq is not None else true()


def _exact_match(conn: Connection, exact: str, seq: int | None) -> str | None:
    query = (select(articles.c.id).where(articles.c.exact_hash == exact, _before(articles.c.seq, seq))
             .order_by(articles.c.seq).limit(1))
    return conn.execute(query).scalar()


def _near_matches(conn: Connection, sample: frozenset[int], seq: int | None, after: int = 0) -> list[Match]:
    if not sample:
        return []
    shared = func.count().label("shared")
    hits = (select(shingles.c.article_seq, shared)
            .where(one_of(conn, shingles.c.hash, sample), _before(shingles.c.article_seq, seq),
                   shingles.c.article_seq > after)
            .group_by(shingles.c.article_seq).order_by(shared.desc()).limit(MAX_CANDIDATES).subquery())
    query = (select(articles.c.id, hits.c.shared, articles.c.sample_size)
             .join(hits, hits.c.article_seq == articles.c.seq).order_by(hits.c.shared.desc()))
    return [Match(article_id=r.id, shared=r.shared, size=r.sample_size) for r in conn.execute(query)]


def _to_root(conn: Connection, verdict: Verdict) -> Verdict:
    """Link to the original itself, never to another duplicate: clusters stay stars."""
    if verdict.duplicate_of is None:
        return verdict
    root = conn.execute(select(articles.c.duplicate_of).where(articles.c.id == verdict.duplicate_of)).scalar()
    if root is None:
        return verdict
    return Verdict(duplicate_of=root, kind=verdict.kind, containment=verdict.containment, jaccard=verdict.jaccard)


def _row(aid: str, dump_id: str, source_file: str, draft: Draft, verdict: Verdict, version: str) -> dict:
    ex = draft.extracted
    return {
        "id": aid, "dump_id": dump_id, "record_index": draft.index, "source_file": source_file,
        "title": ex.title, "text": ex.text, "published": ex.published, "source": ex.source,
        "language": ex.language, "url": ex.url, "classifier": draft.classifier,
        "topics_reason": draft.topics_reason,
        "topics": _topics_json(draft.topics),
        "status": verdict.status, "duplicate_of": verdict.duplicate_of,
        "dup_kind": None if verdict.duplicate_of is None else verdict.kind,
        "dup_containment": round(verdict.containment, 4) if verdict.duplicate_of else None,
        "dup_jaccard": round(verdict.jaccard, 4) if verdict.duplicate_of else None,
        "exact_hash": draft.fingerprint.exact, "sample_size": len(draft.fingerprint.sample),
        "pipeline_version": version, "updated_at": now(),
    }


EXPORT_FIELDS = ("id", "dump_id", "source_file", "title", "text", "published", "source", "language",
                 "url", "topics", "duplicate_of", "status", "story_id", "rewrite_of")
LINEAGE_FIELDS = ("dup_kind", "dup_containment", "dup_jaccard", "rewrite_score", "classifier", "topics_reason",
                  "pipeline_version",
                  "created_at", "updated_at")


def to_json(row) -> dict:
    doc = {name: row[name] for name in EXPORT_FIELDS + LINEAGE_FIELDS}
    doc["topics"] = json.loads(doc["topics"])
    for stamp in ("created_at", "updated_at"):
        doc[stamp] = iso_utc(doc[stamp])
    return doc


def iso_utc(stamp) -> str | None:
    """ISO 8601 in UTC; SQLite gives back naive datetimes that were written in UTC."""
    if stamp is None:
        return None
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)).isoformat()


def iterate(conn: Connection, status: str | None = None) -> Iterator[dict]:
    query = select(articles).order_by(articles.c.seq)
    if status:
        query = query.where(articles.c.status == status)
    for row in conn.execution_options(yield_per=500).execute(query).mappings():
        yield to_json(row)


def get(conn: Connection, aid: str) -> dict | None:
    row = conn.execute(select(articles).where(articles.c.id == aid)).mappings().first()
    return to_json(row) if row else None


def of_dump(conn: Connection, dump_id: str) -> list[dict]:
    rows = conn.execute(select(articles).where(articles.c.dump_id == dump_id).order_by(articles.c.record_index))
    return [to_json(r) for r in rows.mappings()]


def totals(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(articles.c.status, func.count()).group_by(articles.c.status)).all()
    return {"original": 0, "duplicate": 0} | dict(rows)


def summary_of(conn: Connection, dump_ids: list[str]) -> dict:
    """Articles, duplicates and best-topic counts over the articles of these dumps."""
    result = {"articles": 0, "duplicates": 0, "topics": {}}
    for start in range(0, len(dump_ids), 500):
        query = select(articles.c.status, articles.c.topics).where(articles.c.dump_id.in_(dump_ids[start:start + 500]))
        for status, topics in conn.execute(query):
            result["articles"] += 1
            result["duplicates"] += status == "duplicate"
            best = (json.loads(topics) or [{}])[0].get("label")
            if best:
                result["topics"][best] = result["topics"].get(best, 0) + 1
    return result
