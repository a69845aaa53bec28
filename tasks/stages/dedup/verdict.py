"""The dedup verdict: given a new text's fingerprint, the id of an exact match if the store
has one, and the near-match candidates the index returned, which stored article (if any) it
duplicates.

A candidate is judged on the overlap of the pair (sketch.py): the share of the new text found
in the stored one (`new_in_old`), the share of the stored text found in the new one
(`old_in_new`), and their Jaccard. It is a near duplicate when all three hold:

1. **Similar enough**: containment (the share of the shorter text in the longer) plus Jaccard
   reaches the threshold (config NEAR_DUP_THRESHOLD, 1.0). A copy edited, re-headlined or
   extracted by another tool keeps both high; a trimmed or padded copy keeps containment near
   1 and loses Jaccard; 001, 000's wire story with paragraphs added and trimmed, has
   containment ~0.6 and Jaccard ~0.4.
2. **Not a larger article that embeds it** (`new_in_old >= MIN_NEW_IN_OLD`, a third): a new
   text that holds (nearly all of) a stored one but is more than three times its length is
   mostly its own material, so it is another article that quotes or embeds the stored one: a
   follow-up that recaps the first report, a roundup or digest, a live-blog update, a page
   listing several stories. What a republisher adds to a copy (its page furniture, a line of
   credit, a related-links box) is a minority of the page, and the clean stage drops most of
   it; the bound leaves room for a page whose furniture the clean stage kept (an extractor
   that keeps every line can give twice the article). Containment alone cannot see this: it
   is ~1.0 for both the padded copy and the composite; only the share of the new text that is
   the stored one tells them apart.
3. **Not a small passage of a longer one** (`old_in_new >= MIN_OLD_IN_NEW`, 0.15): a new
   text wholly inside a stored one is a truncated or trimmed copy (a teaser, a shortened
   republish, an extractor that kept the first paragraphs), down to about a sixth of it; below,
   it is a passage quoted from it, or a short text (a caption, a brief, a boilerplate block
   that survived cleaning) that happens to stand in a long one.

4. **Not two articles interleaved** (layout.py, for the candidates the store re-read in
   full): the pair's unshared material is laid out as a copy's (a lost tail or paragraph,
   short furniture lines), not as another article's: a block of several paragraphs of prose, or
   a long list, inside the shared ones; a long lead of prose (or of many lines) before them in
   the longer text; or prose of each text's own on both sides of them. Amounts
   cannot see this: a copy that lost a third and a follow-up that adds a third to a whole
   story have the same containment and Jaccard.

5. **Not woven with another article's passage** (layout.lent, for the candidates re-read in
   full): the lines the new text has, inside the shared ones, beyond the stored text are not,
   for a tenth of its words, lines of *another* stored article, one that is not near the new
   text and shares (nearly) nothing with the candidate. Then the new text is two articles
   interleaved (a follow-up that borrows a chunk of an earlier report into its own story, a
   composite page), not the candidate edited: an edit adds material of its own (a paragraph,
   a correction, furniture), while a passage also found in an unrelated stored article came
   from it. Provenance, not length, tells them apart: one borrowed paragraph and one paragraph
   an editor added have the same layout (rule 4 needs several). Lines inside the shared ones
   count; lines at the edges only when the lender's prose stands at both: a copy loses material
   at one edge (a truncated copy, an extractor that drops a lead), so what a longer copy has
   beyond it at one edge may be the same story's text that another stored article borrowed too,
   but a copy does not gain another article's paragraphs on both sides of the story (the new
   text is that article quoting the candidate between its lead and its rest). A lender sharing
   material with the candidate (a copy of the same story, or an article that borrowed from it)
   is no evidence either, for the same reason. A lender the store did not re-read (it keeps
   its re-reads for the few closest candidates, and a text sharing only a borrowed passage is
   seldom among them) is judged by its sketch (layout.lent_sampled): its bottom-k holds every
   hash of it up to a bound, so the new text's 5-grams under that bound are a fair sample of
   which lines it lent.

6. **Not the story inside a stored text woven with another article's passage** (rule 5 with
   the two texts swapped, for the candidates re-read in full): the lines the *stored* text has,
   inside those it shares with the new one, beyond the new text are not, for a tenth of its
   words, lines of another article stored before it (`Match.lenders`, found by looking the
   candidate itself up in the index) that shares (nearly) nothing with the new text. Then the
   stored text is a composite that arrived first (a follow-up that wove an earlier report's
   passage into this story), and the new text is the story it was built around, not its
   trimmed copy: overlap and layout read the same either way. Only a lender stored before the
   candidate counts (a passage is lent by an earlier article, not a later one), and, as in
   rule 5, only lines inside the shared ones or the lender's prose on both sides of them: what a
   stored original has beyond a truncated copy's end may be the tail another article borrowed.

7. **Counted, not estimated**: when the store re-read the closest candidates, a candidate it
   did not re-read is not taken on its sketch's estimate. It ranked below those read, and
   rules 4 to 6, which tell a copy from another article built around the same passage, could
   not be checked for it: those read may all have been kept apart for that very reason (the
   new text is a follow-up that other stored follow-ups resemble as much). With no candidate
   re-read (a store that counts nothing exactly), the estimates decide as before.

The bounds are not symmetric, and the verdict depends on arrival order, on purpose: copies
are trimmed far more often than they are padded, so a short text inside a long stored one is
given more room (down to about a sixth) than a long text around a short stored one (down
to a third). When a composite arrives after its base, rule 2 keeps it apart; when the base
arrives after the composite, the base is inside the composite as a trimmed copy is inside its
original, and the overlap of the pair cannot tell the two apart; rule 4 does, when the
composite's own block sits inside the base's paragraphs or before them. A composite that only
appends its own material after the whole base still looks like the base's longer original.
"""
from __future__ import annotations

