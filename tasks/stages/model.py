"""Small dataclasses passed between the stages."""
from __future__ import annotations

from dataclasses import dataclass

TOPIC_LABELS: tuple[str, ...] = (
    "arts-culture-entertainment", "conflict-war-peace", "crime-law-justice",
    "disaster-accident-emergency", "economy-business-finance", "education",
    "environment", "health", "human-interest", "labour", "lifestyle-leisure",
    "politics", "religion", "science-technology", "society", "sport", "weather",
)


@dataclass(frozen=True)
class Extracted:
    """One article as the clean stage found it in a dump."""
    title: str | None
    paragraphs: tuple[str, ...]
    published: str | None = None   # ISO date, YYYY-MM-DD
    source: str | None = None      # site or publication name
    language: str | None = None    # ISO 639-1 code
    url: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Topic:
    label: str
    score: float   # in [0, 1]


@dataclass(frozen=True)
class Fingerprint:
    """What dedup needs of a text (tasks/stages/dedup/sketch.py): its exact hash, a bottom-k
    sketch of its 5-gram hashes, its number of distinct 5-grams, and its lookup keys."""
    exact: str
    sketch: tuple[int, ...] = ()
    size: int = 0
    keys: tuple[int, ...] = ()
    grams: frozenset[int] | None = None   # all its 5-gram hashes: set by the store to count exactly
    text: str | None = None               # its text, set with `grams`: where the two differ (layout)


@dataclass(frozen=True)
class Match:
    """A stored article that shares lookup keys with the new one: its sketch and size."""
    article_id: str
    sketch: tuple[int, ...]
    size: int   # the stored article's distinct 5-grams
    grams: frozenset[int] | None = None   # all its 5-gram hashes, when the store re-read its text
    text: str | None = None               # its text, set with `grams`
    lenders: tuple[frozenset[int], ...] = ()  # the 5-grams of other stored articles sharing a
                                              # passage with it, set with `grams` (dedup rule 6)


@dataclass(frozen=True)
class Overlap:
    """How much two texts share, estimated from their fingerprints (tasks/stages/dedup/sketch.py)."""
    new_in_old: float    # share of the new text's 5-grams found in the stored one
    old_in_new: float    # share of the stored text's 5-grams found in the new one
    jaccard: float
    shared: float = 0.0  # estimated 5-grams in common

    @property
    def containment(self) -> float:
        """The share of the shorter text found in the longer one."""
        return max(self.new_in_old, self.old_in_new)


@dataclass(frozen=True)
class Verdict:
    duplicate_of: str | None
    kind: str            # "original", "exact" or "near"
    containment: float = 0.0
    jaccard: float = 0.0

    @property
    def status(self) -> str:
        return "original" if self.duplicate_of is None else "duplicate"
