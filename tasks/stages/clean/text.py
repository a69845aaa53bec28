"""Find the article in a plain-text dump: every visible line of a page, boilerplate included.

There is no DOM, so the dump is read as a sequence of segments (segments.py: lines
glued back into sentences, with their features and lexicon cues), then:

1. `score`: prose scores its length, furniture a penalty, a sentence without its full stop
   (a list item) nothing; prose the page repeats (teasers listed twice: at the top and in the
   footer) scores nothing either, unless nearly all its prose repeats (the article twice);
2. the article is the best-scoring contiguous run of segments (maximum subarray), cut at the
   first end marker (a donation appeal, a comment count, the copyright line) after its first
   prose segment, or at a link box ("Related articles", "Most read") after which less prose
   follows;
3. a lead cut off by a list: when the run starts after a list (MIN_LIST_LINES lines or more, none
   of them furniture by the lexicon, a byline or a date) that follows prose right under a
   headline, the run starts at that prose: an article may set a list (tour dates, a table's
   rows, product links) after its lead, and a list costs more than a one-paragraph lead earns;
   likewise a list that closes the article, up to the page's furniture or its end, is kept when
   its lines are built alike (each with a figure, or one separator), unlike a site's links;
4. a standfirst (summary paragraph) separated from the body by a byline block is skipped;
5. the title is the heading-like line just before the article (preferring one the page repeats).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from tasks.stages.clean.header import iso_date
from tasks.stages.clean.language import stop_words
from tasks.stages.clean.segments import Segment, features, segments

MAX_TITLE_WORDS = 30
TITLE_WINDOW = 25
LEAD_IN = 12
STANDFIRST_GAP = 15
MIN_LIST_LINES = 3   # a list inside an article: this many lines in a row
LIST_ALIKE = 0.8     # a list that closes an article: this share of its lines built alike
_PROSE_MARKS = frozenset(".,'’\"“”!?-")   # marks any line of words may hold: no pattern
REPEAT_CHARS = 40   # a repeated paragraph this long is a second copy of the page's text
MOSTLY_REPEATED = 0.8   # a page whose prose repeats this much renders its article twice
_BYLINE = re.compile(r"^(by|von|par|por|di|door|от|автор)\b|^(published|updated|posted)\b", re.I)


def score(seg: Segment) -> float:
    """Positive for prose (its length), negative for furniture and stray short lines."""
    if seg.end_marker:
        return -120.0
    if seg.boiler:
        return -40.0
    if seg.prose:
        return float(len(seg.text))
    if seg.words >= 8 and seg.stop_share >= 0.3 and _capitalized(seg.text) < 0.4:
        return 0.0   # a sentence without its full stop: a list item, a caption; neutral
    return -10.0 - 0.2 * len(seg.text)


def _capitalized(text: str) -> float:
    """Share of words that start with a capital (high in headlines and menus)."""
    words = text.split()
    return sum(1 for w in words if w[:1].isupper()) / len(words) if words else 0.0


def without_repeats(segs: list[Segment], scores: list[float]) -> list[float]:
    """Scores with prose the page repeats (a list of teasers rendered twice) made neutral, unless
    most of the page's prose repeats (a page that renders its whole article twice)."""
    seen = Counter(s.text for s in segs if s.prose)
    repeated = sum(len(t) * n for t, n in seen.items() if n > 1)
    if not repeated or repeated >= MOSTLY_REPEATED * sum(len(t) * n for t, n in seen.items()):
        return scores
    return [0.0 if s.prose and seen[s.text] > 1 else v for s, v in zip(segs, scores)]


def main_run(scores: list[float]) -> tuple[int, int]:
    """Indices [start, stop) of the best-scoring contiguous run (Kadane), or (0, 0) if none."""
    best, best_span = 0.0, (0, 0)
    total, start = 0.0, 0
    for i, value in enumerate(scores):
        if total <= 0:
            total, start = 0.0, i
        total += value
        if total > best:
            best, best_span = total, (start, i + 1)
    return best_span


def cut_at_end_marker(segs: list[Segment], start: int, stop: int, *, hard_ends: bool = True) -> int:
    """The run's new stop: the first end marker after its first prose segment, or the first
    link box ("Related articles") after which less prose follows than came before it.
    With hard_ends=False, end markers too only cut when less prose follows them."""
    prose_chars = [len(s.text) if s.prose else 0 for s in segs[start:stop]]
    total, before = sum(prose_chars), 0
    for i in range(start, stop):
        seg = segs[i]
        little_follows = total - before < before
        hard = hard_ends and not _in_button_row(segs, i)
        if before and ((seg.end_marker and (hard or little_follows)) or (seg.link_box and little_follows)):
            return i
        before += prose_chars[i - start]
    return stop


def _in_button_row(segs: list[Segment], i: int) -> bool:
    """True if segment i sits between two furniture lines (a share bar's 'Comments' button
    between 'Twitter' and 'Print'), not at the head of a section of its own."""
    return 0 < i < len(segs) - 1 and segs[i - 1].boiler and segs[i + 1].boiler and segs[i].words <= 3


def skip_standfirst(segs: list[Segment], start: int, stop: int) -> int:
    """The run's new start: past a lone summary paragraph (the standfirst) when a byline
    block ('By …', a date, 'Updated …') separates it from the body, as on most news pages."""
    if not segs[start].prose:
        return start
    body = next((i for i in range(start + 1, stop) if segs[i].prose), stop)
    if body == stop or body == start + 1 or body - start - 1 > STANDFIRST_GAP:
        return start
    if any(_BYLINE.match(s.text) or iso_date(s.text) for s in segs[start + 1:body]):
        return body
    return start