from functools import cache
from typing import Callable

from tasks.stages.dedup.layout import Beyond, Lines, composite, lines
from tasks.stages.dedup.sketch import overlap
from tasks.stages.model import Fingerprint, Match, Overlap, Verdict

MIN_SHARED = 12         # fewer shared 5-grams than this (estimated) is never a near duplicate
MIN_NEW_IN_OLD = 1 / 3  # a new text at most three times as long as the stored one it holds
MIN_OLD_IN_NEW = 0.15   # a new text at least about a sixth of the stored one that holds it
UNRELATED = 0.1         # a lender shares less than this share of the smaller text with the candidate


def is_near(o: Overlap, threshold: float = 1.0) -> bool:
    """Whether a pair with this overlap is a near duplicate (the three rules above)."""
    return (o.containment + o.jaccard >= threshold
            and o.new_in_old >= MIN_NEW_IN_OLD and o.old_in_new >= MIN_OLD_IN_NEW)


def decide(fp: Fingerprint, exact_match: str | None, matches: list[Match],
           threshold: float = 1.0, estimates: dict | None = None) -> Verdict:
    """The verdict for a new text, given an exact match's id and the near-match candidates:
    the candidate that passes `is_near` (and rules 4 to 7, when the texts are given) with the
    highest containment + Jaccard, if any. `estimates`: {(article id, sketch): overlap} of
    candidates' sketches with the text's, worked out before (the store ranks candidates by
    them): a candidate without its 5-grams is not estimated again."""
    if exact_match:
        return Verdict(duplicate_of=exact_match, kind="exact", containment=1.0, jaccard=1.0)
    best: Verdict | None = None
    known = estimates or {}
    overlaps = [(m, known.get((m.article_id, m.sketch)) if m.grams is None and (m.article_id, m.sketch) in known
                 else overlap(fp, m)) for m in matches]
    # each text's layout lines, worked out once for this verdict: the new text's are marked
    # against each candidate near it, and what it has beyond one against each other candidate
    lines_of = cache(lines)
    for m, o in overlaps:
        c, j = o.containment, o.jaccard
        if o.shared < MIN_SHARED or not is_near(o, threshold) or (best and c + j <= best.containment + best.jaccard):
            continue
        if fp.grams is not None and m.grams is None:
            continue   # rule 7: the store counted others exactly, not this one
        if (not _composite(fp, m, lines_of) and not _lent(fp, m, overlaps, threshold, lines_of)
                and not _borrower(fp, m, lines_of)):
            best = Verdict(duplicate_of=m.article_id, kind="near", containment=c, jaccard=j)
    return best or Verdict(duplicate_of=None, kind="original")


def _lent(fp: Fingerprint, m: Match, overlaps: list[tuple[Match, Overlap]], threshold: float,
          lines_of: Callable[[str], Lines] = lines) -> bool:
    """Whether another candidate, neither near the new text nor related to `m`, lent the new text
    what it has beyond `m` (rule 5): judged by its 5-grams when the store re-read it, else by its
    sketch (layout.lent_sampled). What it has beyond `m` is marked once, for every candidate."""
    if fp.text is None or m.grams is None:
        return False
    marked = cache(lambda: Beyond(lines_of(fp.text), m.grams))
    return any(_lender_of(marked, m, x) for x, o in overlaps if x is not m and not is_near(o, threshold))


def _lender_of(beyond, m: Match, x: Match) -> bool:
    """Whether `x`, unrelated to `m`, lent the new text what it has beyond `m` (`beyond()`, its
    layout.Beyond): by its 5-grams, or its sketch (the two sketches' estimate of what it shares
    with `m`)."""
    if x.grams is not None:
        return (len(x.grams & m.grams) < UNRELATED * min(len(x.grams), len(m.grams))
                and beyond().lent(x.grams))
    related = overlap(Fingerprint(exact="", sketch=m.sketch, size=m.size), x).shared
    return (bool(x.sketch) and related < UNRELATED * min(x.size, m.size)
            and beyond().lent_sampled(x.sketch, x.size))


def _borrower(fp: Fingerprint, m: Match, lines_of: Callable[[str], Lines] = lines) -> bool:
    """Whether the stored text holds, beyond the new one, a passage of another stored article
    unrelated to the new text (rule 6): rule 5 with the two texts' parts swapped."""
    if fp.text is None or fp.grams is None or m.text is None:
        return False
    unrelated = [x for x in m.lenders if len(x & fp.grams) < UNRELATED * min(len(x), len(fp.grams))]
    if not unrelated:
        return False
    beyond = Beyond(lines_of(m.text), fp.grams)
    return any(beyond.lent(x) for x in unrelated)


def _composite(fp: Fingerprint, m: Match, lines_of: Callable[[str], Lines] = lines) -> bool:
    """Whether the layout of the pair's differences shows two articles (layout.py): known only
    for the candidates the store re-read, whose texts come with their 5-grams."""
    if fp.text is None or m.text is None or fp.grams is None or m.grams is None:
        return False
    return composite(lines_of(fp.text), lines_of(m.text), fp.grams, m.grams)
