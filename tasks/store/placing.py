"""Story placement for one writer transaction (tasks/store/writer.py), under the story lock.

The work is per batch, not per article: the story lock is taken once (`Placer.open`), the
`touched` counter is read once and counted on here, and the stories changed since the oldest
of the batch's snapshots (stories.Prior.horizon) are read once. From then on the changed
stories are kept in memory as the batch's articles join or start them, so a later article of
the batch sees the earlier ones exactly as if they were committed: their stories (summaries
rounded as stored), and their texts for the rewrite check. Rows are written at the end
(`Placer.write`): one executemany each for new stories, joined stories, their key changes and
the articles' story columns.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from tasks.stages.stories import Member, StoryInput, StoryRules, Summary, add, keys, new_summary
from tasks.stages.stories.rewrite import close_enough
from tasks.store import stories
from tasks.store.storycache import StoryCache
from tasks.store.dumps import now
from tasks.store.schema import articles, stories as story_rows, story_keys


@dataclass
class _Story:
    """A story as this transaction has it."""
    ref: stories.StoryRef
    stored_keys: list[str] | None       # its keys as stored; None while it is new (not yet inserted)
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

    @classmethod
    def open(cls, conn: Connection, rules: StoryRules, horizons: list[int], linked: set[str],
             cache: StoryCache) -> "Placer":
        """Take the story lock; read the stories changed since the oldest snapshot, and the
        stories of the stored articles the batch links to (`linked`)."""
        stories.lock(conn)
        placer = cls(conn, rules, cache, stories.horizon(conn))
        since = min(horizons, default=placer.counter)
        placer.changed = {sid: _Story(ref, keys(ref.summary), ref.touched)
                          for sid, ref in stories.changed_since(conn, since, cache).items()}
        if linked:
            query = select(articles.c.id, articles.c.story_id).where(articles.c.id.in_(sorted(linked)))
            placer.placed.update((aid, sid) for aid, sid in conn.execute(query))
        return placer

    def place(self, aid: str, seq: int, title: str | None, article: StoryInput, before: stories.Prior,
              duplicate_of: str | None) -> None:
        """Join the best story as of now, or start one. A duplicate prefers its original's story,
        a rewrite the story of what it rewords (see StoryRules.choose)."""
        changed = {sid: s.ref for sid, s in self.changed.items() if s.ref.touched > before.horizon}
        rewrite, prefer = None, None
        if duplicate_of is not None:
            prefer = self._story_of(duplicate_of)
        else:
            rewrite = before.rewrite
            late = self.rules.rewrite(article, self._members(article, stories.closest(article, changed, self.rules),
                                                             before.compared))
            if late is not None and (rewrite is None or late.score > rewrite.score):
                rewrite = late
            if rewrite is not None:
                prefer = self._story_of(rewrite.article_id)
        refs = {**before.refs, **changed}
        if prefer is not None and prefer not in refs:
            refs |= stories.load(self.conn, [prefer])
        choice = self.rules.choose(article, {sid: ref.summary for sid, ref in refs.items()}, prefer)
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

    def _story_of(self, article_id: str) -> str | None:
        if article_id not in self.placed:
            self.placed[article_id] = stories.story_of(self.conn, article_id)
        return self.placed[article_id]

    def _members(self, article: StoryInput, story_ids: list[str], skip: frozenset[str]) -> list[Member]:
        """The most recent originals of these stories (REWRITE_MEMBERS each, not in `skip`),
        this batch's first, that are close enough to the article to compare."""
        out, wanted = [], []
        for sid in story_ids:
            newest = [m for m, _ in reversed(self.fresh) if m.story_id == sid and m.article_id not in skip]
            if sid not in self.recent:   # a story's skipped members are at most REWRITE_MEMBERS
                base = self.changed[sid].base
                self.recent[sid] = [] if base is None else self.cache.recent(self.conn, sid, base)
            stored = [(aid, sid, sig) for aid, _, sig in self.recent[sid] if aid not in skip]
            room = max(0, stories.REWRITE_MEMBERS - len(newest))
            out += [m for m in newest[:stories.REWRITE_MEMBERS] if close_enough(article.signature, m.signature)]
            wanted += [e for e in stored[:room] if close_enough(article.signature, e[2])]
        text_of = stories.texts(self.conn, [aid for aid, _, _ in wanted])
        return out + [Member(aid, sid, text_of[aid], sig) for aid, sid, sig in wanted if aid in text_of]

    def _tick(self) -> int:
        self.counter += 1
        return self.counter

    def _start(self, aid: str, seq: int, title: str | None, article: StoryInput) -> str:
        sid = stories.new_id(aid)
        ref = stories.StoryRef(sid, _rounded(new_summary(article.features)), seq, self._tick())
        self.changed[sid] = _Story(ref, None, first={"id": aid, "seq": seq, "title": title}, dirty=True)
        return sid

    def _join(self, ref: stories.StoryRef, aid: str, seq: int, title: str | None, features) -> str:
        """The article joins the story: size, span and last article; the centroid too when the
        article brings features (a duplicate adds nothing new to it); its title if the story
        had none."""
        story = self.changed.get(ref.id) or _Story(ref, keys(ref.summary), ref.touched)
        s = ref.summary
        summary = _rounded(add(s, features)) if features is not None else replace(s, size=s.size + 1)
        story.ref = stories.StoryRef(ref.id, summary, seq, self._tick())
        story.last = aid
        if title and story.title is None and not (story.first and story.first["title"]):
            story.title = title
        story.dirty = True
        self.changed[ref.id] = story
        return ref.id

    def write(self) -> None:
        """Store the batch's placements: stories, their keys, the articles' story columns; and
        stage them in the cache, kept if the transaction commits."""
        dirty = [s for s in self.changed.values() if s.dirty]
        self._stage(dirty)
        stamp = now()
        new = [s for s in dirty if s.stored_keys is None]
        old = [s for s in dirty if s.stored_keys is not None]
        if new:
            self.conn.execute(insert(story_rows), [_values(s, stamp) | {
                "id": s.ref.id, "title": s.first["title"] or s.title, "first_article": s.first["id"],
                "first_seq": s.first["seq"], "created_at": stamp} for s in new])
        if old:
            query = (update(story_rows).where(story_rows.c.id == bindparam("b_id"))
                     .values(title=func.coalesce(story_rows.c.title, bindparam("b_title")),
                             **{k: bindparam(k) for k in _values(old[0], stamp)}))
            self.conn.execute(query, [_values(s, stamp) | {"b_id": s.ref.id, "b_title": s.title} for s in old])
        self._write_keys(dirty)
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
                found = (newest + self.recent.get(sid, []))[:2 * stories.REWRITE_MEMBERS]
                recent[sid] = (s.ref.touched, found)
        self.cache.stage([s.ref for s in dirty], recent)

    def _write_keys(self, dirty: list[_Story]) -> None:
        gone, fresh = [], []
        for s in dirty:
            old, new = set(s.stored_keys or ()), set(keys(s.ref.summary))
            gone += [{"b_story": s.ref.id, "b_hash": stories.key_hash(k)} for k in old - new]
            fresh += [{"hash": stories.key_hash(k), "story_id": s.ref.id} for k in new - old]
        if gone:
            self.conn.execute(delete(story_keys).where(story_keys.c.story_id == bindparam("b_story"),
                                                       story_keys.c.hash == bindparam("b_hash")), gone)
        if fresh:
            self.conn.execute(insert(story_keys), fresh)


def _values(s: _Story, stamp) -> dict:
    summary = s.ref.summary
    return {"size": summary.size, "last_article": s.last or s.first["id"],
            "last_seq": s.ref.last_seq, "touched": s.ref.touched, "first_date": stories.iso(summary.first_day),
            "last_date": stories.iso(summary.last_day), "centroid": stories.encode(summary), "updated_at": stamp}


def _rounded(s: Summary) -> Summary:
    """The summary as stored and read back (stories.encode rounds its weights)."""
    return replace(s, **{name: {t: round(w, 4) for t, w in getattr(s, name).items()}
                         for name in ("body", "title", "entities")})
