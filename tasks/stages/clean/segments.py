"""Segments of a text dump: its lines glued back into units, with the features the scorer reads.

* `segments(lines, language)`: a line that does not end a sentence, followed by one that goes on
  in lower case, is one sentence a scraper broke at an inline tag ("… said the minister, who"
  / "arrived on Friday."): the two are glued into one segment; so is a short capitalized line
  between an open sentence and its lower-case rest (a name set in a link or in italics);
* each segment gets its word count, share of stop words (the main sign of prose, per
  language), whether it ends a sentence, and its lexicon cues (boilerplate.py);
* a page may mix languages (a passage quoted in another, a bilingual page): a segment of
  MIN_OWN_LANGUAGE_WORDS or more that reads as no prose by the page language's stop words is
  judged by its own language's (one language ID for such a segment, ~0.4 per dump on dedup-dev),
  so a quoted passage is not taken for a block of furniture that the article's run starts after;
* `thread_start`: a comment thread after the article ("says:", "2 days ago" …), or a stream
  of teasers each with its date, is cut off whole.

The Segment of a short line is cached (it is an immutable NamedTuple, so the cache hands out
the same object): menus and footers repeat across the dumps of a site.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from tasks.stages.clean.boilerplate import cues_of, is_comment_meta
from tasks.stages.clean.header import iso_date
from tasks.stages.clean.language import detect_language, stop_words

_WORD = re.compile(r"\w+", re.UNICODE)
_ASCII_WORD = re.compile(r"[a-z0-9_]+")   # \w+ of lower-cased ASCII text, by a cheaper class
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_CLOSERS = "\"'”’»)]"
_STOPS = frozenset(".!?…。！？")
_CONTINUES = re.compile(r"""^[a-zà-ÿ,.;:)\]»”’%-]""")

MIN_PROSE_WORDS = 7
MAX_NAME_WORDS = 5    # a linked or italic name inside a sentence
MIN_OPEN_CHARS = 12   # the open sentence before it
MIN_STOP_SHARE = 0.18
MIN_OWN_LANGUAGE_WORDS = 15   # a segment this long is judged in its own language when it reads as no prose
THREAD_META = 2
THREAD_WINDOW = 12
THREAD_PROSE = 300
CACHED_CHARS = 200   # longer texts are prose, seen once: not worth a cache slot


class Segment(NamedTuple):
    """A run of lines read as one unit, with the features the scorer needs (see `features`).
    Immutable, so one Segment of a repeated line can be shared from the cache."""
    text: str
    words: int
    stop_share: float
    ends_sentence: bool
    boiler: bool
    end_marker: bool
    link_box: bool = False
    prose: bool = False         # a sentence of prose: enough words, stop words, a sentence end
    thread_meta: bool = False   # a comment-meta line or a bare date: what a thread is made of


def segments(lines: list[str], language: str | None) -> list[Segment]:
    """Glue broken lines back together and compute each segment's features."""
    glued: list[str] = []
    for i, line in enumerate(lines):
        if glued and (_continues(glued[-1], line) or _inline_name(glued[-1], line, lines[i + 1:i + 2])):
            glued[-1] = f"{glued[-1]} {line}"
        else:
            glued.append(line)
    stops = stop_words(language)
    cached = _line_features   # features(), inlined: a page has hundreds of segments
    segs = [cached(text, stops) if len(text) <= CACHED_CHARS else _compute_features(text, stops) for text in glued]
    segs = [_in_own_language(s, stops) if s.words >= MIN_OWN_LANGUAGE_WORDS and not s.prose and not s.boiler
            and s.stop_share < MIN_STOP_SHARE else s for s in segs]
    return segs[:thread_start(segs)]


def _in_own_language(seg: Segment, stops: frozenset[str]) -> Segment:
    """A long segment that reads as no prose by the page language's stop words, judged by its own
    language's instead: a page may mix languages (a quoted passage, a bilingual page)."""
    own = stop_words(detect_language(seg.text))
    return seg if own == stops else _compute_features(seg.text, own)


