"""Article rows: what one holds (a Draft, its row), dropping stale ones, and the reads behind
`ingest export` and `ingest show`. The write path is tasks/store/writer.py."""
from __future__ import annotations

import json
from datetime import timezone
from dataclasses import dataclass
from typing import Callable, Iterator

from sqlalchemy import Connection, delete, func, select, update

from tasks.stages.model import Extracted, Fingerprint, Topic, Verdict
from tasks.stages.stories import StoryInput
from tasks.store import index, links
from tasks.store.dumps import now
from tasks.store.schema import articles


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
    grams: bytes = b""    # its text's 5-gram hashes, packed (memo.pack): the writer counts with them


Decide = Callable[..., Verdict]   # dedup.decide(fingerprint, exact match, candidates, estimates=...)


def article_id(dump_id: str, index: int) -> str:
    return f"{dump_id}-{index}"


def drop_stale(conn: Connection, dump_id: str, keep: set[int]) -> None:
    """Delete the articles of a dump whose record index is not in `keep` (a re-processed dump
    that no longer yields them, or all of a dump whose re-processing failed); the articles
    that pointed to them are re-pointed (links.py)."""
    rows = conn.execute(select(articles.c.seq, articles.c.id, articles.c.record_index)
                        .where(articles.c.dump_id == dump_id)).all()
    stale = [r for r in rows if r.record_index not in keep]
    index.remove(conn, [r.seq for r in stale])
    for start in range(0, len(stale), 500):
        seqs = [r.seq for r in stale[start:start + 500]]
        conn.execute(delete(articles).where(articles.c.seq.in_(seqs)))
    links.orphaned(conn, [r.id for r in stale])


def set_topics(conn: Connection, aid: str, topics: tuple[Topic, ...], classifier: str, reason: str | None) -> None:
    """Re-classification only: new topics, nothing else about the article changes."""
    conn.execute(update(articles).where(articles.c.id == aid).values(
        topics=_topics_json(topics), topics_reason=reason, classifier=classifier, updated_at=now()))


def _topics_json(topics) -> str:
    return json.dumps([{"label": t.label, "score": round(t.score, 4)} for t in topics])


def row_of(aid: str, dump_id: str, source_file: str, draft: Draft, verdict: Verdict, version: str) -> dict:
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
        "exact_hash": draft.fingerprint.exact, "sample_size": draft.fingerprint.size,
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


def iterate(conn: Connection, status: str | None = None, newest_first: bool = False,
            classifiers: set[str] | None = None) -> Iterator[dict]:
    query = select(articles).order_by(articles.c.seq.desc() if newest_first else articles.c.seq)
    if status:
        query = query.where(articles.c.status == status)
    if classifiers is not None:
        query = query.where(articles.c.classifier.in_(sorted(classifiers)))
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
