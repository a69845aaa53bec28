"""What a process last read or committed of the stories, so that it does not read and decode
them again: a story's summary (its centroid is JSON of some 400 weighted terms) and its most
recent original articles, each as of the story's `touched` value.

A story's `touched` changes with every change of the story under the story lock, and a
committed value is never reused, so an entry whose `touched` matches the row's is the row.
The stories a writer changes go in only once its transaction committed (`stage`, then
`commit`). One instance per Store (per process); bounded, least recently used out first:
INGEST_STORY_CACHE stories, each its summary (a centroid of 420 terms at most, ~25 KB) and the
signatures of its REWRITE_MEMBERS most recent originals (40 terms each, ~2 KB), so ~70 KB a
story at most (~30 KB on average over the 10k corpus), their terms one copy each (`terms`):
a long-running worker's memory levels off once the stories it keeps have their members.

A prior found by another process (an embedded pool's child) travels `slim`: its stories as ids
and touched values, not their summaries (some 40 KB a dump pickled), and the writer reads them
back from its cache (`hydrate`), which holds every story it committed; one it no longer holds
(evicted) comes back `Deferred`: its summary is read only if placement asks for it. Placement
takes the score of a story unchanged since the prior from the prior, so it needs the summary of
the story an article joins only, not of the twenty it ranked: on a 10k-text run the writer read
and decoded ~28,000 centroids (JSON of ~400 terms each), ~9% of its CPU, most of them unused.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import cached_property

from sqlalchemy import Connection, bindparam, select

from config.defaults import STORY_CACHE
from tasks.store import stories
from tasks.store.schema import stories as story_rows

TERMS = 131_072   # distinct terms shared by the stories decoded (~10 MB at most, most held by them anyway)
_HEADS = select(story_rows.c.id, story_rows.c.last_seq, story_rows.c.touched).where(
    story_rows.c.id.in_(bindparam("ids", expanding=True)))
_SUMMARY = select(story_rows).where(story_rows.c.id == bindparam("id"))


@dataclass(frozen=True)
class Slim:
    """A stories.Prior without its stories: `prior` with no refs, and {story id: touched}."""
    prior: stories.Prior
    touched: dict[str, int]


def slim(prior: stories.Prior | None) -> "Slim | None":
    if prior is None:
        return None
    return Slim(replace(prior, refs={}), {sid: ref.touched for sid, ref in prior.refs.items()})


class Deferred(stories.StoryRef):
    """A stored story as `stories.load` gives it, its summary read (one query, its centroid
    decoded) only when asked for, in the transaction that made it: a writer's placement asks
    for the summary of the story an article joins, or of one it must score again."""

    def __init__(self, conn: Connection, story_id: str, last_seq: int, touched: int, terms: dict | None = None):
        for name, value in (("id", story_id), ("last_seq", last_seq), ("touched", touched), ("_conn", conn),
                            ("_terms", terms)):
            object.__setattr__(self, name, value)

    @cached_property
    def summary(self) -> stories.Summary:
        return stories.summary_of(self._conn.execute(_SUMMARY, {"id": self.id}).mappings().one(), self._terms)

    def __eq__(self, other) -> bool:   # equal to the StoryRef `stories.load` would give
        return isinstance(other, stories.StoryRef) and (self.id, self.summary, self.last_seq, self.touched) == (
            other.id, other.summary, other.last_seq, other.touched)

    __hash__ = None


def deferred(conn: Connection, ids: list[str], terms: dict | None = None) -> dict[str, Deferred]:
    """The stored stories among `ids`, `Deferred` (their ids, last seqs and touched values read now)."""
    if not ids:
        return {}
    return {sid: Deferred(conn, sid, last_seq, touched, terms)
            for sid, last_seq, touched in conn.execute(_HEADS, {"ids": ids})}


class StoryCache:
    def __init__(self, size: int = STORY_CACHE):
        self.size = size
        self._refs: OrderedDict[str, stories.StoryRef] = OrderedDict()
        self._recent: OrderedDict[str, tuple[int, list]] = OrderedDict()
        self._decoded: OrderedDict[str, dict] = OrderedDict()
        self._staged: tuple[list, dict] = ([], {})
        self.term_hashes: dict[str, int] = {}   # a writer's story key terms hashed (tasks/store/storyterms.py)
        self._terms: dict[str, str] = {}   # one copy of each term decoded (stories.shared), TERMS at most

    def refs(self, conn: Connection, touched: dict[str, int], newer: bool = False,
             defer: bool = False) -> dict[str, stories.StoryRef]:
        """The stories {id: touched}: from here when the touched value matches (or, `newer`,
        when it is this one or a later one), else read (`defer`: `Deferred`, and not kept)."""
        out, missing = {}, []
        for sid, value in touched.items():
            ref = self._refs.get(sid)
            if ref is not None and (ref.touched == value or newer and ref.touched > value):
                self._refs.move_to_end(sid)
                out[sid] = ref
            else:
                missing.append(sid)
        if missing and defer:
            out |= deferred(conn, missing, self.terms())
        elif missing:
            loaded = stories.load(conn, missing, self.terms())
            self._put(loaded.values())
            out |= loaded
        return out

    def hydrate(self, conn: Connection, priors: list) -> list:
        """The priors with their stories again (a Slim one's read from here, or from the store
        when not here as of its touched value or a later one: one query for all); others as
        they are. A story newer than a prior saw it changed since the prior's horizon, so
        placement takes it from the stories changed since (tasks/store/placing.py), never from
        the prior: whichever later version is here stands for it, and the store is not read
        (the stories a pool's children ranked have mostly changed since, by this writer). A
        story not here comes `Deferred`: placement scores an unchanged story from the prior."""
        wanted: dict[str, int] = {}
        for p in priors:
            if isinstance(p, Slim):
                for sid, touched in p.touched.items():
                    wanted[sid] = max(touched, wanted.get(sid, touched))
        found = self.refs(conn, wanted, newer=True, defer=True) if wanted else {}
        return [replace(p.prior, refs={sid: found[sid] for sid in p.touched if sid in found})
                if isinstance(p, Slim) else p for p in priors]

    def recent(self, conn: Connection, story_id: str, touched: int) -> list[tuple[str, int, dict]]:
        """stories.recent for the story as of `touched`: its REWRITE_MEMBERS most recent
        originals, as many as placement compares (tasks/store/placing.py)."""
        entry = self._recent.get(story_id)
        if entry is not None and entry[0] == touched:
            self._recent.move_to_end(story_id)
            return entry[1]
        decoded = self._decoded.pop(story_id, {})   # the signatures last read, by article
        found = stories.recent(conn, story_id, stories.REWRITE_MEMBERS, decoded, self.terms())
        self._keep(self._recent, story_id, (touched, found))
        self._keep(self._decoded, story_id, decoded)
        return found

    def terms(self) -> dict[str, str]:
        """The table of terms the stories decoded here share ({term: term}): started again once it
        holds TERMS (a story kept holds its own; those decoded later share the new table's)."""
        if len(self._terms) >= TERMS:
            self._terms = {}
        return self._terms

    def stage(self, refs: list[stories.StoryRef], recent: dict[str, tuple[int, list]]) -> None:
        """What a transaction wrote, kept once it commits."""
        self._staged = (refs, recent)

    def commit(self) -> None:
        refs, recent = self._staged
        self._put(refs)
        for sid, entry in recent.items():
            self._keep(self._recent, sid, entry)
        self.discard()

    def discard(self) -> None:
        self._staged = ([], {})

    def clear(self) -> None:
        self._refs.clear()
        self._recent.clear()
        self._decoded.clear()
        self.discard()

    def _put(self, refs) -> None:
        for ref in refs:
            self._keep(self._refs, ref.id, ref)

    def _keep(self, table: OrderedDict, key: str, value) -> None:
        table[key] = value
        table.move_to_end(key)
        while len(table) > self.size:
            table.popitem(last=False)
