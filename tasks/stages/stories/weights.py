"""Term weights for story matching: inverse document frequency from general English.

A word's weight is how rare it is in English at large, read from the frequency lists that the
`wordfreq` package ships (built from Wikipedia, subtitles, news, books and the web). Its
Zipf value z (log10 of the frequency per billion words, 0..8) gives idf = max(0, TOP - z):
"the" (z 7.7) weighs nothing, "missile" (z 4.1) about 4, a name the list does not know
(Lavrov, Duisburg) the most. No table is learned from the articles themselves, so the weights
are the same in every worker, from the first article on, and no dev set shaped them.
"""
from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

import msgpack

TOP = 7.0            # idf = TOP - zipf; the commonest words come out at or below 0
UNKNOWN_ZIPF = 1.0   # a word the list does not know is rare: idf TOP - 1
UNKNOWN_IDF = TOP - UNKNOWN_ZIPF
COMMON_IDF = TOP - 4.5   # Zipf 4.5 and above: "later", "officials", "police"
STOP_IDF = 1.0       # terms weighing less than this are stop words for matching


@dataclass(frozen=True)
class Idf:
    """Word -> idf. Build it once per process with `Idf.english()`; it never changes."""
    zipf: dict[str, float] = field(default_factory=dict)
    known: dict[str, float] = field(default_factory=dict, compare=False, repr=False)   # word -> idf

    def __post_init__(self):
        self.known.update((w, max(0.0, TOP - z)) for w, z in self.zipf.items())

    @classmethod
    def english(cls) -> "Idf":
        """The English list wordfreq ships (`small`: the words above 1 per million). Its file is
        read directly, in wordfreq's documented "cBpack" format (gzip of msgpack: a header,
        then lists of words, the i-th list for frequency 10^(-i/100)): importing the
        wordfreq module itself would pull in its tokenizers, a second of start-up (the file is
        found without importing it: `importlib.resources.files` would)."""
        with gzip.open(_wordfreq_data("small_en.msgpack.gz")) as raw:
            header, *buckets = msgpack.load(raw, raw=False)
        if not isinstance(header, dict) or header.get("format") != "cB" or header.get("version") != 1:
            raise ValueError(f"unexpected wordfreq data header {header!r}: pin a wordfreq 3.x release")
        return cls({w: 9.0 - i / 100 for i, bucket in enumerate(buckets) for w in bucket})

    def __call__(self, word: str) -> float:
        return self.known.get(word, UNKNOWN_IDF)

    def is_common(self, word: str) -> bool:
        """A word so frequent in English that, capitalised at a sentence start, it is no name."""
        return self(word) <= COMMON_IDF


def _wordfreq_data(name: str) -> Path:
    """A data file of the installed wordfreq package, found without importing the package."""
    spec = find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("wordfreq is not installed: pip install the project's dependencies")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / name
