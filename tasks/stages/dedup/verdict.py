"""The dedup verdict: given a new text's fingerprint, the id of an exact match if the store
has one, and the near-match candidates the index returned, which stored article (if any) it
duplicates. See sketch.py for what a fingerprint holds and why the rule is on containment
plus Jaccard."""
from __future__ import annotations

from tasks.stages.dedup.sketch import overlap
from tasks.stages.model import Fingerprint, Match, Verdict

MIN_SHARED = 12  # fewer shared 5-grams than this (estimated) is never a near duplicate


def decide(fp: Fingerprint, exact_match: str | None, matches: list[Match],
           threshold: float = 1.0) -> Verdict:
    """The verdict for a new text, given an exact match's id and the near-match candidates.

    A candidate is a near duplicate when containment (the share of the shorter text that
    stands in the longer) plus Jaccard (the overlap as a whole) reaches `threshold`; the
    best-scoring candidate wins.
    """
    if exact_match:
        return Verdict(duplicate_of=exact_match, kind="exact", containment=1.0, jaccard=1.0)
    best: Verdict | None = None
    for m in matches:
        o = overlap(fp, m)
        if o.shared < MIN_SHARED:
            continue
        c, j = o.containment, o.jaccard
        if c + j >= threshold and (best is None or c + j > best.containment + best.jaccard):
            best = Verdict(duplicate_of=m.article_id, kind="near", containment=c, jaccard=j)
    return best or Verdict(duplicate_of=None, kind="original")
