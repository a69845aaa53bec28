"""Tokens for the lexicon: lower-cased words, lightly stemmed so a plural meets its singular."""
from __future__ import annotations

import re

_WORD = re.compile(r"[a-z][a-z0-9]*(?:['\u2019][a-z]+)?|[0-9]+[a-z][a-z0-9]*")
# HTML entities that scrapers leave behind as text ("Haiti #39;s", "AT&amp;T").
_ENTITY = re.compile(r"&?#?(?:39|quot|amp|lt|gt|nbsp);")


def stem(word: str) -> str:
    """Strip a possessive and a plural ending: "companies" -> "company", "Bush's" -> "bush"."""
    if word.endswith(("'s", "\u2019s")):
        word = word[:-2]
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is", "ous")):
        return word
    if word.endswith("s"):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """The stemmed words of `text`, in order; numbers alone and punctuation are dropped."""
    text = _ENTITY.sub("'", text.lower())
    return [stem(w) for w in _WORD.findall(text)]