def thread_start(segs: list[Segment]) -> int:
    """Where a comment thread (or a stream of dated teasers) begins after the article, or len(segs).

    A thread starts at a comment-meta line ('says:', '2 days ago', '… at 6:34 am') or a
    line that is just a date, with at least THREAD_META more within the next THREAD_WINDOW
    segments; it only counts after THREAD_PROSE characters of prose, so a sidebar of
    timestamped headlines above the article does not swallow it.
    """
    meta = [i for i, s in enumerate(segs) if s.thread_meta]
    prose_before, last = 0, 0
    for k, i in enumerate(meta):
        prose_before += sum(len(s.text) for s in segs[last:i] if s.prose)
        last = i
        if prose_before >= THREAD_PROSE and k + THREAD_META < len(meta) and meta[k + THREAD_META] - i <= THREAD_WINDOW:
            return i
    return len(segs)


def _is_thread_meta(text: str, words: int) -> bool:
    """A small line around each comment ('says:', '2 days ago') or a line that is just a date
    (one per item in a stream of teasers or comments)."""
    return words <= 10 and (is_comment_meta(text) or (words <= 6 and iso_date(text) is not None))


def _continues(prev: str, line: str) -> bool:
    """True if `line` carries on the sentence `prev` left open (a scraper broke it at a tag).

    The line goes on in lower case or with punctuation after a long enough `prev` that does
    not end a sentence ("… said the minister, who" / "arrived on Friday.").
    """
    return len(prev) > 30 and _CONTINUES.match(line) is not None and not _ends_sentence(prev)


def _inline_name(prev: str, line: str, following: list[str]) -> bool:
    """True if `line` is a short capitalized fragment inside an open sentence: a name the page
    set in a link or in italics ("… news on the fourth film in" / "Star Trek" / "film series:
    …"), i.e. `prev` is left open (three words or more, ending in a lower-case word or a comma)
    and the line after goes on in lower case."""
    return (len(prev) >= MIN_OPEN_CHARS and (prev[-1].islower() or prev[-1] == ",") and prev.count(" ") >= 2
            and len(line.split()) <= MAX_NAME_WORDS and not _ends_sentence(line)
            and bool(following) and _CONTINUES.match(following[0]) is not None)


def _ends_sentence(text: str) -> bool:
    """True if the text ends like a sentence: . ! ? … (maybe inside quotes or brackets), or : ;"""
    if text[-1:] in (":", ";"):
        return True
    return text.rstrip(_CLOSERS)[-1:] in _STOPS


def features(text: str, stops: frozenset[str], *, boiler: bool | None = None) -> Segment:
    """The Segment of one text (short texts through a cache: menus and footers repeat across a site's
    dumps). `boiler`: whether the text is lexicon boilerplate (is_boilerplate), if the caller knows."""
    if len(text) <= CACHED_CHARS:
        return _line_features(text, stops)
    return _compute_features(text, stops, boiler)


@lru_cache(maxsize=65536)
def _line_features(text: str, stops: frozenset[str]) -> Segment:
    return _compute_features(text, stops)


def _compute_features(text: str, stops: frozenset[str], boiler: bool | None = None) -> Segment:
    """The Segment of a text: its words, stop-word share, sentence end, lexicon cues."""
    lower = text.lower()
    ascii_ = text.isascii()
    tokens = (_ASCII_WORD if ascii_ else _WORD).findall(lower)
    cjk = 0 if ascii_ else len(_CJK.findall(text))
    if cjk > len(text) / 3:   # Chinese, Japanese, Korean: no spaces, count characters
        words, share = cjk // 2, 0.3
    else:
        words = len(tokens)
        share = sum(map(stops.__contains__, tokens)) / words if words else 0.0
    boiler, end, box = cues_of(text, lower, tokens, boiler=boiler)
    boiler, ends = boiler or box, _ends_sentence(text)
    prose = words >= MIN_PROSE_WORDS and share >= MIN_STOP_SHARE and not boiler and (ends or words >= 25)
    return Segment(text, words, share, ends, boiler, end, box, prose, _is_thread_meta(text, words))
