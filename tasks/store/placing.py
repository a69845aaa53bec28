"""Story placement for one writer transaction (tasks/store/writer.py).

The work is per batch, not per article, and mostly before the story lock: the `touched`
counter is read once and counted on here, and the stories changed since the oldest of the
batch's snapshots (stories.Prior.horizon) are read once (`Placer.open`). The batch is placed
in memory; then written, taking the story lock as late as can be (`Placer.settle`, see
tasks/store/storylock.py): if no story they depend on changed meanwhile (on SQLite, the
horizon is the same) the placements stand, else they are made again under the lock. So the lock covers one statement
and the commit on PostgreSQL, not the scoring. The changed
stories are kept in memory as the batch's articles join or start them, so a later article of
the batch sees the earlier ones exactly as if they were committed: their stories (summaries
rounded as stored), and their texts for the rewrite check; and its candidates are the stories
stories.prior would find then (the snapshot's ranking redone for the stories changed
since), its rewrite check the originals of the closest three then, so where a batch is cut
changes nothing. Rows are written at the end (`Placer.settle`, or `Placer.write` under the
lock): one executemany each for new stories, their keys and the articles' story columns, and
for the joined stories one statement with the check (PostgreSQL) or an executemany each.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from tasks.stages.stories import Member, StoryInput, StoryRules, Summary, add, keys, new_summary, score
from tasks.stages.stories.rewrite import close_enough
from tasks.store import stories, storylock
from tasks.store.storycache import StoryCache
from tasks.store.storyterms import StoryTerms
from tasks.store.dumps import now
from tasks.store.schema import articles, stories as story_rows, story_keys


@dataclass
class _Story:
    """A story as this transaction has it."""
    ref: stories.StoryRef
    stored: bool                        # False while it is new (not yet inserted)
    base: int | None = None             # its touched value as stored
    first: dict | None = None           # a new story's first article: id, seq, title
    title: str | None = None            # a title for it, if it has none
    last: str | None = None             # the id of its last article, once joined here
    dirty: bool = False


@dataclass
class _Placed:
    seq: int
    fields: dict


@dataclass
class Placer:
    conn: Connection
    rules: StoryRules
    cache: StoryCache
    counter: int = 0
    changed: dict[str, _Story] = field(default_factory=dict)
    placed: dict[str, str] = field(default_factory=dict)       # article id -> story id, this batch
    fresh: list[tuple[Member, int]] = field(default_factory=list)   # originals placed here (and seq), in order
    recent: dict[str, list] = field(default_factory=dict)       # story id -> stored (id, seq, sig), newest first
    rows: list[_Placed] = field(default_factory=list)
    start: int = 0                                              # the horizon the placements were made at
    terms: StoryTerms = field(default_factory=StoryTerms)       # the changed stories' key terms, inverted
    considered: set[str] = field(default_factory=set)           # every story a placement looked at
    looked: set[int] = field(default_factory=set)               # the key hashes the articles look stories up by

    @classmethod
    def open(cls, conn: Connection, rules: StoryRules, horizons: list[int], linked: set[str],
             cache: StoryCache) -> "Placer":
        """Read the stories changed since the oldest snapshot, and the stories of the stored
        articles the batch links to (`linked`); the story lock is not taken yet (see `current`)."""
        placer = cls(conn, rules, cache, stories.horizon(conn), terms=StoryTerms(hashes=cache.term_hashes))
        placer.start = placer.counter
        since = min(horizons, default=placer.counter)
        placer.changed = {sid: _Story(ref, True, ref.touched)
                          for sid, ref in stories.changed_since(conn, since, cache).items()}
        for story in placer.changed.values():
            placer.terms.index(story.ref)
        if linked:
            query = select(articles.c.id, articles.c.story_id).where(articles.c.id.in_(sorted(linked)))
            placer.placed.update((aid, sid) for aid, sid in conn.execute(query))
        return placer

    def settle(self) -> bool:
        """Write the placements, taking the story lock (held to commit) as late as can be:
        True if no story they depend on changed since `open`, so they stand; else nothing of
        them is left written, and they must be made again, now under the lock (then `write`).
        On PostgreSQL see tasks/store/storylock.py: when they stand, the transaction is
        committed with them (nothing may come after); SQLite has one writer at a time."""
        if self.conn.dialect.name != "postgresql":
            stories.lock(self.conn)
            if stories.horizon(self.conn) != self.start:
                return False
            self.write()
            return True
        dirty = [s for s in self.changed.values() if s.dirty]
        new, old, stamp = [s for s in dirty if not s.stored], [s for s in dirty if s.stored], now()
        storylock.begin(self.conn)
        self._insert(new, stamp)
        self._write_keys(new)
        self._write_articles()
        joined = [_values(s, stamp) | {"id": s.ref.id, "title": s.title} for s in old]
        gone, fresh = self._key_changes(old)   # read now: they stand only if the joined stories did not change
        shift = storylock.settle(self.conn, self.start, [s.ref.id for s in new], joined, gone, fresh, stamp,
                                 self.considered, self.looked)
        if shift is None:
            return False
        for s in dirty:   # as storylock lifted them: above every change committed before
            s.ref = replace(s.ref, touched=s.ref.touched + shift)
        self._stage(dirty)
        return True

    def place(self, aid: str, seq: int, title: str | None, article: StoryInput, before: stories.Prior,
              duplicate_of: str | None) -> None:
        """Join the best story as of now, or start one. A duplicate prefers its original's story,
        a rewrite the story of what it rewords (see StoryRules.choose). The candidates and the
        rewrite link are those the article would find placed alone, after everything placed
        before it (this batch's earlier articles included): see `_candidates`, `_rewrite`."""
        changed = {sid: s.ref for sid, s in self.changed.items() if s.ref.touched > before.horizon}
        refs = self._candidates(article, before, changed)
        scores = {sid: before.scores[sid] if sid in before.scores and sid not in changed   # as the snapshot scored it
                  else score(article.features, ref.summary, self.rules.weights) for sid, ref in refs.items()}
        rewrite, prefer = None, None
        if duplicate_of is not None:
            prefer = self._story_of(duplicate_of)
        else:
            rewrite = self._rewrite(article, before, refs, changed, scores)
            if rewrite is not None:
                prefer = self._story_of(rewrite.article_id)
        if prefer is not None and prefer not in refs:
            refs |= self._refs([prefer])
        self.considered.update(refs)
        choice = self.rules.choose(article, {sid: ref.summary for sid, ref in refs.items()}, prefer, scores)
        joined = refs.get(choice.story) if choice.story else None
        features = None if duplicate_of is not None else article.features
        sid = self._join(joined, aid, seq, title, features) if joined else self._start(aid, seq, title, article)
        self.placed[aid] = sid
        if duplicate_of is None:
            self.fresh.append((Member(aid, sid, article.text, article.signature), seq))
        self.rows.append(_Placed(seq, {
            "story_id": sid, "rewrite_of": rewrite.article_id if rewrite else None,
            "rewrite_score": rewrite.score if rewrite else None,
            "story_sig": json.dumps(article.signature, ensure_ascii=False)}))

    def _candidates(self, article: StoryInput, before: stories.Prior,
                    changed: dict[str, stories.StoryRef]) -> dict[str, stories.StoryRef]:
        """The stories stories.prior would find now: the snapshot's ranking, with the
        stories changed since ranked again by their keys now; looked up again (and merged with
        this batch's stories) only when the snapshot did not rank enough of them. Only the
        changed stories that share a term are counted: the others share none (0, as those
        the snapshot ranked count now)."""
        f, w, mine = article.features, self.rules.weights, set(keys(article.features))
        self.looked.update(self.terms.hash(k) for k in mine)
        now = {sid: self._shared(f, mine, changed[sid]) for sid in self.terms.sharing(mine) if sid in changed}
        order = stories.reranked(before, now | {sid: 0 for sid in before.shares if sid in changed and sid not in now})
        if order is None:
            found, _ = stories.ranked(self.conn, f, w, stories.MAX_CANDIDATES + len(self.changed))
            shares = {sid: n for sid, n, _ in found if sid not in self.changed}
            shares |= {sid: n for sid, s in self.changed.items() if (n := self._shared(f, mine, s.ref))}
            order = sorted(shares, key=lambda sid: (-shares[sid], sid))[:stories.MAX_CANDIDATES]
        known = {sid: ref for sid in order if (ref := changed.get(sid) or before.refs.get(sid))}
        found = known | self._refs([sid for sid in order if sid not in known])
        return {sid: found[sid] for sid in sorted(found)}   # in the order of their ids, as stories.prior

    def _shared(self, f, mine: set[str], ref: stories.StoryRef) -> int:
        """The key terms the story shares with the article, as stories.ranked counts them."""
        if not stories.reaches(f, ref.summary, self.rules.weights):
            return 0
        return len(mine & self.terms.of(ref))

    def _refs(self, ids: list[str]) -> dict[str, stories.StoryRef]:
        """These stories as of now: this batch's in memory, the others as stored."""
        here = {sid: self.changed[sid].ref for sid in ids if sid in self.changed}
        return here | stories.load(self.conn, [sid for sid in ids if sid not in here], self.cache.terms())

    def _rewrite(self, article: StoryInput, before: stories.Prior, refs: dict[str, stories.StoryRef],
                 changed: dict[str, stories.StoryRef], scores: dict[str, float | None]):
        """The best rewrite link among the originals of the three closest stories now; those
        compared before the lock and unchanged since are not compared again."""
        return stories.best_rewrite(
            before.rewrites[sid] if sid in before.rewrites and sid not in changed
            else self.rules.rewrite(article, self._members(article, refs[sid]))
            for sid in stories.closest(article, refs, self.rules, scores=scores))

    def _story_of(self, article_id: str) -> str | None:
        if article_id not in self.placed:
            self.placed[article_id] = stories.story_of(self.conn, article_id)
        return self.placed[article_id]

    def _members(self, article: StoryInput, ref: stories.StoryRef) -> list[Member]:
        """The most recent originals of the story (REWRITE_MEMBERS), this batch's first, that
        are close enough to the article to compare."""
        sid = ref.id
        newest = [m for m, _ in reversed(self.fresh) if m.story_id == sid][:stories.REWRITE_MEMBERS]
        if sid not in self.recent:
            base = self.changed[sid].base if sid in self.changed else ref.touched
            self.recent[sid] = [] if base is None else self.cache.recent(self.conn, sid, base)
        room = max(0, stories.REWRITE_MEMBERS - len(newest))
        wanted = [(aid, sid, sig) for aid, _, sig in self.recent[sid][:room] if close_enough(article.signature, sig)]
        text_of = stories.texts(self.conn, [aid for aid, _, _ in wanted])
        return ([m for m in newest if close_enough(article.signature, m.signature)]
                + [Member(aid, sid, text_of[aid], sig) for aid, sid, sig in wanted if aid in text_of])

    def _tick(self) -> int:
        self.counter += 1
        return self.counter

    def _start(self, aid: str, seq: int, title: str | None, article: StoryInput) -> str:
        sid = stories.new_id(aid)
        ref = stories.StoryRef(sid, _rounded(new_summary(article.features)), seq, self._tick())
        self.changed[sid] = _Story(ref, False, first={"id": aid, "seq": seq, "title": title}, dirty=True)
        self.terms.index(ref)
        return sid

    def _join(self, ref: stories.StoryRef, aid: str, seq: int, title: str | None, features) -> str:
        """The article joins the story: size, span and last article; the centroid too when the
        article brings features (a duplicate adds nothing new to it); its title if the story
        had none."""
        story = self.changed.get(ref.id) or _Story(ref, True, ref.touched)
        s = ref.summary
        summary = _rounded(add(s, features), features) if features is not None else replace(s, size=s.size + 1)
        story.ref = stories.StoryRef(ref.id, summary, seq, self._tick())
        story.last = aid
        if title and story.title is None and not (story.first and story.first["title"]):
            story.title = title
        story.dirty = True
        self.changed[ref.id] = story
        self.terms.index(story.ref)
        return ref.id

    def write(self) -> None:
        """Store the batch's placements: stories, their keys, the articles' story columns; and
        stage them in the cache, kept if the transaction commits."""
        dirty = [s for s in self.changed.values() if s.dirty]
        self._stage(dirty)
        stamp = now()
        old = [s for s in dirty if s.stored]
        self._insert([s for s in dirty if not s.stored], stamp)
        if old:
            query = (update(story_rows).where(story_rows.c.id == bindparam("b_id"))
                     .values(title=func.coalesce(story_rows.c.title, bindparam("b_title")),
                             **{k: bindparam(k) for k in _values(old[0], stamp)}))
            self.conn.execute(query, [_values(s, stamp) | {"b_id": s.ref.id, "b_title": s.title} for s in old])
        self._write_keys(dirty)
        self._write_articles()

    def _insert(self, new: list[_Story], stamp) -> None:
        if new:
            self.conn.execute(insert(story_rows), [_values(s, stamp) | {
                "id": s.ref.id, "title": s.first["title"] or s.title, "first_article": s.first["id"],
                "first_seq": s.first["seq"], "created_at": stamp} for s in new])

    def _write_articles(self) -> None:
        if self.rows:
            query = update(articles).where(articles.c.seq == bindparam("b_seq"))
            self.conn.execute(query.values({k: bindparam(k) for k in self.rows[0].fields}),
                              [p.fields | {"b_seq": p.seq} for p in self.rows])

    def _stage(self, dirty: list[_Story]) -> None:
        recent = {}
        for s in dirty:
            sid = s.ref.id
            if s.base is None or sid in self.recent:
                newest = [(m.article_id, seq, m.signature) for m, seq in reversed(self.fresh) if m.story_id == sid]
                found = (newest + self.recent.get(sid, []))[:stories.REWRITE_MEMBERS]
                recent[sid] = (s.ref.touched, found)
        self.cache.stage([s.ref for s in dirty], recent)

    def _write_keys(self, dirty: list[_Story]) -> None:
        """Bring each dirty story's key rows to its summary's keys. What is stored is read, not
        recomputed from the summary as read: rows written by another release, or by a tie cut
        otherwise, must neither block the insert (unique key) nor stay behind."""
        gone, fresh = self._key_changes(dirty)
        if gone:
            self.conn.execute(delete(story_keys).where(story_keys.c.story_id == bindparam("b_story"),
                                                       story_keys.c.hash == bindparam("b_hash")),
                              [{"b_story": sid, "b_hash": h} for sid, h in gone])
        if fresh:
            self.conn.execute(insert(story_keys), [{"hash": h, "story_id": sid} for sid, h in fresh])

    def _key_changes(self, dirty: list[_Story]) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        """The key rows (story, hash) that go and those that come for the dirty stories' rows to
        be their summaries' keys, as stored now."""
        stored = self._stored_keys([s.ref.id for s in dirty if s.stored])
        gone, fresh = [], []
        for s in dirty:
            old, new = stored.get(s.ref.id, set()), {self.terms.hash(k) for k in self.terms.of(s.ref)}
            gone += [(s.ref.id, h) for h in sorted(old - new)]
            fresh += [(s.ref.id, h) for h in sorted(new - old)]
        return gone, fresh

    def _stored_keys(self, ids: list[str]) -> dict[str, set[int]]:
        found: dict[str, set[int]] = {}
        if ids:
            query = select(story_keys.c.story_id, story_keys.c.hash).where(story_keys.c.story_id.in_(sorted(ids)))
            for sid, h in self.conn.execute(query):
                found.setdefault(sid, set()).add(h)
        return found


def _values(s: _Story, stamp) -> dict:
    summary = s.ref.summary
    return {"size": summary.size, "last_article": s.last or s.first["id"],
            "last_seq": s.ref.last_seq, "touched": s.ref.touched, "first_date": stories.iso(summary.first_day),
            "last_date": stories.iso(summary.last_day), "centroid": stories.encode(summary), "updated_at": stamp}


def _rounded(s: Summary, added=None) -> Summary:
    """The summary as stored and read back (stories.encode rounds its weights). With `added`,
    the features just added to a summary whose weights were rounded: only their terms' weights
    changed, so only those are rounded again (rounding is idempotent)."""
    def rounded(name: str) -> dict:
        vec = getattr(s, name)
        if added is None:
            return {t: round(w, 4) for t, w in vec.items()}
        vec = dict(vec)
        for t in getattr(added, name).keys() & vec.keys():
            vec[t] = round(vec[t], 4)
        return vec
    return replace(s, **{name: rounded(name) for name in ("body", "title", "entities")})
