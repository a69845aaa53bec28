"""Where two overlapping texts differ: the layout of the material one has and the other lacks.

How much two texts share (sketch.overlap) cannot tell a copy from another article built
around it: a copy that lost a third of its paragraphs and a follow-up that holds a whole
earlier story plus a third of its own have the same containment and Jaccard. Where the
unshared material lies, and what it is made of, tells them apart:

- A copy keeps its article's order and its lead. It loses a tail (a truncated republish, a
  teaser), a paragraph or two here and there (an editor, an extractor), or it gains page
  furniture: short lines (menus, credits, share buttons, related links) at its edges or
  between paragraphs.
- Another article that reuses a stored one carries a *block of its own prose*: several full
  paragraphs in a row, or a list of its own (many lines in a row: dates, a table's rows,
  product links), longer than the line or two of furniture a page sets inside an article (an ad
  label, a caption, a "read more" link). When that block sits between shared paragraphs
  (`inserted`), the texts interleave two stories (a follow-up that recaps, a roundup, a
  composite page). When the shared material starts only after a long unshared lead (of prose,
  or many lines) in the longer text (`headless`), the shorter one is a passage from its middle,
  not a trimmed copy, which would keep the lead.
  When both texts run on with prose of their own at the same edge, or each has prose of its
  own at both edges (`diverged`), they are two articles sharing a passage: of a copy and its
  original, at most one goes on, and only one can lack the other's lead.

A text's layout is its paragraphs (lines) of at least SHORT words, each with its word count
and whether most of its 5-grams stand in the other text. Prose is a paragraph of at least
PROSE words: a sentence or more, longer than furniture lines. The thresholds are shares of the
text, so they hold for short and long articles alike.
"""
from __future__ import annotations

from tasks.stages.dedup.sketch import gram_list, tokens

SHORT = 5           # lines shorter than this (bylines, dates, single links) carry no evidence
PROSE = 15          # a paragraph of prose: at least this many words
MIN_BLOCK_LINES = 3  # an inserted block is at least this many paragraphs of prose in a row...
MIN_BLOCK_SHARE = 0.15  # ...and at least this share of the text's words
MIN_LIST_LINES = 8      # or an inserted list: at least this many lines (of SHORT words or more) in a row...
MIN_LIST_SHARE = 0.1    # ...and at least this share of the text's words
MIN_HEAD_SHARE = 0.25   # an unshared lead of prose this share of the longer text: a passage
MIN_EDGE_LINES = 2      # a lead of one's own is paragraphs (a new headline is one line); for
                        # `diverged`, both texts run on with this many paragraphs of prose...
MIN_EDGE_SHARE = 0.1    # ...and this share of each text's words: they diverged
MIN_LENT_SHARE = 0.1    # lines lent by another stored article: this share of the new text's words
MIN_SAMPLED = 2         # a lender known by its sketch: at least this many of the lent lines' 5-grams in it

Marks = list[tuple[int, bool]]   # per line of a text: (its words, whether the other text shares it)


Lines = list[tuple[int, list[int]]]   # per line of a text: (its words, its 5-gram hashes)


def lines(text: str) -> Lines:
    """(words, 5-gram hashes) per line of at least SHORT words: worked out once per text, however
    many others it is marked against (tokenizing and hashing it is most of a comparison's cost)."""
    return [(len(words), gram_list(words)) for line in text.split("\n") if len(words := tokens(line)) >= SHORT]


def _as_lines(text: str | Lines) -> Lines:
    """A text's `lines`, or the lines given (worked out before, for several comparisons)."""
    return lines(text) if isinstance(text, str) else text


def _in(grams: list[int], other: frozenset[int]) -> bool:
    """Whether a line stands in the other text: half its 5-grams or more are there."""
    return 2 * sum(g in other for g in grams) >= len(grams)


def _marks(text_lines: Lines, other: frozenset[int]) -> Marks:
    """(words, shared) per line of at least SHORT words: shared when half its 5-grams are in `other`."""
    return [(n, _in(grams, other)) for n, grams in text_lines]


def _runs(marks: Marks):
    """(start, end) of each maximal run of unshared lines."""
    i = 0
    while i < len(marks):
        if marks[i][1]:
            i += 1
            continue
        j = i
        while j < len(marks) and not marks[j][1]:
            j += 1
        yield i, j
        i = j


