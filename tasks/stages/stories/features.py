"""What an article contributes to event matching: three weighted term vectors and a date.

Following Miranda et al. 2018 (multilingual streaming news clustering), an article is seen
through sub-vectors that are compared separately with a story's centroid:

- `body`: TF-IDF over the content words of title and text (title words counted twice);
- `title`: TF-IDF over the title's content words;
- `entities`: names and numbers. A name is a run of capitalised words (or an acronym) that is
  not a common word merely opening a sentence; each name counts as the whole phrase and as
  its words, so "Kim Jong Un" meets "Kim". Numbers with three or more digits, or with a unit
  or decimal point, are facts of the event (a death toll, a year, a price).

Vectors are sublinear (1 + log tf) times idf, L2-normalised, and cut to their heaviest terms,
so an article's summary is bounded whatever its length.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from operator import itemgetter, mul

from tasks.stages.stories.weights import COMMON_IDF, STOP_IDF, UNKNOWN_IDF, Idf

Vector = dict[str, float]

MAX_CHARS = 4000   # the lead of a long article carries its event; the rest is not read
BODY_TERMS = 120
TITLE_TERMS = 24
ENTITY_TERMS = 60

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_APOSTROPHE_S = re.compile(r"['’]s\b")
# "couldn't", "they're"; a match starts where its run of letters does (a later start would
# match only if that one did), so the look-behind spares the scan from every letter of a word
_CONTRACTED = re.compile(r"(?<![^\W\d_])[^\W\d_]+n['’]t\b|['’](?:re|ve|ll|d|m)\b")
_CONTRACTED_ENDING = re.compile(r"['’](?:re|ve|ll|d|m)\b")   # _CONTRACTED in a text without "n't"
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_CAP_RUN = re.compile(r"(?:[A-Z][\w’'\-.]*\w|[A-Z])(?:\s+(?:(?:of|de|al|bin|van|von|der|la|du)\s+)?"
                      r"(?:[A-Z][\w’'\-.]*\w|[A-Z]))*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“”«»()\n]\s*|\s[-–—]\s)$")


@dataclass(frozen=True)
class Features:
    body: Vector
    title: Vector
    entities: Vector
    day: int | None          # days since 1970-01-01 of the publication date, if known


def fold(text: str) -> str:
    return text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()   # ASCII: both are lower()


def words(text: str) -> list[str]:
    """Lower-cased words, possessive 's dropped ("Russia's" is "russia"), negated auxiliaries
    and contracted endings too ("couldn't" would leave "couldn", unknown, so weighed as a name)."""
    text = fold(text)
    if "'" in text or "’" in text:   # every pattern needs one
        text = _APOSTROPHE_S.sub("", text)
        negated = "n't" in text or "n’t" in text
        text = (_CONTRACTED if negated else _CONTRACTED_ENDING).sub(" ", text)
    return _WORD.findall(text)


def day_number(iso: str | None) -> int | None:
    if not iso:
        return None
    try:
        from datetime import date
        return (date.fromisoformat(iso[:10]) - date(1970, 1, 1)).days
    except ValueError:
        return None


def names(text: str, idf: Idf) -> list[str]:
    """Capitalised runs and acronyms, lower-cased; a lone common word opening a sentence is not one."""
    found = []
    weight = idf.known
    for m in _CAP_RUN.finditer(text):
        phrase = _drop_possessive(fold(m.group())).split()
        if (weight.get(phrase[0], UNKNOWN_IDF) <= COMMON_IDF
                and _SENTENCE_START.search(text[max(0, m.start() - 3):m.start()])):
            phrase = phrase[1:]
            if not phrase:
                continue
        content = [w for w in phrase if weight.get(w, UNKNOWN_IDF) >= STOP_IDF]
        if len(phrase) > 1:
            found.extend(content)
            found.append(" ".join(phrase))
        elif content:
            found.extend(content)
    return found


def _drop_possessive(text: str) -> str:
    return _APOSTROPHE_S.sub("", text) if "'" in text or "’" in text else text


def numbers(text: str) -> list[str]:
    out = []
    for n in _NUMBER.findall(text):
        digits = n.replace(",", "")
        if len(digits.replace(".", "")) >= 3 or "." in digits:
            out.append("#" + digits.rstrip("."))
    return out


def weigh(counts: Counter, idf_of, limit: int) -> Vector:
    vec = {}
    log = math.log
    for t, c in counts.items():
        w = idf_of(t)
        if w > 0:
            vec[t] = (1.0 + log(c)) * w if c > 1 else w
    if len(vec) > limit:   # heapq.nlargest's result (a stable sort, ties in the order met), sorted in C
        vec = dict(sorted(vec.items(), key=itemgetter(1), reverse=True)[:limit])
    return normalise(vec)


def normalise(vec: Vector) -> Vector:
    norm = math.sqrt(sum(map(mul, vec.values(), vec.values())))
    return {t: w / norm for t, w in vec.items()} if norm else {}


def features(title: str | None, text: str, published: str | None, idf: Idf) -> Features:
    title = title or ""
    text = text[:MAX_CHARS]
    title_counts = Counter(words(title))
    body_counts = Counter(words(text))
    body_counts.update({w: 2 * c for w, c in title_counts.items()})
    known = idf.known   # idf(w), without a call per word
    weight = {w: known.get(w, UNKNOWN_IDF) for w in body_counts}
    content = {w: v if v >= STOP_IDF else 0.0 for w, v in weight.items()}.__getitem__
    ents = Counter(names(title, idf) * 2 + names(text, idf) + numbers(title + "\n" + text))
    return Features(
        body=weigh(body_counts, content, BODY_TERMS),
        title=weigh(title_counts, content, TITLE_TERMS),
        entities=weigh(ents, lambda t: _entity_idf(t, idf), ENTITY_TERMS),
        day=day_number(published),
    )


def _entity_idf(term: str, idf: Idf) -> float:
    if term.startswith("#"):
        return 3.0
    return max(map(idf, term.split())) if " " in term else idf(term)
