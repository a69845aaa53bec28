"""The online decision: which stored story an article joins, or none (a new story).

Each candidate story is summarised by the sum of its articles' vectors (its centroid, cut to
its heaviest terms so it stays bounded) and its date span. As in Miranda et al. 2018, the
article is compared with each candidate through one similarity per sub-vector (cosine of
body, title and entity vectors with the centroid's); their weighted sum less a time penalty
is the score. The best candidate is joined when its score reaches the threshold.
Stories are bounded in time: the score falls with the log of the days between the article and
the story's date span (`Weights.time`), and beyond a window of days (`Weights.window_days`) only
near-identical coverage joins (`Weights.strong`: publication dates are sometimes a crawl's or an
update's); no story further away is a candidate (`Weights.reach_days`). Nor is one that shares
(almost) none of the article's names and numbers when both have some (`Weights.min_entities`):
two events of one kind (two plane crashes, two earthquakes) share their vocabulary, not their
names, places and figures. No similarity alone decides; the body's weighs most (1.6 to the title's
and the entities' 1.0): it covers every content word of the article, its names included (a name
the word list does not know weighs the most), so it already holds the entities' evidence and
is the least noisy of the three (on the tune slice of a dev set, a logistic fit of joins over
the three similarities gave the body two to five times the others' weight).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property
from operator import itemgetter

from tasks.stages.stories.features import Features, Vector

CENTROID_TERMS = {"body": 240, "title": 60, "entities": 120}


@dataclass(frozen=True)
class Weights:
    body: float = 1.6           # the body's words (names included) are the most telling similarity
    title: float = 1.0
    entities: float = 1.0
    time: float = 0.06          # score lost per log(1 + days) away from the story's span
    threshold: float = 0.4
    window_days: int = 90       # beyond this, an article joins only on near-identical coverage,
    strong: float = 1.5         # a summed similarity this high
    reach_days: int = 730       # a story this far from the article is no candidate
    undated_days: int = 3       # the distance assumed when the article or story has no date
    min_entities: float = 0.05  # names and numbers are strong evidence: below this overlap, no match


@dataclass(frozen=True)
class Summary:
    """What a story keeps about its articles: summed vectors (bounded), size and date span."""
    body: Vector
    title: Vector
    entities: Vector
    size: int
    first_day: int | None
    last_day: int | None

    @cached_property
    def key_terms(self) -> frozenset[str]:
        """Its `keys` (the default limit), worked out once per summary: a story a writer keeps
        in memory is indexed by them in every batch that reads it changed."""
        return frozenset(keys(self))

    @cached_property
    def norms(self) -> dict[str, float]:
        return {name: math.sqrt(sum(w * w for w in getattr(self, name).values()))
                for name in ("body", "title", "entities")}


@dataclass(frozen=True)
class Choice:
    story: str | None          # the key of the story joined, None for a new story
    score: float


def cosine(a: Vector, centroid: Vector, norm: float | None = None) -> float:
    """Cosine of a unit vector `a` with a centroid (whose norm may be given)."""
    if not a or not centroid:
        return 0.0
    small, large = (a, centroid) if len(a) <= len(centroid) else (centroid, a)
    dot = sum([w * large[t] for t, w in small.items() if t in large])   # the terms large lacks would add only zeros
    norm = norm if norm is not None else math.sqrt(sum(w * w for w in centroid.values()))
    return dot / norm if norm else 0.0


def gap_days(day: int | None, story: Summary) -> int | None:
    if day is None or story.first_day is None or story.last_day is None:
        return None
    return max(0, story.first_day - day, day - story.last_day)


def score(f: Features, story: Summary, w: Weights = Weights()) -> float | None:
    """The weighted similarity of an article to a story; None when it cannot join it."""
    gap = gap_days(f.day, story)
    if gap is not None and gap > w.reach_days:
        return None
    norms = story.norms
    entities = cosine(f.entities, story.entities, norms["entities"])
    if f.entities and story.entities and entities < w.min_entities:
        return None
    content = (w.body * cosine(f.body, story.body, norms["body"])
               + w.title * cosine(f.title, story.title, norms["title"]) + w.entities * entities)
    if gap is not None and gap > w.window_days and content < w.strong:
        return None
    return content - w.time * math.log1p(w.undated_days if gap is None else gap)


def choose(f: Features, candidates: dict[str, Summary], w: Weights = Weights(), prefer: str | None = None,
           scores: dict[str, float | None] | None = None) -> Choice:
    """The best candidate reaching the threshold, or None (a new story). `prefer` is the story
    a link points to (the original of a duplicate, the source of a rewrite): it is kept when it
    fits, or when no other story does; only another story that fits while it does not wins
    over it (a copied text that names no event, such as a page's boilerplate, is placed by
    its own title). `scores`: `score` of some candidates, already worked out."""
    known = scores or {}
    best = Choice(None, 0.0)
    for key, story in candidates.items():
        s = known[key] if key in known else score(f, story, w)
        if s is not None and s >= w.threshold and s > best.score:
            best = Choice(key, s)
    if prefer is None or best.story == prefer:
        return best
    fit = (known[prefer] if prefer in known else score(f, candidates[prefer], w)) if prefer in candidates else None
    if best.story is None or (fit is not None and fit >= w.threshold):
        return Choice(prefer, fit or 0.0)
    return best


def new_summary(f: Features) -> Summary:
    return Summary(dict(f.body), dict(f.title), dict(f.entities), 1, f.day, f.day)


def add(story: Summary, f: Features, window_days: int = Weights.window_days) -> Summary:
    """The story's summary once the article has joined it. An article dated beyond the window
    joined on its words, against its date: that date does not stretch the story's span."""
    gap = gap_days(f.day, story)
    trusted = gap is None or gap <= window_days
    days = [d for d in (story.first_day, story.last_day, f.day if trusted else None) if d is not None]
    return replace(
        story,
        body=_add(story.body, f.body, CENTROID_TERMS["body"]),
        title=_add(story.title, f.title, CENTROID_TERMS["title"]),
        entities=_add(story.entities, f.entities, CENTROID_TERMS["entities"]),
        size=story.size + 1,
        first_day=min(days) if days else None,
        last_day=max(days) if days else None,
    )


def _add(total: Vector, vec: Vector, limit: int) -> Vector:
    out = dict(total)
    for t, w in vec.items():
        out[t] = out.get(t, 0.0) + w
    if len(out) > limit:   # heapq.nlargest's result, sorted in C (see `_top`)
        out = dict(sorted(out.items(), key=itemgetter(1), reverse=True)[:limit])
    return out


def keys(f: Features | Summary, limit: int = 24) -> list[str]:
    """The terms an article is looked up by, or a story indexed by: the heaviest entities,
    title and body terms."""
    ranked = (_top(f.entities, limit // 2) + _top(f.title, limit // 4) + _top(f.body, limit // 2))
    return list(dict.fromkeys(ranked))[:limit]


def _top(vec: Vector, n: int) -> list[str]:
    """heapq.nlargest's result (a stable sort, ties in the order met), sorted in C: half its CPU."""
    return [t for t, _ in sorted(vec.items(), key=itemgetter(1), reverse=True)[:n]]