def take_lead(segs: list[Segment], start: int) -> int:
    """The run's new start: back at the article's lead when a list stands between it and the run.

    Before `start`, a list (MIN_LIST_LINES segments or more, none prose, none furniture by the
    lexicon, none a byline or a date) that follows one or more prose segments right under a
    heading-like line: those prose segments are the article's lead, the list its own (a list of
    dates, a table's rows, product links). Sidebars and teasers are told apart by what the list
    may not hold: a box heading ("Most read") or a button is lexicon furniture, and a teaser's
    summary is followed by the article's own byline or date."""
    i = start
    while i > 0 and _list_item(segs[i - 1]):
        i -= 1
    if start - i < MIN_LIST_LINES:
        return start
    lead = i
    while lead > 0 and segs[lead - 1].prose:
        lead -= 1
    return lead if lead < i and lead > 0 and title_like(segs[lead - 1]) else start


def take_list(segs: list[Segment], start: int, stop: int) -> int:
    """The run's new stop: past a list (MIN_LIST_LINES list items or more) that follows the
    article's last paragraph of prose and runs to the page's furniture (a lexicon cue) or its end:
    an article may close on a list (tour dates, results, a table), which costs more than nothing
    follows it earns."""
    if stop <= start or not segs[stop - 1].prose:
        return stop
    j = stop
    while j < len(segs) and _list_item(segs[j]):
        j += 1
    if j - stop < MIN_LIST_LINES or (j < len(segs) and segs[j].prose) or not built_alike(segs[stop:j]):
        return stop
    return j


def built_alike(items: list[Segment]) -> bool:
    """Whether lines are items built on one pattern, as a list or a table's rows are: nearly all
    (LIST_ALIKE) hold a figure (dates, scores, results), or one separator ("--", "@", ":", "(").
    Links to other pages (tags, headlines, a site's menu) are words alone, each line its own."""
    least = LIST_ALIKE * len(items)
    if sum(any(c.isdigit() for c in s.text) for s in items) >= least:
        return True
    marks = Counter(c for s in items for c in set(s.text) if not c.isalnum() and not c.isspace() and c not in _PROSE_MARKS)
    return bool(marks) and max(marks.values()) >= least


def _list_item(seg: Segment) -> bool:
    """A line that may be an item of a list inside an article: no prose, no lexicon cue, no byline or date."""
    return (not seg.prose and not seg.boiler and not seg.end_marker and not seg.link_box and not seg.thread_meta
            and not _BYLINE.match(seg.text) and iso_date(seg.text) is None)


def find_title(segs: list[Segment], start: int) -> str | None:
    """The heading-like segment nearest before the article, preferring one the page repeats."""
    window = segs[max(0, start - TITLE_WINDOW):start]
    seen = Counter(s.text for s in segs[:start])
    head = [s.text for s in segs[:3]]   # the page's <title> comes first in a dump of a page
    best, best_rank = None, 0.0
    for offset, seg in enumerate(window):
        if not title_like(seg):
            continue
        repeats = seen[seg.text] > 1 or (len(seg.text) > 15 and any(seg.text in t and seg.text != t for t in head))
        rank = 1 + offset / len(window) + (2 if repeats else 0) + (1 if seg.words >= 4 else 0)
        if rank >= best_rank:
            best, best_rank = seg.text, rank
    return best


def title_like(seg: Segment) -> bool:
    """Could be a headline: a few words, no sentence end, no cue, not a byline with a date."""
    return (2 <= seg.words <= MAX_TITLE_WORDS and not seg.boiler and not seg.end_marker
            and not seg.text.endswith((".", ",", ";")) and not seg.text.isdigit() and iso_date(seg.text) is None)


@dataclass
class TextArticle:
    title: str | None
    paragraphs: list[str]
    lead_in: list[str]   # the lines just before the article (byline, date), for metadata


def extract_lines(lines: list[str], language: str | None) -> TextArticle:
    """The article (title, paragraphs) in these non-empty, stripped lines."""
    segs = segments(lines, language)
    start, stop = main_run(without_repeats(segs, [score(s) for s in segs]))
    if stop <= start:
        return TextArticle(None, [], [])
    stop = take_list(segs, start, cut_at_end_marker(segs, start, stop))
    start = skip_standfirst(segs, take_lead(segs, start), stop)
    title = find_title(segs, start)
    paragraphs = _first_occurrences([s.text for s in segs[start:stop]
                                     if not s.boiler and not s.end_marker and s.text != title])
    return TextArticle(title, paragraphs, [s.text for s in segs[max(0, start - LEAD_IN):start]])


def _first_occurrences(paragraphs: list[str]) -> list[str]:
    """The paragraphs without repeats of a sentence-long one: a page that renders its article twice
    (a hidden copy, a print view, the text of its structured data) is one article."""
    seen: set[str] = set()
    out = []
    for p in paragraphs:
        if len(p) >= REPEAT_CHARS and p in seen:
            continue
        seen.add(p)
        out.append(p)
    return out


def trim_tail(paragraphs: list[str], language: str | None) -> list[str]:
    """Paragraphs up to the first end marker (or link box followed by less prose) after the first prose one.
    The paragraphs are not lexicon boilerplate (the HTML path dropped those): that cue is not computed again."""
    stops = stop_words(language)
    segs = [features(p, stops, boiler=False) for p in paragraphs]
    return paragraphs[:cut_at_end_marker(segs, 0, len(segs), hard_ends=False)]
