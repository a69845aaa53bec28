"""What a writer worked out of stored articles, kept for its later batches (tasks/store/writer.py):

- the 5-gram hashes of the texts it counted exactly, so that a stored article compared with
  drafts in many batches (a wire story copied again and again) has them worked out once, not
  once a batch; a draft's (sent by the process that prepared it, `pack`) serve when it is a
  stored candidate later. Keyed by article id, valid only for the text they were worked out
  from: an entry holds that text's length and hash (Python's, salted per process; the memo
  never leaves it), so a text changed since (a re-processed dump) is worked out again;
- the index's sketches it unpacked (tasks/store/index.py), by article seq, each with the
  stored bytes it was unpacked from (a re-indexed article's differ, and are unpacked again):
  a batch's lookup returns hundreds of candidates, mostly returned before.

An entry of a transaction rolled back is harmless for the same reasons. One instance per Store
(per process); bounded, least recently used out first: `size` texts' 5-grams, packed, 8 bytes
each (~3.5 KB for an article of 400), and twice as many sketches (~3 KB each).
"""
from __future__ import annotations

from array import array
from collections import OrderedDict

from tasks.stages.dedup import sketch as dedup_sketch

SIZE = 1024


def pack(grams: set[int] | frozenset[int]) -> bytes:
    """5-gram hashes as a draft carries them from the process that prepared it (same machine)."""
    return array("Q", grams).tobytes()


def unpack(blob: bytes) -> frozenset[int]:
    values = array("Q")
    values.frombytes(blob)
    return frozenset(values)


class Memo:
    def __init__(self, size: int = SIZE):
        self.size = size
        self._grams: OrderedDict[str, tuple[int, int, array]] = OrderedDict()
        self._sketches: OrderedDict[int, tuple[bytes, tuple[int, ...]]] = OrderedDict()

    def grams(self, aid: str, text: str) -> frozenset[int] | None:
        """The 5-grams counted for this article's text, if they are here."""
        entry = self._grams.get(aid)
        if entry is None or entry[0] != len(text) or entry[1] != hash(text):
            return None
        self._grams.move_to_end(aid)
        return frozenset(entry[2])

    def keep(self, aid: str, text: str, grams: frozenset[int] | bytes) -> None:
        """Keep the 5-grams of this article's text (a set, or `pack`ed)."""
        values = array("Q")
        if isinstance(grams, bytes):
            values.frombytes(grams)
        else:
            values.extend(grams)
        _put(self._grams, aid, (len(text), hash(text), values), self.size)

    def sketch(self, seq: int, blob: bytes) -> tuple[int, ...]:
        """The stored sketch `blob` of article `seq`, unpacked (dedup_sketch.unpack)."""
        entry = self._sketches.get(seq)
        if entry is not None and entry[0] == blob:
            self._sketches.move_to_end(seq)
            return entry[1]
        found = dedup_sketch.unpack(blob)
        _put(self._sketches, seq, (blob, found), 2 * self.size)
        return found


def _put(table: OrderedDict, key, value, size: int) -> None:
    if size <= 0:
        return
    table[key] = value
    table.move_to_end(key)
    while len(table) > size:
        table.popitem(last=False)
