"""The Store: one object per process, over one SQLAlchemy engine, that the shells use.

Each method is one short transaction; `save_articles` is the exclusive one (see engine.py).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from tasks.stages.stories import StoryRules
from tasks.store import articles, dumps, inbox, migrate, stories, templates
from tasks.store.articles import Decide, Draft
from tasks.store.engine import exclusive, make_engine
from tasks.store.faults import store_errors


class Store:
    def __init__(self, url: str, *, check_schema: bool = True):
        """Open the store. An empty one is created at the schema's head; one behind head is
        refused (StoreBehind: run `ingest migrate`) unless check_schema is False."""
        self.url = url
        self.engine = make_engine(url)
        if check_schema:
            with store_errors(self.safe_url):
                migrate.ensure(self.engine, self.safe_url)

    def migrate(self) -> migrate.Upgrade:
        """Upgrade the schema in place to this release's head."""
        with store_errors(self.safe_url):
            return migrate.upgrade(self.engine)

    @property
    def safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    # dumps
    def register(self, path: Path, max_bytes: int, version: str, st=None) -> dumps.Registration:
        with self.engine.begin() as conn:
            return dumps.register(conn, path, max_bytes, version, st)

    def known_files(self, files: list[tuple[str, int, int]]) -> dict[str, tuple[str, str]]:
        """{absolute path: (dump id, state)} for the (path, size, mtime_ns) already registered."""
        with self.engine.connect() as conn:
            return inbox.known_many(conn, files)

    def moved(self, dump_id: str, where: Path) -> None:
        with self.engine.begin() as conn:
            inbox.moved(conn, dump_id, str(where))

    def record_unreadable(self, path: Path, size: int, reason: str) -> dumps.Registration:
        with self.engine.begin() as conn:
            return inbox.record_unreadable(conn, path, size, reason)

    def queued_before(self, cutoff, limit: int = 500) -> list[str]:
        with self.engine.connect() as conn:
            return inbox.queued_before(conn, cutoff, limit)

    def touch_queued(self, ids: list[str]) -> None:
        with self.engine.begin() as conn:
            inbox.touch_queued(conn, ids)

    def claim(self, dump_id: str) -> dumps.Claimed:
        with self.engine.begin() as conn:
            return dumps.claim(conn, dump_id)

    def fail(self, dump_id: str, reason: str) -> None:
        with self.engine.begin() as conn:
            dumps.fail(conn, dump_id, reason)

    def requeue(self, ids: list[str] | None = None, only_failed: bool = False) -> list[str]:
        with self.engine.begin() as conn:
            return dumps.requeue(conn, ids, only_failed)

    def states(self, ids: list[str]) -> dict[str, str]:
        with self.engine.connect() as conn:
            return dumps.states(conn, ids)

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return dumps.counts(conn)

    def recent_failures(self, limit: int = 10) -> list[dict]:
        with self.engine.connect() as conn:
            return dumps.recent_failures(conn, limit)

    def recent_warnings(self, limit: int = 10) -> list[dict]:
        with self.engine.connect() as conn:
            return dumps.recent_warnings(conn, limit)

    def dump(self, dump_id: str) -> dict | None:
        with self.engine.connect() as conn:
            return dumps.get(conn, dump_id)

    # articles
    def save_articles(self, dump_id: str, source_file: str, drafts: list[Draft], decide: Decide,
                      version: str, warnings: str | None = None, *, rules: StoryRules | None = None) -> list:
        """Dedup, place in stories and store every draft of a dump, and mark the dump done, in
        one exclusive transaction: a crash leaves either all of it or none. The near-match and
        candidate-story queries run before it, against a snapshot; inside it, only what was
        committed since is checked."""
        with self.engine.connect() as conn:
            seen_up_to = articles.horizon(conn)
            prior = [articles.prior_matches(conn, dump_id, d) for d in drafts]
            story_prior = [stories.prior(conn, d.story, rules) if rules and d.story else None for d in drafts]
            had = conn.execute(dumps.articles_count(dump_id)).scalar() or 0
        with exclusive(self.engine) as conn:
            verdicts = [articles.save(conn, dump_id, source_file, d, decide, version, p, seen_up_to, rules, sp)
                        for d, p, sp in zip(drafts, prior, story_prior)]
            if had > len(drafts):
                articles.drop_stale(conn, dump_id, keep=len(drafts))
            dumps.finish(conn, dump_id, len(drafts), version, warnings)
            return verdicts

    def templates(self, sources: set[str]) -> frozenset[int]:
        """Line hashes learned as template for these sources."""
        with self.engine.connect() as conn:
            return templates.learned(conn, sources)

    def article(self, article_id: str) -> dict | None:
        with self.engine.connect() as conn:
            return articles.get(conn, article_id)

    def articles_of(self, dump_id: str) -> list[dict]:
        with self.engine.connect() as conn:
            return articles.of_dump(conn, dump_id)

    def export(self, status: str | None = None) -> Iterator[dict]:
        with self.engine.connect() as conn:
            yield from articles.iterate(conn, status)

    def summary_of(self, dump_ids: list[str]) -> dict:
        with self.engine.connect() as conn:
            return articles.summary_of(conn, dump_ids)

    def stories(self, since: str | None = None, limit: int | None = None) -> list[dict]:
        with self.engine.connect() as conn:
            return stories.listing(conn, since, limit)

    def story(self, story_id: str) -> dict | None:
        with self.engine.connect() as conn:
            return stories.get(conn, story_id)

    def totals(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return articles.totals(conn)

