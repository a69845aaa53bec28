"""Tokens for the lexicon: lower-cased words, lightly stemmed so a plural meets its singular."""
from __future__ import annotations

import re

_WORD = re.compile(r"[a-z][a-z0-9]*(?:['\u2019][a-z]+)?|[0-9][a-z0-9]*")
# HTML entities that scrapers leave behind as text ("Haiti #39;s", "AT&amp;T", "&lt;b&gt;").
_POSSESSIVE = re.compile(r"\s*&?#39;s\b")
_ENTITY = re.compile(r"&?#?(?:[0-9]+|quot|amp|lt|gt|nbsp);")


# Words whose final "s" is not a plural: stemming them would make a different word ("aids" -> "aid").
KEEP = frozenset({
    "aids", "news", "series", "species", "politics", "physics", "economics", "athletics", "olympics",
    "futures", "texas", "always", "perhaps", "whereas", "chaos", "lens", "diabetes", "herpes", "measles",
    "mumps", "rabies", "ashes", "arms", "mets", "woods", "jones", "james", "wales", "paris", "athens",
    "brussels", "los", "angeles", "bonds", "gates", "sales", "sachs", "graves", "savings", "earnings",
    "rights", "goods", "arts",
})


def stem(word: str) -> str:
    """Strip a possessive and a plural ending: "companies" -> "company", "Bush's" -> "bush"."""
    if word[-1] != "s":
        return word
    if word.endswith(("'s", "\u2019s")):
        word = word[:-2]
        if word[-1:] != "s":
            return word
    if len(word) <= 3 or word in KEEP:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is", "ous")):
        return word
    return word[:-1]


def tokenize(text: str) -> list[str]:
    """The stemmed words and numbers of `text`, in order ("Euro 2004" -> euro, 2004); no punctuation."""
    text = text.lower()
    if "#" in text or ";" in text:
        text = _ENTITY.sub(" ", _POSSESSIVE.sub("'s", text))
    return [stem(w) for w in _WORD.findall(text)]
