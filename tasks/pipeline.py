"""The one code path that turns a stored dump into stored articles.

Both the embedded runner (`ingest run` with no broker) and the Celery task call
`Pipeline.process(dump_id)`: load the dump by id, run the pure stages (clean, then
classify and fingerprint each article), then dedup and save in the store's exclusive
section. A dump the stages reject ends `failed` with the reason; nothing is dropped.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

from config.settings import Settings
from tasks.errors import DumpError, IngestError, LeaseLost, ModelError
from tasks.stages import dedup
from tasks.stages.dedup import sketch as dedup_sketch
from tasks.stages.clean import clean, template_candidates
from tasks.stages.model import Extracted
from tasks.stages.topics import load_classifier, topics_reason
from tasks.stages.topics.adapted import classify_traced
from tasks.stages.stories import StoryRules
from tasks.policy import Policy, new_token
from tasks.store import Store
from tasks.store.store import Reads
from tasks.store import memo
from tasks.store.articles import Draft
from tasks.store.writer import DumpWrite
from tasks.store.lifecycle import Lease, Refused, brief
from tasks.outcome import Outcome, Prepared, internal_reason
from tasks.timing import Stopwatch

log = logging.getLogger(__name__)

__all__ = ["Outcome", "Pipeline", "Prepared", "internal_reason"]
TOO_DEEP = ("the dump is nested too deeply to read (thousands of levels of JSON or HTML): it is not an "
            "article; fix the scraper that wrote it")


def _stamp(path: Path) -> tuple | None:
    """A model file's (mtime, size), None when there is none."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size)


