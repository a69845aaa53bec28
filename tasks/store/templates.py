"""Learned templates: which lines recur across a source's articles (see tasks/stages/clean.py).

Counting happens inside the writer's transaction, once per new original article (duplicates
would teach a republished story's own text; re-processing would count twice), with atomic
upserts, so any number of workers count right. A line is a template once it stood in at
least MIN_ARTICLES of the source's articles and in MIN_SHARE of them.
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import Connection, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from tasks.store.schema import template_lines, template_sources

MIN_ARTICLES = 5
MIN_SHARE = 0.2
PRUNE_EVERY = 500   # each time a source reaches a multiple of this many originals, its lines seen once go


def _upsert(conn: Connection, table, keys: list[str]):
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)
    return insert.on_conflict_do_update(index_elements=keys, set_={"articles": table.c.articles + insert.excluded.articles})


def count(conn: Connection, source: str, lines: Counter, originals: int = 1) -> None:
    """`originals` more original articles of `source`, holding these line hashes ({hash: in how
    many of them}). The table stays bounded: a source's lines found in one article only are
    dropped each time it reaches a multiple of PRUNE_EVERY originals (a template line stands in
    a fifth of them, so it is counted again long before)."""
    source = source[:200]
    seen = conn.execute(_upsert(conn, template_sources, ["source"]).returning(template_sources.c.articles),
                        {"source": source, "articles": originals}).scalar()
    if lines:
        conn.execute(_upsert(conn, template_lines, ["source", "hash"]),
                     [{"source": source, "hash": h, "articles": n} for h, n in sorted(lines.items())])
    if seen and seen // PRUNE_EVERY > (seen - originals) // PRUNE_EVERY:
        conn.execute(delete(template_lines).where(template_lines.c.source == source, template_lines.c.articles < 2))


def count_batch(conn: Connection, articles: list[tuple[str, frozenset[int]]]) -> None:
    """`count` for a batch's new originals, (source, line hashes) each: one upsert per source."""
    originals: Counter = Counter()
    lines: dict[str, Counter] = {}
    for source, hashes in articles:
        originals[source[:200]] += 1
        lines.setdefault(source[:200], Counter()).update(set(hashes))
    for source in sorted(originals):
        count(conn, source, lines[source], originals[source])


def learned(conn: Connection, sources: set[str]) -> frozenset[int]:
    """The template line hashes of these sources: a range of the (source, articles) index, so
    only the lines seen in MIN_ARTICLES or more are read, not every line of the source."""
    if not sources:
        return frozenset()
    return frozenset(conn.execute(_LEARNED, {"sources": sorted({s[:200] for s in sources})}).scalars())


# built once (each dump reads it): SQLAlchemy then finds its compiled form without walking a new statement
_LEARNED = (select(template_lines.c.hash)
            .join(template_sources, template_sources.c.source == template_lines.c.source)
            .where(template_lines.c.source.in_(bindparam("sources", expanding=True)),
                   template_lines.c.articles >= MIN_ARTICLES,
                   template_lines.c.articles >= MIN_SHARE * template_sources.c.articles))