def _prose(marks: Marks, start: int, end: int) -> tuple[int, int]:
    """(paragraphs of prose, their words) in marks[start:end]."""
    long = [n for n, _ in marks[start:end] if n >= PROSE]
    return len(long), sum(long)


def inserted(marks: Marks) -> bool:
    """Whether a text (its `_marks`) holds, between lines shared with the other text, a block of
    its own prose (MIN_BLOCK_LINES paragraphs or more, MIN_BLOCK_SHARE of its words or more) or a
    list of its own (MIN_LIST_LINES lines or more in a row, MIN_LIST_SHARE of its words or more)."""
    total = sum(n for n, _ in marks)
    for start, end in _runs(marks):
        if start == 0 or end == len(marks):
            continue
        lines, words = _prose(marks, start, end)
        if lines >= MIN_BLOCK_LINES and words >= MIN_BLOCK_SHARE * total:
            return True
        if end - start >= MIN_LIST_LINES and sum(n for n, _ in marks[start:end]) >= MIN_LIST_SHARE * total:
            return True
    return False


def headless(marks: Marks) -> bool:
    """Whether a text's lines shared with the other text start only after a lead of its own,
    MIN_HEAD_SHARE of its words or more: MIN_EDGE_LINES paragraphs of prose or more, or
    MIN_LIST_LINES lines or more (a list, or short sentences): more than a page's furniture."""
    total = sum(n for n, _ in marks)
    if not marks or marks[0][1]:
        return False
    end = next((i for i, (_, shared) in enumerate(marks) if shared), None)
    if end is None:
        return False
    lines, words = _prose(marks, 0, end)
    if end >= MIN_LIST_LINES and sum(n for n, _ in marks[:end]) >= MIN_HEAD_SHARE * total:
        return True
    return lines >= MIN_EDGE_LINES and words >= MIN_HEAD_SHARE * total


def _edges(marks: Marks) -> tuple[tuple[int, float], tuple[int, float]]:
    """(paragraphs of prose, share of the words) before the first and after the last shared line."""
    total = sum(n for n, _ in marks) or 1
    shared = [i for i, (_, s) in enumerate(marks) if s]
    if not shared:
        return (0, 0.0), (0, 0.0)
    (hl, hw), (tl, tw) = _prose(marks, 0, shared[0]), _prose(marks, shared[-1] + 1, len(marks))
    return (hl, hw / total), (tl, tw / total)


def diverged(a: Marks, b: Marks) -> bool:
    """Whether both texts run on with prose of their own before, or after, what they share
    (MIN_EDGE_LINES paragraphs, MIN_EDGE_SHARE of each one's words), or each has a paragraph of
    prose of its own both before and after it (MIN_EDGE_SHARE of each one's words in all): a copy
    and its original differ at an edge in one direction only (one stops, a truncation; one lost
    its lead; or one adds short furniture lines), two articles sharing a passage in both."""
    ea, eb = _edges(a), _edges(b)
    if (all(min(ea[k][0], eb[k][0]) >= 1 for k in (0, 1))
            and min(ea[0][1] + ea[1][1], eb[0][1] + eb[1][1]) >= MIN_EDGE_SHARE):
        return True   # each has prose of its own before and after: a passage two articles share
    return any(min(ea[k][0], eb[k][0]) >= MIN_EDGE_LINES and min(ea[k][1], eb[k][1]) >= MIN_EDGE_SHARE
               for k in (0, 1))


def lent(new: str | Lines, old: frozenset[int], lender: frozenset[int]) -> bool:
    """Whether the new text's lines that the stored one (`old`, its 5-grams) lacks are, for
    MIN_LENT_SHARE of its words or more, lines of another stored text (`lender`): counted inside
    the lines it shares with the stored one, and at its edges only when such lines of prose stand
    at both. A copy loses material at one edge (truncation at the tail, an extractor's cut at the
    head), so what a longer copy has beyond its stored copy at one edge may be the same story's
    text that another article borrowed; and furniture, which other pages of a site share, sits at
    the edges too. But a copy does not gain paragraphs of another article on both sides: a text
    with the stored one inside another article's prose is that article quoting it (a follow-up
    that recaps an earlier report between its lead and the rest of its story). `new`: its text,
    or its `lines`."""
    return Beyond(new, old).lent(lender)


