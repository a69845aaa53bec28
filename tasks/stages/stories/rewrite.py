"""Rewrites: a paraphrase of a stored article, the same facts in the same order, reworded.

A near duplicate shares long runs of words; a rewrite shares hardly any 5-gram but keeps the
facts: the names, numbers and content words of each sentence, sentence after sentence. So
both texts are cut into sentences, each sentence becomes the set of its content-word stems
(words that are not common English, cut to STEM letters so "Russia"/"Russian" meet), and
sentences are paired greedily when their Dice overlap reaches SENTENCE_MATCH. The pairs are
then kept in order (longest chain increasing in both texts): a rewrite follows its source.
Pairs at VERBATIM or above are copied sentences, not reworded ones, and do not count: an
article that copies a few paragraphs of another (background reused by the same newsroom,
a follow-up) is neither its duplicate nor its rewrite.

The rule, both ways round: the ordered chain of reworded pairs covers at least COVER of the shorter text's
sentences and 2 x COVER of the longer's (a rewrite may add or drop some). A same-event
article by another writer shares a few facts but not the sentence-by-sentence run.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property
from operator import mul

from tasks.stages.stories.features import MAX_CHARS, numbers, words
from tasks.stages.stories.weights import STOP_IDF, Idf

STEM = 5
SENTENCE_MATCH = 0.4
VERBATIM = 0.9      # a pair this close is copied, not reworded
COVER = 0.6
MIN_SENTENCES = 3

_SENTENCE = re.compile(r"(?<=[.!?»”\"])\s+(?=[«“\"A-Z0-9])|\n+")


@dataclass(frozen=True)
class Sentences:
    """An article's content sentences as sets of stems (a sentence with fewer than 3 is dropped)."""
    stems: tuple[frozenset[str], ...]


@dataclass(frozen=True)
class Link:
    score: float           # the share of sentences in the ordered chain (the smaller side's)
    aligned: int


def sentences(text: str, idf: Idf) -> Sentences:
    out = []
    stem: dict[str, str | None] = {}
    for chunk in _SENTENCE.split(text[:MAX_CHARS]):
        stems = set()
        for w in words(chunk):
            if w not in stem:
                stem[w] = w[:STEM] if idf(w) >= STOP_IDF else None
            if stem[w]:
                stems.add(stem[w])
        stems.update(numbers(chunk))
        if len(stems) >= 3:
            out.append(frozenset(stems))
    return Sentences(tuple(out))


def compare(a: Sentences, b: Sentences) -> Link:
    """How much of a and b line up sentence by sentence, in order."""
    pairs = []
    for i, sa in enumerate(a.stems):
        best, best_j = 0.0, -1
        for j, sb in enumerate(b.stems):
            d = 2 * len(sa & sb) / (len(sa) + len(sb))
            if d > best:
                best, best_j = d, j
        if SENTENCE_MATCH <= best < VERBATIM:
            pairs.append(best_j)
    chain = _longest_increasing(pairs)
    smaller = min(len(a.stems), len(b.stems)) or 1
    larger = max(len(a.stems), len(b.stems)) or 1
    return Link(score=min(chain / smaller, 2 * chain / larger), aligned=chain)


def is_rewrite(a: Sentences, b: Sentences) -> bool:
    if min(len(a.stems), len(b.stems)) < MIN_SENTENCES:
        return False
    return min(compare(a, b).score, compare(b, a).score) >= COVER


def _longest_increasing(seq: list[int]) -> int:
    tails: list[int] = []
    for x in seq:
        k = bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
        else:
            tails[k] = x
    return len(tails)


SIGNATURE_TERMS = 40
PREFILTER = 0.5     # body cosine below which two articles are not compared sentence by sentence
COPY = 0.97         # and above which they are copies (dedup's business), not rewrites


class Signature(dict):
    """An article's heaviest body terms and their weights ({term: weight}), with its norm
    worked out once: a signature is compared with many others (`close_enough`)."""

    @cached_property
    def norm(self) -> float:
        return sum(map(mul, self.values(), self.values())) ** 0.5


def signature(body: dict[str, float]) -> Signature:
    """An article's heaviest body terms: what a later article is first compared with."""
    top = sorted(body.items(), key=lambda kv: -kv[1])[:SIGNATURE_TERMS]
    return Signature({t: round(w, 4) for t, w in top})


def close_enough(a: dict[str, float], b: dict[str, float]) -> bool:
    """The cheap filter before `is_rewrite`: the signatures' cosine is in [PREFILTER, COPY)."""
    na, nb = _norm(a), _norm(b)
    if not (na and nb):
        return False
    dot = sum([w * b[t] for t, w in a.items() if t in b])   # the terms b lacks would add only zeros
    return PREFILTER <= dot / (na * nb) < COPY


def _norm(sig: dict[str, float]) -> float:
    return sig.norm if isinstance(sig, Signature) else Signature(sig).norm
