"""Learned templates: which lines recur across a source's articles (see tasks/stages/clean.py).

Counting happens inside the writer's transaction, once per new original article (duplicates
would teach a republished story's own text; re-processing would count twice), with atomic
upserts, so any number of workers count right. A line is a template once it stood in at
least MIN_ARTICLES of the source's articles and in MIN_SHARE of them.
"""
from __future__ import annotations

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from tasks.store.schema import template_lines, template_sources

MIN_ARTICLES = 5
MIN_SHARE = 0.2
PRUNE_EVERY = 500   # each time a source reaches a multiple of this many originals, its lines seen once go


def _upsert(conn: Connection, table, keys: list[str]):
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)
    return insert.on_conflict_do_update(index_elements=keys, set_={"articles": table.c.articles + 1})


def count(conn: Connection, source: str, hashes: set[int]) -> None:
    """One more original article of `source`, holding these line hashes. The table stays
    bounded: a source's lines found in one article only are dropped every PRUNE_EVERY
    originals (a template line stands in a fifth of them, so it is counted again long before)."""
    source = source[:200]
    seen = conn.execute(_upsert(conn, template_sources, ["source"]).returning(template_sources.c.articles),
                        {"source": source, "articles": 1}).scalar()
    if hashes:
        conn.execute(_upsert(conn, template_lines, ["source", "hash"]),
                     [{"source": source, "hash": h, "articles": 1} for h in sorted(hashes)])
    if seen and seen % PRUNE_EVERY == 0:
        conn.execute(delete(template_lines).where(template_lines.c.source == source, template_lines.c.articles < 2))


def learned(conn: Connection, sources: set[str]) -> frozenset[int]:
    """The template line hashes of these sources: a range of the (source, articles) index, so
    only the lines seen in MIN_ARTICLES or more are read, not every line of the source."""
    if not sources:
        return frozenset()
    query = (select(template_lines.c.hash)
             .join(template_sources, template_sources.c.source == template_lines.c.source)
             .where(template_lines.c.source.in_([s[:200] for s in sources]),
                    template_lines.c.articles >= MIN_ARTICLES,
                    template_lines.c.articles >= MIN_SHARE * template_sources.c.articles))
    return frozenset(conn.execute(query).scalars())
