"""Dedup stage: fingerprints of a text, and how much two texts overlap, from their sketches.

Exact duplicates share the hash of their normalized text (case, punctuation and white space
folded). Near duplicates (the same wire story trimmed or edited) share many word 5-grams.
Each 5-gram is hashed to 64 bits; a text's fingerprint keeps, of all its distinct 5-gram
hashes, only a bounded part, whatever the text's length:

- `sketch`: the SKETCH smallest hashes (a bottom-k sketch, Broder 1997; Cohen & Kaplan 2007),
  stored by their top 32 bits, and `size`, the number of distinct 5-grams. Below the larger of
  two sketches' thresholds both are *complete* (every hash of the text under it is kept), so
  the hashes under the common threshold are a consistent sample of both texts. From it come
  both containments and the Jaccard (`overlap`), not Jaccard alone as with MinHash: a short
  text wholly inside a long one is recognised as contained whatever the length ratio.
- `keys`: the low 32 bits of the QUERY smallest hashes, in order. The store indexes the first
  few of them (tasks/store/index.py) and looks candidates up by all of them. A stored text's
  k smallest hashes that lie in the new text are among the new text's smallest too, so a near
  duplicate or a text contained in the stored one shares keys with it; a short stored text
  inside a long new one is found because the query reaches further than what is stored.

The sketch's estimate is good to a few hundredths; near a verdict's threshold that is too
coarse, so the store re-reads its closest candidates' text and `overlap` counts the shared
5-grams exactly (`grams`). The index stays small and the verdict exact.

Why containment: 001 is 000's wire story with paragraphs added and trimmed; their 5-gram
Jaccard is only ~0.4, but ~0.6 of 000 stands in 001. The verdict (verdict.py) weighs both.
"""
from __future__ import annotations

import hashlib
from bisect import bisect_right
import re
import struct
import sys
import unicodedata
from array import array

from tasks.stages.model import Fingerprint, Match, Overlap

SHINGLE = 5
SKETCH = 64     # hashes kept per text to estimate overlap (256 bytes)
QUERY = 48      # lookup keys a new text is looked up by (the store indexes the first few)

_WORD = re.compile(r"\w+", re.UNICODE)
_ASCII_WORD = re.compile(r"[a-z0-9_]+")   # \w+ of lower-cased ASCII text, by a cheaper class (~40% less)
_LOW = 0xFFFFFFFF


def tokens(text: str) -> list[str]:
    """Lower-cased words, with compatibility forms and accents' encodings folded (NFKC)."""
    if text.isascii():   # NFKC and casefold leave ASCII as lower() does
        return _ASCII_WORD.findall(text.lower())
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _hashes(values) -> list[int]:
    """A stable unsigned 64-bit hash of each value (UTF-8 bytes), in order (Python's hash() is
    salted): blake2b's 8-byte digests, joined and read as big-endian integers in one call."""
    blake2b = hashlib.blake2b
    digests = b"".join([blake2b(v, digest_size=8).digest() for v in values])
    return list(struct.unpack(f">{len(digests) // 8}Q", digests))


def _signed32(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value


def _gram_bytes(joined: bytes):
    """The UTF-8 of each 5-gram of a text's words, " "-joined, in order, repeats kept, from the
    words joined by " " and encoded once (a word holds no space): no slice, join and encode per
    gram."""
    w = joined.split(b" ")
    return map(b" ".join, zip(w, w[1:], w[2:], w[3:], w[4:]))


def _grams(words: list[str]) -> set[int]:
    """The distinct 5-gram hashes of `words` (one gram of them all when there are fewer than 5)."""
    joined = " ".join(words).encode("utf8")
    return set(_hashes(set(_gram_bytes(joined)) if len(words) >= SHINGLE else (joined,)))


def gram_list(words: list[str]) -> list[int]:
    """The hashes of the 5-grams of `words`, in order, repeats kept (layout.py counts them per line)."""
    return _hashes(_gram_bytes(" ".join(words).encode("utf8"))) if len(words) >= SHINGLE else []


def fingerprint(text: str) -> Fingerprint:
    """The exact hash, the bottom-k sketch, the size and the lookup keys of a text."""
    return fingerprinted(text)[0]


def fingerprinted(text: str) -> tuple[Fingerprint, set[int]]:
    """`fingerprint`, and the distinct 5-gram hashes it was made from (those `grams` gives)."""
    words = tokens(text)
    exact = hashlib.blake2b(" ".join(words).encode("utf8"), digest_size=16).hexdigest()
    hashes = _grams(words) if words else set()
    return sketched(hashes, exact), hashes


def sketched(hashes: set[int] | frozenset[int], exact: str = "") -> Fingerprint:
    """The fingerprint of a text whose 5-gram hashes (`grams`) are known, with this exact hash."""
    if not hashes:
        return Fingerprint(exact=exact)
    smallest = sorted(hashes)[:max(SKETCH, QUERY)]   # a C sort of ~400 ints beats heapq.nsmallest
    sketch = tuple(sorted({h >> 32 for h in smallest[:SKETCH]}))
    keys = tuple(_signed32(h & _LOW) for h in smallest[:QUERY])
    return Fingerprint(exact=exact, sketch=sketch, size=len(hashes), keys=keys)


def pack(sketch: tuple[int, ...]) -> bytes:
    """A sketch as stored: its 32-bit values, little-endian (4 bytes each)."""
    values = array("I", sketch)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tobytes()


def unpack(blob: bytes) -> tuple[int, ...]:
    """A stored sketch's values (`pack`), read in one call (the store reads hundreds a batch)."""
    return struct.unpack(f"<{len(blob) // 4}I", blob)


def grams(text: str) -> frozenset[int]:
    """All the 5-gram hashes of a text: what `overlap` counts exactly when both sides have them."""
    words = tokens(text)
    return frozenset(_grams(words)) if words else frozenset()


def overlap(fp: Fingerprint, match: Match) -> Overlap:
    """Both containments, Jaccard and the shared 5-grams of a new text and a stored candidate:
    counted when both carry all their 5-grams (`grams`, as the store gives its closest
    candidates), else estimated from their sketches under the common threshold (see the
    module docstring)."""
    if fp.grams is not None and match.grams is not None:
        return _counted(fp.grams, match.grams)
    a, b, size_a, size_b = fp.sketch, match.sketch, fp.size, match.size
    if not a or not b or not size_a or not size_b:
        return Overlap(0.0, 0.0, 0.0, 0.0)
    limit = min(_limit(a, size_a), _limit(b, size_b))
    n_a, n_b = bisect_right(a, limit), bisect_right(b, limit)   # sketches are sorted, their values distinct
    common = len(set(a[:n_a]).intersection(b[:n_b]))
    if not common:
        return Overlap(0.0, 0.0, 0.0, 0.0)
    # each side's share under the threshold scales to its whole; pooled, the two agree
    shared = min(common * (size_a + size_b) / (n_a + n_b), size_a, size_b)
    return Overlap(shared / size_a, shared / size_b, common / (n_a + n_b - common), shared)


def _limit(sketch: tuple[int, ...], size: int) -> float:
    """Up to where a sketch holds every hash of its text: all of it when the text is small."""
    return float("inf") if size <= len(sketch) else sketch[-1]


def _counted(a: frozenset[int], b: frozenset[int]) -> Overlap:
    shared = len(a & b)
    if not shared:
        return Overlap(0.0, 0.0, 0.0, 0.0)
    return Overlap(shared / len(a), shared / len(b), shared / (len(a) + len(b) - shared), float(shared))