@dataclass
class Pipeline:
    settings: Settings
    store: Store
    _model_stamp: tuple | None = field(default=None, init=False)
    _classifier: object = field(default=None, init=False)
    _story_rules: StoryRules | None = field(default=None, init=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Pipeline":
        return cls(settings, Store(settings.store_url_or_default(), story_cache=settings.story_cache))

    def classifier(self):
        """The user's trained model when there is one, else the shipped lexicon (helped by the
        model self-trained on the store, when there is one); reloaded when a model file changes,
        so `ingest topics train` and `ingest topics adapt` reach running workers."""
        paths: tuple[Path, Path] = (self.settings.model_path, self.settings.adapted_model_path)
        stamp = tuple(_stamp(path) for path in paths)
        if self._classifier is None or stamp != self._model_stamp:
            self._classifier = load_classifier(*(path if s else None for path, s in zip(paths, stamp)))
            self._model_stamp = stamp
        return self._classifier

    def story_rules(self) -> StoryRules:
        """Term weights for story matching, loaded once per process."""
        if self._story_rules is None:
            self._story_rules = StoryRules.english()
        return self._story_rules

    @property
    def policy(self) -> Policy:
        return Policy.from_settings(self.settings)

    def process(self, dump_id: str, holder: str | None = None, token: str | None = None) -> Outcome:
        """Claim the dump (a lease, see tasks/policy.py), make its articles, store them. A dump
        finished or held by a live attempt is left alone ("skipped"). `token` resumes a lease
        this attempt took before (a task retried after a store outage)."""
        return self.commit(self.prepare(dump_id, holder, token))

    def prepare(self, dump_id: str, holder: str | None = None, token: str | None = None) -> "Prepared":
        """The part of `process` before the store's exclusive section: claim the lease, read
        the dump, run the pure stages. It writes nothing but the lease (and a re-classification's
        topics, which need no dedup); `commit` stores the result."""
        claimed = self.claim(dump_id, holder, token or new_token())
        return claimed if isinstance(claimed, Prepared) else self.prepare_claimed(claimed)

    def claim(self, dump_id: str, holder: str | None, token: str) -> "Lease | Prepared":
        """Take the lease on the dump; when it is not taken, a Prepared holding the outcome."""
        return self._claimed(self.store.claim(dump_id, holder or f"local-{token}", token, self.policy), token)

    def claim_many(self, dump_ids: list[str]) -> list["Lease | Prepared"]:
        """`claim` for several dumps in one transaction (the embedded pool's writer claims
        ahead of its children), each with a fresh token; in the order given."""
        tokens = [new_token() for _ in dump_ids]
        leases = self.store.claim_many([(i, f"local-{t}", t) for i, t in zip(dump_ids, tokens)], self.policy)
        return [self._claimed(lease, token) for lease, token in zip(leases, tokens)]

    @staticmethod
    def _claimed(lease: "Lease | Refused", token: str) -> "Lease | Prepared":
        if isinstance(lease, Refused):
            state = "failed" if lease.failed_now else "skipped"
            return Prepared(lease.dump_id, token, outcome=Outcome(lease.dump_id, state, error=lease.reason))
        return lease

    def prepare_claimed(self, lease: Lease) -> "Prepared":
        """Read the claimed dump and run the pure stages (a pool's child runs only this)."""
        watch = Stopwatch()
        dump_id, token = lease.dump_id, lease.token
        if lease.mode == "classify":
            stored = self.store.articles_of(dump_id)
            if stored:
                return Prepared(dump_id, token, outcome=self._reclassify(lease, stored))
        try:   # the dump, its templates and its story candidates read on one connection
            return self.store.reading(partial(self._prepared, lease, watch))
        except (DumpError, ModelError, RecursionError) as exc:
            # the dump (or the topic model) is at fault, not us: a reason to act on, not "internal error"
            reason = str(exc) if isinstance(exc, IngestError) else TOO_DEEP
            return Prepared(dump_id, token, failure=reason, watch=watch)

    def _prepared(self, lease: Lease, watch: Stopwatch, reads: "Reads") -> "Prepared":
        raw = reads.raw(lease.dump_id)
        drafts, warnings = self._drafts(raw, lease.source_file, watch, reads.templates)
        with watch.lap("stories"):   # candidates read now; the writer re-reads only what changed since
            priors = reads.story_priors(drafts, self.story_rules())
        return Prepared(lease.dump_id, lease.token, lease.source_file, drafts, warnings, watch=watch,
                        story_prior=priors)

    def commit(self, prepared: "Prepared") -> Outcome:
        """Store what `prepare` made: dedup and save the drafts (the exclusive section), or
        record the dump's failure; returns the outcome, logged."""
        p, watch = prepared, prepared.watch
        if p.outcome is not None:
            return p.outcome.log()
        if p.failure is not None:
            self.store.fail(p.dump_id, p.failure, p.token)
            return Outcome(p.dump_id, "failed", error=brief(p.failure), stages=watch.rounded()).log()
        with watch.lap("store"):
            verdicts = self._save([p])[0]
        if isinstance(verdicts, LeaseLost):
            raise verdicts
        return self._done(p, verdicts)

    def commit_batch(self, batch: list["Prepared"]) -> list[Outcome]:
        """`commit_in_process` for several prepared dumps, in order, their drafts saved in one
        transaction (Store.save_batch: each deduped against the store and the batch's earlier
        ones). If the batch cannot be saved, each dump is committed alone, so that a crash of
        ours fails only the dump it belongs to."""
        drafted = [p for p in batch if p.outcome is None and p.failure is None]
        if len(drafted) < 2:
            return [self.commit_in_process(p) for p in batch]
        started = time.perf_counter()
        try:
            results = self._save(drafted)
        except Exception:
            log.warning("%d dumps could not be saved in one transaction; saving each alone", len(drafted),
                        exc_info=True)
            return [self.commit_in_process(p) for p in batch]
        share = (time.perf_counter() - started) / len(drafted)
        saved = {p.dump_id: result for p, result in zip(drafted, results)}
        outcomes = []
        for p in batch:
            if p.dump_id not in saved:
                outcomes.append(self.commit_in_process(p))
            elif isinstance(saved[p.dump_id], LeaseLost):   # another attempt owns the dump now
                outcomes.append(Outcome(p.dump_id, "skipped", error=str(saved[p.dump_id])).log())
            else:
                p.watch.laps["store"] = share
                outcomes.append(self._done(p, saved[p.dump_id]))
        return outcomes

    def _save(self, batch: list["Prepared"]) -> list:
        """Store.save_batch: per dump its verdicts, or LeaseLost."""
        return self.store.save_batch([DumpWrite(p.dump_id, p.source_file, p.drafts, p.warnings, p.token,
                                                p.story_prior) for p in batch],
                                     partial(dedup.decide, threshold=self.settings.near_dup_threshold),
                                     self.settings.pipeline_version, rules=self.story_rules())

    @staticmethod
    def _done(p: "Prepared", verdicts: list) -> Outcome:
        return Outcome(p.dump_id, "done", articles=len(p.drafts),
                       duplicates=sum(v.duplicate_of is not None for v in verdicts),
                       topics=tuple(d.topics[0].label for d in p.drafts if d.topics), stages=p.watch.rounded(),
                       warnings=p.warnings).log()

    def _reclassify(self, lease, stored: list[dict]) -> Outcome:
        """`ingest requeue --classify`: new topics for the stored articles (a new topic model);
        their text, duplicate links and ids stay as they are."""
        classifier = self.classifier()
        topics = {}
        for a in stored:
            reason = topics_reason(classifier, a["language"])
            found, name = ((), classifier.name) if reason else classify_traced(classifier, a["title"], a["text"])
            topics[a["id"]] = (tuple(found), reason, name)
        self.store.set_topics(lease.dump_id, lease.token, topics, self.settings.pipeline_version)
        return Outcome(lease.dump_id, "done", articles=len(stored),
                       duplicates=sum(a["duplicate_of"] is not None for a in stored),
                       topics=tuple(found[0].label for found, _, _ in topics.values() if found))

    def _drafts(self, raw: bytes, source_file: str, watch: Stopwatch,
                templates: Callable[[set[str]], frozenset[int]]) -> tuple[list[Draft], str | None]:
        """The dump's drafts, and what the clean stage skipped (records that gave no article);
        `templates` reads the lines learned as its sources' templates."""
        classifier = self.classifier()
        rules = self.story_rules()
        drafts = []
        with watch.lap("clean"):
            cleaned, warnings = self._clean(raw, source_file, templates)
        for record, ex, line_hashes in cleaned:   # the article id is <dump id>-<record index>
            with watch.lap("classify"):
                reason = topics_reason(classifier, ex.language)
                topics, name = ((), classifier.name) if reason else classify_traced(classifier, ex.title, ex.text)
            with watch.lap("dedup"):   # with its 5-grams, packed: the writer need not work them out again
                fingerprint, grams = dedup_sketch.fingerprinted(ex.text)
            with watch.lap("stories"):
                story = rules.read(ex.title, ex.text, ex.published)
            drafts.append(Draft(record, ex, tuple(topics), name, fingerprint, line_hashes,
                                topics_reason=reason, story=story, grams=memo.pack(grams)))
        return drafts, warnings

    def _clean(self, raw: bytes, source_file: str, templates: Callable[[set[str]], frozenset[int]]
               ) -> tuple[list[tuple[int, Extracted, frozenset[int]]], str | None]:
        """Each article of the dump with the line hashes its source's templates are counted from.
        If lines the store learned as its sources' templates got through, clean again without
        them (the source is known only after a first extraction); the hashes stay those of the
        first pass, so a learned template keeps its share and cannot drop out and come back."""
        pages: dict = {}   # an HTML page is extracted once for both cleans (its templates go after extraction)
        first = clean(raw, source_file, max_bytes=self.settings.max_dump_bytes, pages=pages)
        hashes = {record: frozenset(template_candidates(ex)) for record, ex in zip(first.records, first)}
        learned = templates({ex.source for ex in first if ex.source})
        if not (learned and any(learned & h for h in hashes.values())):
            return [(record, ex, hashes[record]) for record, ex in zip(first.records, first)], first.warning
        second = clean(raw, source_file, max_bytes=self.settings.max_dump_bytes, template_lines=learned, pages=pages)
        return [(record, ex, hashes.get(record, frozenset())) for record, ex in zip(second.records, second)], second.warning

    def process_in_process(self, dump_id: str) -> Outcome:
        """`process` for an in-process caller (embedded run, embedded watcher): a crash of ours
        on one dump is recorded as that dump's failure, and the caller goes on with the next."""
        token = new_token()
        try:
            return self.process(dump_id, token=token)
        except Exception as exc:
            log.exception("dump %s crashed the pipeline", dump_id)
            self.fail_unexpected(dump_id, exc, token)
            return Outcome(dump_id, "failed", error=internal_reason(dump_id, exc))

    def commit_in_process(self, prepared: "Prepared") -> Outcome:
        """`commit` for the embedded pool's writer: a crash of ours fails that dump only."""
        try:
            return self.commit(prepared)
        except Exception as exc:
            log.exception("dump %s crashed the pipeline", prepared.dump_id)
            self.fail_unexpected(prepared.dump_id, exc, prepared.token)
            return Outcome(prepared.dump_id, "failed", error=internal_reason(prepared.dump_id, exc))

    def fail_unexpected(self, dump_id: str, exc: BaseException, token: str | None) -> None:
        """Record a crash of our own as the dump's reason, so `ingest status` shows it."""
        self.fail_reason(dump_id, internal_reason(dump_id, exc), token)

    def fail_reason(self, dump_id: str, reason: str, token: str | None) -> None:
        try:
            self.store.fail(dump_id, reason, token)
        except Exception:  # the store itself is down: the lease expires and the reaper re-sends it
            log.exception("could not record the failure of dump %s", dump_id)
