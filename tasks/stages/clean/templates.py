"""Learned templates (CCNet style): the line hashes a store counts per source.

The store may learn, per source, which lines recur in many articles (site furniture that
extraction let through) and pass their hashes back to `clean(template_lines=…)`; such lines
are then dropped before extraction.

* `line_hash(line) -> int`: a stable signed 64-bit hash (fits a BIGINT) of a line,
  normalized like CCNet (lower case, digits as 0, punctuation and spacing folded), so
  "© 2025 AFP" and "© 2024 AFP" share one hash;
* `template_candidates(ex) -> set[int]`: the hashes to count for an extracted article: its
  paragraphs' lines. Count them per `ex.source` from the FIRST-pass extraction (the clean
  without template_lines), over original (not duplicate) articles only: a republished wire
  story would otherwise teach its own text, and counting what the second pass kept would
  make a learned template lose its share, come back, and go again.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from tasks.stages.model import Extracted

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_DIGIT = re.compile(r"\d")
# The whole normal form of an ASCII line by one table: digits to 0, letters kept, anything else a space.
_ASCII_FOLD = str.maketrans({chr(i): "0" if chr(i).isdigit() else chr(i) if chr(i).isalnum() else " " for i in range(128)})


def normalize_line(line: str) -> str:
    """CCNet-style normal form: NFKC, lower case, digits as 0, punctuation and spaces folded.
    An ASCII line (most of them) skips NFKC, which leaves ASCII as it is, and is folded by one
    table: the same normal form for a fraction of the work."""
    if line.isascii():
        return " ".join(line.lower().translate(_ASCII_FOLD).split())
    line = _DIGIT.sub("0", unicodedata.normalize("NFKC", line).lower())
    return _NOT_WORD.sub(" ", line).strip()   # words, one space apart (strip: no word char is a space)


def line_hash(line: str) -> int:
    """A stable signed 64-bit hash of the line's normal form (same in every process)."""
    return _hash(normalize_line(line))


def _hash(normal: str) -> int:
    digest = hashlib.blake2b(normal.encode("utf8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def template_candidates(ex: Extracted) -> set[int]:
    """Hashes of the article's lines, to count per source (see the module docstring); each line
    is normalized once."""
    return {_hash(normal) for p in ex.paragraphs for line in p.split("\n") if (normal := normalize_line(line))}


def drop_templates(lines: list[str], template_lines: frozenset[int]) -> list[str]:
    """The lines whose hash is not a learned template."""
    if not template_lines:
        return lines
    return [line for line in lines if line_hash(line) not in template_lines]