def lent_sampled(new: str | Lines, old: frozenset[int], sketch: tuple[int, ...], size: int) -> bool:
    """`lent`, for a lender known only by its sketch (the bottom-k of its 5-gram hashes, by their
    top 32 bits: sketch.py). The sketch holds every hash of the lender up to its last value, so
    the new text's 5-grams whose hashes fall in that range are a uniform sample of them, judged
    exactly: a line is the lender's when half or more of its sampled 5-grams are in the sketch. A
    line with none sampled counts as not lent (no evidence either way), so the estimate errs
    towards a copy; and the lines judged lent must hold MIN_SAMPLED 5-grams of the sketch or more:
    one 5-gram in common is a phrase, not a passage."""
    return Beyond(new, old).lent_sampled(sketch, size)


class Beyond:
    """What a new text has beyond a stored one (`old`, its 5-grams), marked once and then asked
    of each possible lender (`lent`, `lent_sampled`): the lines it lacks inside those they share
    (SHORT words or more), and at each edge (PROSE words or more). The verdict asks it of every
    candidate that is not near, which would otherwise tokenize, hash and mark the whole new text
    again for each."""

    def __init__(self, new: str | Lines, old: frozenset[int]):
        text_lines = _as_lines(new)
        self.total = sum(n for n, _ in text_lines)
        shared = [_in(grams, old) for _, grams in text_lines]
        if True not in shared:
            self.inside = self.head = self.tail = []
            return
        first, last = shared.index(True), len(shared) - 1 - shared[::-1].index(True)
        marked = list(zip(text_lines, shared))

        def unshared(part, least: int) -> Lines:
            return [(n, grams) for (n, grams), s in part if not s and n >= least]

        self.inside = unshared(marked[first:last], SHORT)
        self.head, self.tail = unshared(marked[:first], PROSE), unshared(marked[last + 1:], PROSE)

    def lent(self, lender: frozenset[int]) -> bool:
        """`lent` of this text beyond `old`, from `lender`."""
        words, _ = self._lent(lambda grams: len(grams) if _in(grams, lender) else 0)
        return words >= MIN_LENT_SHARE * self.total

    def lent_sampled(self, sketch: tuple[int, ...], size: int) -> bool:
        """`lent_sampled` of this text beyond `old`, from the lender of this sketch."""
        if not (self.inside or self.head and self.tail):
            return False   # nothing it could have lent (no sketch value is looked at)
        values = frozenset(sketch)
        limit = float("inf") if size <= len(sketch) else sketch[-1]

        def hits(grams: list[int]) -> int:
            sampled = [g >> 32 for g in grams if g >> 32 <= limit]
            found = sum(v in values for v in sampled)
            return found if sampled and 2 * found >= len(sampled) else 0

        words, evidence = self._lent(hits)
        return evidence >= MIN_SAMPLED and words >= MIN_LENT_SHARE * self.total

    def _lent(self, judge) -> tuple[int, int]:
        """(words lent, evidence): the lines `judge` (a line's 5-grams -> its evidence of being
        the lender's, 0 when it is not) gives to the lender, inside the shared lines, and at the
        edges only when lent prose stands at both."""
        def part(found_in: Lines) -> tuple[int, int]:
            found = [(n, e) for n, grams in found_in if (e := judge(grams))]
            return sum(n for n, _ in found), sum(e for _, e in found)

        words, evidence = part(self.inside)
        if self.head and self.tail:
            (head, head_e), (tail, tail_e) = part(self.head), part(self.tail)
            if head and tail:
                words, evidence = words + head + tail, evidence + head_e + tail_e
        return words, evidence


def composite(new: str | Lines, old: str | Lines, new_grams: frozenset[int], old_grams: frozenset[int]) -> bool:
    """Whether two overlapping texts are different articles by their layout: either holds a
    block of its own prose inside the shared material, or the longer one's shared part starts
    after a long lead of its own (the shorter is a passage from its middle), or both go on
    with prose of their own at one edge. Each text is marked against the other once."""
    new_marks, old_marks = _marks(_as_lines(new), old_grams), _marks(_as_lines(old), new_grams)
    if inserted(new_marks) or inserted(old_marks):
        return True
    longer = new_marks if len(new_grams) >= len(old_grams) else old_marks
    return headless(longer) or diverged(new_marks, old_marks)
