"""The write path: dedup a batch of dumps' drafts against everything committed, store them, place
them in stories and finish the dumps, in one transaction (see Store.save_batch).

The number of statements does not grow with the drafts: one look-up of the articles already
stored for these dumps, one of the exact hashes, one of the index (tasks/store/index.py) for
every draft's keys (and one more, with one read of texts, for the lenders of the candidates
that hold more than a draft: dedup rule 6), executemany inserts and updates. Drafts are
decided in order, each against the store and against the batch's drafts before it (a
candidate stored in the same batch gets no lenders). On PostgreSQL the index locks
(index.lock) are taken before the look-ups, so what is committed meanwhile by a near
duplicate is seen; story placement (tasks/store/placing.py) comes last, and takes its
fleet-wide lock only to check and write what it placed that others could see: one statement,
then the commit (tasks/store/storylock.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import Connection, bindparam, insert, select, update

from tasks.stages.dedup import sketch as dedup_sketch
from tasks.stages.model import Match, Verdict
from tasks.stages.stories import StoryRules
from tasks.store import index, links, lifecycle, memo as memos, stories, templates
from tasks.store.articles import Decide, Draft, article_id, drop_stale, row_of
from tasks.store.memo import Memo
from tasks.store.placing import Placer
from tasks.store.storycache import StoryCache
from tasks.store.schema import articles

LATER = 1 << 62   # the seq a draft of this batch is compared as: after every stored article
VERIFY = 4        # candidates per draft compared by their text, not only their sketch,
VERIFY_FROM = 0.25  # when the sketches estimate that a quarter of either text is in the other
LENDERS = 4       # and, beside them, the candidates that may have lent it a passage (dedup rule 5),
LEND_FROM = 0.1   # when a tenth of either text is estimated in the other
SURPLUS = 0.95    # a candidate with less than this share of it in the draft holds more than the
                  # draft: its own lenders are looked up (dedup rule 6)


@dataclass(frozen=True)
class DumpWrite:
    """One dump's part of a batch."""
    dump_id: str
    source_file: str
    drafts: list[Draft]
    warnings: str | None = None
    token: str | None = None
    story_prior: list | None = None   # stories.Prior per draft (found before the transaction), or None


@dataclass
class _Item:
    dump: DumpWrite
    draft: Draft
    aid: str
    seq: int | None       # its seq if already stored (a re-processed dump); set once inserted
    new: bool             # not stored before
    verdict: Verdict | None = None
    keys: list[int] | None = None   # the index keys, if it is an original
    overlaps: dict = field(default_factory=dict)   # (article id, sketch) -> its overlap with this draft
    closest: list[Match] | None = None   # its closest stored candidates (`_closest`), once looked up


@dataclass
class _Read:
    """The stored texts a batch re-read: {article id: text}, their 5-grams (worked out once a
    batch, however many drafts compare with them, and kept in `memo` for later batches), and
    the lenders of some (`_lenders`)."""
    texts: dict[str, str]
    memo: Memo
    lenders: dict[str, tuple[frozenset[int], ...]] = field(default_factory=dict)
    known: dict[str, frozenset[int]] = field(default_factory=dict)

    def grams(self, aid: str) -> frozenset[int]:
        if aid not in self.known:
            self.known[aid] = self.counted(aid, self.texts[aid])
        return self.known[aid]

    def counted(self, aid: str, text: str, packed: bytes = b"") -> frozenset[int]:
        """The 5-grams of an article's text: `packed` (a draft's, memo.pack), else from the
        memo, else worked out (and kept there)."""
        found = memos.unpack(packed) if packed else self.memo.grams(aid, text)
        if found is None:
            found = dedup_sketch.grams(text)
            self.memo.keep(aid, text, found)
        return found


def save(conn: Connection, batch: list[DumpWrite], decide: Decide, version: str,
         rules: StoryRules | None, cache: StoryCache | None = None,
         memo: Memo | None = None) -> list[list[Verdict]]:
    """Store the batch (its leases already checked); the verdicts per dump, in order. The
    stories it changes are staged in `cache` (commit it once the transaction has); the texts'
    5-grams counted and sketches unpacked are kept in `memo` (tasks/store/memo.py)."""
    memo = memo or Memo(0)
    items, stored = _items(conn, batch)
    fps = [it.draft.fingerprint for it in items]
    index.lock(conn, fps)
    exact = _exact(conn, {fp.exact for fp in fps})
    found = index.lookup(conn, fps, memo, before=[it.seq for it in items])
    read = _Read(_texts(conn, [it for it in items], found), memo)
    read.lenders = _lenders(conn, items, found, read)
    for n, it in enumerate(items):
        _decide(it, n, exact, found, read, decide)
    _write_rows(conn, items, version)
    _write_index(conn, items)
    templates.count_batch(conn, [(it.draft.extracted.source, it.draft.template_hashes) for it in items
                                 if it.new and it.verdict.duplicate_of is None and it.draft.extracted.source])
    for it in items:   # a re-processed original that became a duplicate hands its duplicates over
        if not it.new and it.verdict.duplicate_of is not None:
            links.repoint(conn, it.aid, it.verdict.duplicate_of)
    for dump in batch:
        keep = {d.index for d in dump.drafts}
        if {i for (dump_id, i) in stored if dump_id == dump.dump_id} - keep:
            drop_stale(conn, dump.dump_id, keep)
    lifecycle.finish_many(conn, [(d.dump_id, d.token, len(d.drafts), d.warnings) for d in batch], version)
    cache = cache or StoryCache()
    if any(not it.new for it in items):   # re-processed articles may change status or go: forget what was read
        cache.clear()
    _place_stories(conn, items, rules, cache)   # last: the story lock is held from its end to the commit,
    # which on PostgreSQL it sends itself, behind its last statement (tasks/store/storylock.py)
    return [[it.verdict for it in items if it.dump is dump] for dump in batch]


