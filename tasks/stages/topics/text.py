"""Tokens for the lexicon: lower-cased words, lightly stemmed so a plural meets its singular."""
from __future__ import annotations

import functools
import string

# Bytes that are part of a word (ASCII letters and digits) stay, every other byte becomes a space.
_SPACE_OUT = bytes(c if chr(c) in string.ascii_lowercase + string.digits else 32 for c in range(256))
_POSSESSIVE = ("'s ", "\u2019s ", "'s\n", "\u2019s\n", "'s,", "\u2019s,", "'s.", "\u2019s.")


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
    """The lower-cased words and numbers of `text`, in order, not stemmed; a possessive "'s"
    goes with its word ("minister's" -> minister), other apostrophes split ("don't" -> don, t)."""
    text = text.lower()
    if "s" in text and ("'" in text or "\u2019" in text):
        for mark in _POSSESSIVE:
            text = text.replace(mark, mark[2:])
    # as the regular expression [a-z0-9]+ would split it, twice as fast: every step runs at C
    # speed (other characters become "?" and then a space)
    return text.encode("ascii", "replace").translate(_SPACE_OUT).decode("ascii").split()


def tokenize(text: str) -> list[str]:
    """The stemmed words and numbers of `text`, in order ("Euro 2028" -> euro, 2028); no punctuation."""
    found = words(text + " ")
    stems = {w: stem(w) for w in set(found)}
    return [stems[w] for w in found]
