"""Learned templates: which lines recur across a source's articles (see tasks/stages/clean.py).

Counting happens inside the writer's transaction, once per new original article (duplicates
would teach a republished story's own text; re-processing would count twice), with atomic
upserts, so any number of workers count right. A line is a template once it stood in at
least MIN_ARTICLES of the source's articles and in MIN_SHARE of them.
"""
from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from tasks.store.schema import template_lines, template_sources

MIN_ARTICLES = 5
MIN_SHARE = 0.2


def _upsert(conn: Connection, table, rows: list[dict], keys: list[str]) -> None:
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)
    conn.execute(insert.on_conflict_do_update(index_elements=keys, set_={"articles": table.c.articles + 1}), rows)


def count(conn: Connection, source: str, hashes: set[int]) -> None:
    """One more original article of `source`, holding these line hashes."""
    source = source[:200]
    _upsert(conn, template_sources, [{"source": source, "articles": 1}], ["source"])
    if hashes:
        _upsert(conn, template_lines, [{"source": source, "hash": h, "articles": 1} for h in sorted(hashes)],
                ["source", "hash"])


def learned(conn: Connection, sources: set[str]) -> frozenset[int]:
    """The template line hashes of these sources."""
    if not sources:
        return frozenset()
    query = (select(template_lines.c.hash)
             .join(template_sources, template_sources.c.source == template_lines.c.source)
             .where(template_lines.c.source.in_([s[:200] for s in sources]),
                    template_lines.c.articles >= MIN_ARTICLES,
                    template_lines.c.articles >= MIN_SHARE * template_sources.c.articles))
    return frozenset(conn.execute(query).scalars())