def _items(conn: Connection, batch: list[DumpWrite]) -> tuple[list[_Item], dict]:
    """The batch's drafts in order, with the seqs of those already stored."""
    ids = [d.dump_id for d in batch]
    rows = [r for part in _chunks(ids) for r in conn.execute(
        select(articles.c.dump_id, articles.c.record_index, articles.c.seq).where(articles.c.dump_id.in_(part)))]
    seqs = {(r.dump_id, r.record_index): r.seq for r in rows}
    items = []
    for dump in batch:
        for d in dump.drafts:
            seq = seqs.get((dump.dump_id, d.index))
            items.append(_Item(dump, d, article_id(dump.dump_id, d.index), seq, seq is None))
    return items, seqs


def _exact(conn: Connection, hashes: set[str]) -> dict[str, list[tuple[int, str, str | None]]]:
    """{exact hash: [(seq, id, duplicate_of)] in seq order} of the stored articles."""
    out: dict[str, list] = {}
    for part in _chunks(sorted(hashes)):
        query = (select(articles.c.exact_hash, articles.c.seq, articles.c.id, articles.c.duplicate_of)
                 .where(articles.c.exact_hash.in_(part)))
        for h, seq, aid, dup in conn.execute(query):
            out.setdefault(h, []).append((seq, aid, dup))
    for found in out.values():
        found.sort()
    return out


def _chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _closest(it: _Item, matches: list[Match]) -> list[Match]:
    """The candidates whose sketches overlap the draft's text most: those the verdict counts
    exactly. Up to VERIFY that may be copies of it and, when there is one, up to LENDERS that
    share less, which may have lent the draft a passage of theirs (dedup rule 5: a passage is a
    tenth of a text or more, too little for a copy). Each overlap is worked out once per draft
    (kept in `it.overlaps`)."""
    fp, known = it.draft.fingerprint, it.overlaps
    for m in matches:
        if (m.article_id, m.sketch) not in known:
            known[m.article_id, m.sketch] = dedup_sketch.overlap(fp, m)
    scored = sorted(((o.containment, o.containment + o.jaccard, m) for m in matches
                     if (o := known[m.article_id, m.sketch]).containment >= LEND_FROM), key=lambda e: -e[1])
    near = [m for c, _, m in scored if c >= VERIFY_FROM][:VERIFY]
    if not near:
        return []
    return near + [m for c, _, m in scored if c < VERIFY_FROM][:LENDERS]


def _texts(conn: Connection, items: list[_Item], found: index.Lookup) -> dict[str, str]:
    """{article id: text} of each draft's closest stored candidates (kept in `it.closest`), in one query."""
    for it in items:
        it.closest = _closest(it, found.candidates(it.draft.fingerprint, it.seq))
    return _read(conn, {m.article_id for it in items for m in it.closest})


