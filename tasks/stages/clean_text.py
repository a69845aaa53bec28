"""Find the article in a plain-text dump: every visible line of a page, boilerplate included.

There is no DOM, so the dump is read as a sequence of lines:

1. `segments`: lines are glued back into segments where a scraper broke a sentence at an
   inline tag (a line that does not end a sentence, followed by one that goes on in lower case);
2. `Segment` features: words, share of stop words, sentence end, lexicon cues (boilerplate.py);
3. `score`: prose scores its length, furniture a penalty;
4. the article is the best-scoring contiguous run of segments (maximum subarray), cut at the
   first end marker (a donation appeal, "Related articles") after its first prose segment;
5. the title is the heading-like line just before that run (preferring one the page repeats).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.stages.boilerplate import is_boilerplate, is_end_marker
from tasks.stages.clean_language import stop_words

_WORD = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_SENTENCE_END = re.compile(r"""[.!?…。！？]["'”’»)\]]*$|[:;]$""")
_CONTINUES = re.compile(r"""^[a-zà-ÿ,.;:)\]»”’%-]""")

MIN_PROSE_WORDS = 7
MIN_STOP_SHARE = 0.18
MAX_TITLE_WORDS = 30
TITLE_WINDOW = 25


@dataclass
class Segment:
    """A run of lines read as one unit, with the features the scorer needs."""
    text: str
    words: int
    stop_share: float
    ends_sentence: bool
    boiler: bool
    end_marker: bool

    @property
    def prose(self) -> bool:
        return (self.words >= MIN_PROSE_WORDS and self.stop_share >= MIN_STOP_SHARE
                and not self.boiler and (self.ends_sentence or self.words >= 25))


def segments(lines: list[str], language: str | None) -> list[Segment]:
    """Glue broken lines back together and compute each segment's features."""
    glued: list[str] = []
    for line in lines:
        if glued and _continues(glued[-1], line):
            glued[-1] = f"{glued[-1]} {line}"
        else:
            glued.append(line)
    stops = stop_words(language)
    return [_features(text, stops) for text in glued]


def _continues(prev: str, line: str) -> bool:
    """True if `line` carries on the sentence `prev` left open (a scraper broke it at a tag)."""
    return not _SENTENCE_END.search(prev) and len(prev) > 30 and _CONTINUES.match(line) is not None


def _features(text: str, stops: frozenset[str]) -> Segment:
    tokens = _WORD.findall(text.lower())
    cjk = len(_CJK.findall(text))
    if cjk > len(text) / 3:
        words, share = cjk // 2, 0.3
    else:
        words = len(tokens)
        share = sum(t in stops for t in tokens) / words if words else 0.0
    return Segment(text, words, share, bool(_SENTENCE_END.search(text)),
                   is_boilerplate(text), is_end_marker(text))


def score(seg: Segment) -> float:
    """Positive for prose (its length), negative for furniture and stray short lines."""
    if seg.end_marker:
        return -120.0
    if seg.boiler:
        return -40.0
    if seg.prose:
        return float(len(seg.text))
    return -10.0 - 0.2 * len(seg.text)


def main_run(segs: list[Segment]) -> tuple[int, int]:
    """Indices [start, stop) of the best-scoring contiguous run (Kadane), or (0, 0) if none."""
    best, best_span = 0.0, (0, 0)
    total, start = 0.0, 0
    for i, seg in enumerate(segs):
        if total <= 0:
            total, start = 0.0, i
        total += score(seg)
        if total > best:
            best, best_span = total, (start, i + 1)
    return best_span


def cut_at_end_marker(segs: list[Segment], start: int, stop: int) -> int:
    """The run's new stop: the first end marker after its first prose segment."""
    seen_prose = False
    for i in range(start, stop):
        if segs[i].prose:
            seen_prose = True
        elif seen_prose and segs[i].end_marker:
            return i
    return stop


def find_title(segs: list[Segment], start: int) -> str | None:
    """The heading-like segment nearest before the article, preferring one the page repeats."""
    window = segs[max(0, start - TITLE_WINDOW):start]
    texts = [s.text for s in segs[:start]]
    best, best_rank = None, 0.0
    for offset, seg in enumerate(window):
        if not _title_like(seg):
            continue
        repeats = sum(seg.text == t or (len(seg.text) > 15 and seg.text in t) for t in texts) - 1
        rank = 1 + offset / len(window) + (2 if repeats else 0) + (1 if seg.words >= 4 else 0)
        if rank >= best_rank:
            best, best_rank = seg.text, rank
    return best


def _title_like(seg: Segment) -> bool:
    return (2 <= seg.words <= MAX_TITLE_WORDS and not seg.boiler and not seg.end_marker
            and not seg.text.endswith((".", ",", ";")) and not seg.text.isdigit())


def extract_lines(lines: list[str], language: str | None) -> tuple[str | None, list[str]]:
    """(title, paragraphs) of the article in these non-empty, stripped lines."""
    segs = segments(lines, language)
    start, stop = main_run(segs)
    if stop <= start:
        return None, []
    stop = cut_at_end_marker(segs, start, stop)
    title = find_title(segs, start)
    paragraphs = [s.text for s in segs[start:stop] if not s.boiler and not s.end_marker and s.text != title]
    return title, paragraphs
