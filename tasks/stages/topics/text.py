"""Tokens for the lexicon: lower-cased words, lightly stemmed so a plural meets its singular."""
from __future__ import annotations

import functools
import re

_WORD = re.compile(r"[a-z][a-z0-9]*(?:['\u2019][a-z]+)?|[0-9][a-z0-9]*")


# Words whose final "s" is not a plural: stemming them would make a different word ("aids" -> "aid").
KEEP = frozenset({
    "aids", "news", "series", "species", "futures", "always", "perhaps", "whereas", "chaos", "lens",
    "diabetes", "herpes", "measles", "mumps", "rabies", "arms", "sales", "savings", "earnings",
    "rights", "goods", "arts", "olympics", "premises", "headquarters", "means", "odds", "thanks",
})


@functools.lru_cache(maxsize=1 << 16)   # a pure function's memo: news reuses its words
def stem(word: str) -> str:
    """Strip a possessive and a plural ending: "companies" -> "company", "Minister's" -> "minister"."""
    if word[-1] != "s":
        return word
    if word.endswith(("'s", "\u2019s")):
        word = word[:-2]
        if word[-1:] != "s":
            return word
    if len(word) <= 3 or word in KEEP or word.endswith("ics"):   # physics, politics, athletics
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is", "ous")):
        return word
    return word[:-1]


def words(text: str) -> list[str]:
    """The lower-cased words and numbers of `text`, in order, not stemmed."""
    return _WORD.findall(text.lower())


def tokenize(text: str) -> list[str]:
    """The stemmed words and numbers of `text`, in order ("Euro 2028" -> euro, 2028); no punctuation."""
    words = _WORD.findall(text.lower())
    stems = {w: stem(w) for w in set(words)}
    return [stems[w] for w in words]