def _read(conn: Connection, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {aid: text for part in _chunks(sorted(ids))
            for aid, text in conn.execute(select(articles.c.id, articles.c.text).where(articles.c.id.in_(part)))}


def _lenders(conn: Connection, items: list[_Item], found: index.Lookup,
             read: _Read) -> dict[str, tuple[frozenset[int], ...]]:
    """{article id: the 5-grams of up to LENDERS originals stored before it that share a
    passage with it} for each stored candidate that may be a copy of a draft and holds more
    than the draft (dedup rule 6: its surplus may be another article's passage). One look-up
    of the index by those candidates' own keys, one read of the lenders' texts."""
    seq_of = {s.article_id: s.seq for s in found.stored.values()}
    wanted: dict[str, int] = {}
    for it in items:
        for m in it.closest:
            o = it.overlaps[m.article_id, m.sketch]
            if o.containment >= VERIFY_FROM and o.old_in_new < SURPLUS and m.article_id in read.texts:
                wanted.setdefault(m.article_id, seq_of[m.article_id])
    if not wanted:
        return {}
    fps = {aid: dedup_sketch.sketched(read.grams(aid)) for aid in wanted}   # grams: mostly counted later too
    around = index.lookup(conn, list(fps.values()), read.memo, before=[wanted[aid] for aid in fps])
    chosen = {aid: [x.article_id for x in around.candidates(fp, wanted[aid])
                    if dedup_sketch.overlap(fp, x).containment >= LEND_FROM][:LENDERS] for aid, fp in fps.items()}
    read.texts.update(_read(conn, {x for ids in chosen.values() for x in ids} - read.texts.keys()))
    return {aid: tuple(read.grams(x) for x in ids if x in read.texts) for aid, ids in chosen.items() if ids}


def _decide(it: _Item, n: int, exact: dict, found: index.Lookup, read: _Read, decide: Decide) -> None:
    """The verdict of one draft, against the store and the batch's drafts before it (which are
    then added to `exact`, `found` and `texts` as if stored, at seq LATER + n). Its closest
    candidates are compared by all their 5-grams (their text), the others by their sketches."""
    fp = it.draft.fingerprint
    before = it.seq if it.seq is not None else LATER + n
    first = next(((aid, dup) for seq, aid, dup in exact.get(fp.exact, ()) if seq < before), None)
    matches = found.candidates(fp, before)
    closest = {m.article_id for m in _closest(it, matches)} & read.texts.keys()
    if closest:
        fp = replace(fp, grams=read.counted(it.aid, it.draft.extracted.text, it.draft.grams),
                     text=it.draft.extracted.text)
        matches = [replace(m, grams=read.grams(m.article_id), text=read.texts[m.article_id],
                           lenders=read.lenders.get(m.article_id, ())) if m.article_id in closest else m
                   for m in matches]
    verdict = decide(fp, first[0] if first else None, matches, estimates=it.overlaps)   # sketches' overlaps, as ranked
    if verdict.kind == "exact" and first[1] is not None:   # link the original, never another copy
        verdict = Verdict(first[1], verdict.kind, verdict.containment, verdict.jaccard)
    it.verdict = verdict
    exact.setdefault(fp.exact, []).append((LATER + n, it.aid, verdict.duplicate_of))
    exact[fp.exact].sort(key=lambda e: e[0])
    if verdict.duplicate_of is None and fp.sketch:
        it.keys = found.keys_for(fp)
        found.add(LATER + n, it.aid, fp, it.keys)
        read.texts[it.aid] = it.draft.extracted.text
        read.known.pop(it.aid, None)   # a re-processed article's text may have changed
        if it.draft.grams:   # kept for when it is a stored candidate (valid for its text, whatever becomes of the batch)
            read.memo.keep(it.aid, it.draft.extracted.text, it.draft.grams)


def _write_rows(conn: Connection, items: list[_Item], version: str) -> None:
    new = [it for it in items if it.seq is None]
    if new:
        rows = [row_of(it.aid, it.dump.dump_id, it.dump.source_file, it.draft, it.verdict, version) for it in new]
        for r in rows:
            r["created_at"] = r["updated_at"]
        returned = conn.execute(insert(articles).returning(articles.c.id, articles.c.seq, sort_by_parameter_order=True),
                                rows).all()
        seq_of = dict(returned)
        for it in new:
            it.seq = seq_of[it.aid]
    old = [it for it in items if not it.new]
    if old:
        rows = [row_of(it.aid, it.dump.dump_id, it.dump.source_file, it.draft, it.verdict, version)
                | {"b_seq": it.seq} for it in old]
        values = {k: bindparam(k) for k in rows[0] if k != "b_seq"}
        conn.execute(update(articles).where(articles.c.seq == bindparam("b_seq")).values(values), rows)


def _write_index(conn: Connection, items: list[_Item]) -> None:
    index.remove(conn, [it.seq for it in items if not it.new])
    index.add(conn, [(it.seq, it.draft.fingerprint, it.keys) for it in items if it.keys is not None])


def _place_stories(conn: Connection, items: list[_Item], rules: StoryRules | None, cache: StoryCache) -> None:
    """New articles join a story or start one, in order: a later draft may be a duplicate of
    an earlier one and go with its story. The batch is placed in memory, checked under the
    story lock (held to commit) and written at the end (tasks/store/placing.py)."""
    placing = [it for it in items if it.new and it.draft.story is not None]
    if rules is None or not placing:
        return
    priors = cache.hydrate(conn, [_prior(conn, it, rules, cache) for it in placing])
    linked = {it.verdict.duplicate_of for it in placing if it.verdict.duplicate_of}
    linked |= {p.rewrite.article_id for p in priors if p.rewrite}
    placer = _placed(Placer.open(conn, rules, [p.horizon for p in priors], linked, cache), placing, priors)
    if not placer.settle():   # a story changed since: place again, under the lock now
        placer = _placed(Placer.open(conn, rules, [p.horizon for p in priors], linked, cache), placing, priors)
        placer.write()


def _placed(placer: Placer, placing: list[_Item], priors: list[stories.Prior]) -> Placer:
    for it, prior in zip(placing, priors):
        placer.place(it.aid, it.seq, it.draft.extracted.title, it.draft.story, prior, it.verdict.duplicate_of)
    return placer


def _prior(conn: Connection, it: _Item, rules: StoryRules, cache: StoryCache):
    """The story candidates found for the draft before the transaction (a stories.Prior, or
    a storycache.Slim one), or now."""
    found = (it.dump.story_prior or [None] * len(it.dump.drafts))[it.dump.drafts.index(it.draft)]
    return found or stories.prior(conn, it.draft.story, rules, cache)
