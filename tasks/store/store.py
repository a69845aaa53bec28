"""The Store: one object per process, over one SQLAlchemy engine, that the shells use.

Each method is one short transaction, retried on a connection error (tasks/store/faults.py);
`save_articles` / `save_batch` run in a writer's transaction (engine.py, writer.py). Lifecycle changes go through the lease
rules of tasks/store/lifecycle.py.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from sqlalchemy import Connection

from config import defaults
from config.settings import Settings
from tasks.errors import LeaseLost
from tasks.policy import Policy, new_token
from tasks.stages.stories import StoryRules
from tasks.store import articles, dumps, inbox, lifecycle, migrate, recovery, stories, templates, writer
from tasks.store.articles import Decide, Draft
from tasks.store.engine import exclusive, make_engine, writing
from tasks.store.storycache import StoryCache
from tasks.store.memo import Memo
from tasks.store.writer import DumpWrite
from tasks.store.faults import retrying, store_errors

DEFAULT_POLICY = Policy.from_settings(Settings())
T = TypeVar("T")


class Store:
    def __init__(self, url: str, *, check_schema: bool = True, pooled: bool = True,
                 story_cache: int = defaults.STORY_CACHE, memo: int | None = None):
        """Open the store. An empty one is created at the schema's head; one behind head is
        refused (StoreBehind: run `ingest migrate`) unless check_schema is False. `story_cache`:
        how many stories this process keeps decoded (INGEST_STORY_CACHE; memory, ~30 KB each, 70 KB at most),
        and, for `memo` articles (default: half as many), what its writer worked out of them
        (tasks/store/memo.py: ~10 KB each)."""
        self.url = url
        self.engine = make_engine(url, pooled=pooled)
        self.story_cache = StoryCache(story_cache)   # stories as this process last read or committed them
        self.memo = Memo(story_cache // 2 if memo is None else memo)   # what this process's writer worked out
        if check_schema:
            with store_errors(self.safe_url, opening=True):
                migrate.ensure(self.engine, self.safe_url)

    def migrate(self) -> migrate.Upgrade:
        """Upgrade the schema in place to this release's head."""
        with store_errors(self.safe_url, opening=True):
            return migrate.upgrade(self.engine)

    @cached_property
    def safe_url(self) -> str:
        """The store's URL without its password (every store call names it in its errors)."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def _write(self, fn: Callable, *args):
        """fn(conn, *args) in one transaction, retried on connection errors."""
        def once():
            with self.engine.begin() as conn:
                return fn(conn, *args)
        return retrying(once, self.safe_url)

    def _read(self, fn: Callable, *args):
        def once():
            with self.engine.connect() as conn:
                return fn(conn, *args)
        return retrying(once, self.safe_url)

    # dumps
    def register(self, path: Path, max_bytes: int, version: str, st=None) -> dumps.Registration:
        return self._write(dumps.register, path, max_bytes, version, st)

    def register_many(self, files: list[tuple[Path, object]], max_bytes: int,
                      version: str) -> list["dumps.Registration | OSError"]:
        """`register` for many files in one transaction (an inbox of thousands pays one commit,
        not one each), files that `known_files` just found unknown; each file's Registration,
        or the OSError that reading it raised."""
        return self._write(dumps.register_many, files, max_bytes, version)

    def known_files(self, files: list[tuple[str, int, int]]) -> dict[str, tuple[str, str]]:
        """{absolute path: (dump id, state)} for the (path, size, mtime_ns) already registered."""
        return self._read(inbox.known_many, files)

    def moved(self, dump_id: str, where: Path) -> None:
        self._write(inbox.moved, dump_id, str(where))

    def record_unreadable(self, path: Path, size: int, reason: str) -> dumps.Registration:
        return self._write(inbox.record_unreadable, path, size, reason)

    def queued_before(self, cutoff, limit: int = 500) -> list[str]:
        return self._read(inbox.queued_before, cutoff, limit)

    def touch_queued(self, ids: list[str]) -> None:
        self._write(inbox.touch_queued, ids)

    def claim(self, dump_id: str, holder: str | None = None, token: str | None = None,
              policy: Policy | None = None) -> lifecycle.Lease | lifecycle.Refused:
        """Take the lease on a dump; the same token again resumes it (a retry after an error)."""
        token = token or new_token()
        return self._write(lifecycle.claim, dump_id, holder or token, token, policy or DEFAULT_POLICY)

    def claim_many(self, wanted: list[tuple[str, str, str]],
                   policy: Policy | None = None) -> list[lifecycle.Lease | lifecycle.Refused]:
        """`claim` for many (dump id, holder, token) in one transaction, in the order given."""
        return self._write(lifecycle.claim_many, wanted, policy or DEFAULT_POLICY)

    def raw(self, dump_id: str) -> bytes:
        """The dump's bytes, from the store (or from its path when it was too large to keep)."""
        return self._read(dumps.raw, dump_id)

    def fail(self, dump_id: str, reason: str, token: str | None = None) -> bool:
        """Mark the dump failed if this lease still holds it; its articles leave the export."""
        def once():
            with exclusive(self.engine) as conn:
                if not lifecycle.holds(conn, dump_id, token):
                    return False
                articles.drop_stale(conn, dump_id, keep=set())
                return lifecycle.fail(conn, dump_id, token, reason)
        return retrying(once, self.safe_url)

    def time_out(self, holder: str, settings: Settings) -> recovery.TimedOut:
        """The hard time limit killed the process of task `holder`: fail the dumps it held (their
        articles leave the export), or queue again one it had only just started."""
        def once():
            with exclusive(self.engine) as conn:
                timed_out = recovery.time_out(conn, holder, settings)
                for dump_id in timed_out.failed:
                    articles.drop_stale(conn, dump_id, keep=set())
                return timed_out
        return retrying(once, self.safe_url)

    def release(self, dump_id: str, token: str) -> bool:
        """Give back a lease this process took but will not finish: the dump is queued again."""
        return self._write(lifecycle.release, dump_id, token)

    def requeue(self, ids: list[str] | None = None, only_failed: bool = False, policy: Policy | None = None,
                mode: str | None = None) -> recovery.Requeued:
        """Queue dumps again (not those a live attempt holds); they still have to be sent."""
        return self._write(recovery.requeue, ids, only_failed, policy or DEFAULT_POLICY, mode)

    def reap(self, policy: Policy) -> recovery.Reaped:
        return self._write(recovery.reap, policy)

    def unsent(self, policy: Policy) -> list[tuple[str, object]]:
        return self._read(recovery.unsent, policy)

    def mark_resent(self, candidates: list[tuple[str, object]]) -> list[str]:
        """The candidates this process won the right to re-send (others may be reaping too)."""
        def mark(conn):
            return [i for i, stamp in candidates if recovery.mark_resent(conn, i, stamp)]
        return self._write(mark)

    def states(self, ids: list[str]) -> dict[str, str]:
        return self._read(dumps.states, ids)

    def counts(self) -> dict[str, int]:
        return self._read(dumps.counts)

    def recent_failures(self, limit: int = 10) -> list[dict]:
        return self._read(dumps.recent_failures, limit)

    def recent_warnings(self, limit: int = 10) -> list[dict]:
        with self.engine.connect() as conn:
            return dumps.recent_warnings(conn, limit)

    def dump(self, dump_id: str) -> dict | None:
        return self._read(dumps.get, dump_id)

    # articles
    def save_articles(self, dump_id: str, source_file: str, drafts: list[Draft], decide: Decide, version: str,
                      warnings: str | None = None, *, rules: StoryRules | None = None,
                      token: str | None = None) -> list:
        """Dedup and store every draft of a dump, and mark the dump done, in one transaction: a
        crash leaves either all of it or none. Raises LeaseLost (and writes nothing) if the
        lease `token` no longer holds the dump."""
        result = self.save_batch([DumpWrite(dump_id, source_file, drafts, warnings, token)], decide, version,
                                 rules=rules)[0]
        if isinstance(result, LeaseLost):
            raise result
        return result

    def save_batch(self, batch: list[DumpWrite], decide: Decide, version: str, *,
                   rules: StoryRules | None = None) -> list:
        """save_articles for several dumps in one transaction (tasks/store/writer.py): each dump's
        drafts are deduped against everything committed and against the batch's earlier dumps.
        Per dump, in order: its verdicts, or LeaseLost if its lease no longer holds (nothing of
        that dump is written; the others are)."""
        def snapshot(conn):   # story candidates, found before the transaction (stories.py), unless given
            return [w.story_prior if w.story_prior is not None else _priors(conn, w.drafts, rules, self.story_cache)
                    for w in batch]

        priors = self._read(snapshot) if rules else [None] * len(batch)

        def once():
            self.story_cache.discard()
            with writing(self.engine) as conn:
                holding = lifecycle.holding(conn, [(w.dump_id, w.token) for w in batch])
                held = [replace(w, story_prior=p) for w, p in zip(batch, priors) if w.dump_id in holding]
                saved = dict(zip([w.dump_id for w in held],
                                 writer.save(conn, held, decide, version, rules, self.story_cache, self.memo)))
            self.story_cache.commit()
            return [saved[w.dump_id] if w.dump_id in saved else LeaseLost(
                    f"dump {w.dump_id}: this attempt's lease was taken back; another attempt owns it") for w in batch]
        return retrying(once, self.safe_url)

    def story_priors(self, drafts: list[Draft], rules: StoryRules) -> list:
        """The drafts' story candidates as committed now (a read): found before the write by
        whichever process prepares the dump, and passed on in DumpWrite.story_prior."""
        return self._read(_priors, drafts, rules, self.story_cache)

    def reading(self, fn: Callable[["Reads"], T]) -> T:
        """fn(reads): a run of reads (`Reads`: a dump, its sources' templates, its drafts' story
        candidates) on one connection, the whole run retried on a connection error. A pool's
        child prepares each dump so: one connection per dump instead of one per read (each
        taken from the pool, begun and rolled back) cut its CPU by ~0.5-1 ms a dump."""
        return self._read(lambda conn: fn(Reads(conn, self.story_cache)))

    def set_topics(self, dump_id: str, token: str, topics: dict[str, tuple], version: str) -> None:
        """Re-classify-only outcome: {article id: (topics, topics_reason, classifier)}; the dump is done again."""
        def once(conn):
            if not lifecycle.holds(conn, dump_id, token):
                raise LeaseLost(f"dump {dump_id}: this attempt's lease was taken back; another attempt owns it")
            for aid, (found, reason, classifier) in topics.items():
                articles.set_topics(conn, aid, found, classifier, reason)
            lifecycle.finish(conn, dump_id, token, len(topics), version, keep_warnings=True)
        self._write(once)

    def retopic(self, topics: dict[str, tuple]) -> None:
        """New topics for stored articles, {article id: (topics, classifier)}, in one transaction
        (a self-trained model re-labelling what the lexicon was unsure of); nothing else changes."""
        def once(conn):
            for aid, (found, classifier) in topics.items():
                articles.set_topics(conn, aid, found, classifier, None)
        self._write(once)

    def templates(self, sources: set[str]) -> frozenset[int]:
        """Line hashes learned as template for these sources."""
        return self._read(templates.learned, sources)

    def article(self, article_id: str) -> dict | None:
        return self._read(articles.get, article_id)

    def articles_of(self, dump_id: str) -> list[dict]:
        return self._read(articles.of_dump, dump_id)

    def export(self, status: str | None = None, newest_first: bool = False,
               classifiers: set[str] | None = None) -> Iterator[dict]:
        """Stored articles in storage order (or newest first), optionally only those of `status`
        or labelled by one of `classifiers`."""
        with store_errors(self.safe_url), self.engine.connect() as conn:
            yield from articles.iterate(conn, status, newest_first, classifiers)

    def summary_of(self, dump_ids: list[str]) -> dict:
        return self._read(articles.summary_of, dump_ids)

    def stories(self, since: str | None = None, limit: int | None = None) -> list[dict]:
        with self.engine.connect() as conn:
            return stories.listing(conn, since, limit)

    def story(self, story_id: str) -> dict | None:
        with self.engine.connect() as conn:
            return stories.get(conn, story_id)

    def totals(self) -> dict[str, int]:
        return self._read(articles.totals)


@dataclass(frozen=True)
class Reads:
    """`Store.raw`, `Store.templates` and `Store.story_priors` on one open connection (Store.reading)."""
    conn: Connection
    story_cache: StoryCache

    def raw(self, dump_id: str) -> bytes:
        return dumps.raw(self.conn, dump_id)

    def templates(self, sources: set[str]) -> frozenset[int]:
        return templates.learned(self.conn, sources)

    def story_priors(self, drafts: list[Draft], rules: StoryRules) -> list:
        return _priors(self.conn, drafts, rules, self.story_cache)


def _priors(conn, drafts: list[Draft], rules: StoryRules, cache: StoryCache) -> list:
    return [stories.prior(conn, d.story, rules, cache) if d.story else None for d in drafts]
