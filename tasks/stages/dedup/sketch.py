"""Dedup stage: fingerprints of a text, and the verdict given the stored matches.

Exact duplicates share the hash of their normalized text (case, punctuation and white
space folded). Near duplicates (the same wire story trimmed or edited) share many word
5-grams. Comparing every pair is out of the question, so each text keeps a *consistent
sample* of its 5-gram hashes: those divisible by SAMPLE_MODULUS (Broder's mod-m sampling).
Unlike a MinHash bottom-k sketch, a mod-m sample estimates containment as well as Jaccard:
for texts A and B, |sample(A) & sample(B)| / min(|sample(A)|, |sample(B)|) estimates the
share of the shorter text found in the longer one. The store keeps an inverted index of the
samples; it returns the stored articles that share hashes with a new one (`Match`), and
`decide()` (verdict.py) turns them into a verdict.

Why containment: 001 is 000's wire story with paragraphs added and trimmed; their 5-gram
Jaccard is only ~0.4, but ~0.6 of 000 stands in 001. Containment alone is not enough: a
same-site follow-up article that reuses a third of an earlier one reaches 0.6 too. The rule
is therefore on the sum: containment + Jaccard >= 1.0. On ../shared/bench/data/dedup-dev it
keeps 99.8% of true near duplicates (edits, typos, truncation, six extractors' output) and
flags 10% of follow-ups; containment >= 0.5 alone flagged 47% of them.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from tasks.stages.model import Fingerprint, Match, Overlap

SHINGLE = 5
SAMPLE_MODULUS = 4

_WORD = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Lower-cased words, with compatibility forms and accents' encodings folded (NFKC)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _hash64(value: str) -> int:
    """A stable signed 64-bit hash (fits a BIGINT column; Python's hash() is salted)."""
    return int.from_bytes(hashlib.blake2b(value.encode("utf8"), digest_size=8).digest(), "big", signed=True)


def fingerprint(text: str) -> Fingerprint:
    """The exact hash and the mod-m sample of 5-gram hashes of a text."""
    words = tokens(text)
    exact = hashlib.blake2b(" ".join(words).encode("utf8"), digest_size=16).hexdigest()
    grams = (" ".join(words[i:i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1)))
    sample = frozenset(h for h in map(_hash64, grams) if h % SAMPLE_MODULUS == 0)
    return Fingerprint(exact=exact, sample=sample)


def overlap(fp: Fingerprint, match: Match) -> Overlap:
    """Both containments and Jaccard of a new text and a stored candidate, from sample sizes."""
    shared, size_new, size_old = match.shared, len(fp.sample), match.size
    if not shared or not size_new or not size_old:
        return Overlap(0.0, 0.0, 0.0)
    return Overlap(shared / size_new, shared / size_old, shared / (size_new + size_old - shared))
