"""Tokens for the lexicon: lower-cased words, lightly stemmed so a plural meets its singular."""
from __future__ import annotations

import functools
import re
import string

# Bytes of a word (ASCII letters and digits) stay, capitals in lower case; every other byte becomes a space.
_LOWER_OUT = bytes(c + 32 if chr(c) in string.ascii_uppercase else c if chr(c) in string.ascii_lowercase + string.digits
                   else 32 for c in range(256))
_POSSESSIVE = re.compile(rb"'[sS](?=[ \n,.])")   # "'s" that ends a word: dropped (one regex: 8x faster than replaces)


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
    if "\u2019" in text:
        text = text.replace("\u2019", "'")
    # as the regular expression [a-z0-9]+ would split the lower-cased text, but faster: every
    # step runs at C speed on bytes (any other character becomes "?", then a space); a capital
    # outside ASCII has no ASCII letter in lower case either (two rare ones aside: K and İ)
    data = text.encode("ascii", "replace")
    if b"'" in data:
        data = _POSSESSIVE.sub(b"", data)
    return data.translate(_LOWER_OUT).decode("ascii").split()


def text_words(text: str) -> list[str]:
    """`words` of a whole text, as `tokenize` reads it: with a space after it, so that a
    possessive ending the text goes with its word too."""
    return words(text + " ")


def tokenize(text: str) -> list[str]:
    """The stemmed words and numbers of `text`, in order ("Euro 2028" -> euro, 2028); no punctuation."""
    return list(map(stem, text_words(text)))        # stem's memo is C code: no Python per word
