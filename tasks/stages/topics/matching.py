"""Find the lexicon's terms in a text's words: words after light stemming, prefixes
("footbal*") and phrases, a phrase winning over the words in it.

Speed (a full-length article has ~600 words, ~260 distinct): occurrences are counted at C
speed, and the distinct words meet the lexicon's tables of spellings (every spelling that stems
to a one-word term, or to a phrase's first word) by set intersection, also at C speed. Only the
words left over whose first four letters open a prefix term are tried as prefixes (memoized:
a pure function of the word), and only the positions of words that open a phrase whose second
word the text also holds are looked at in place. The lexicon's derived tables are built once,
on first use (`Lexicon.word_surfaces` and the like).
"""
from __future__ import annotations

import functools
from collections import Counter
from itertools import compress
from operator import itemgetter
from typing import Callable, Mapping

from tasks.stages.topics.text import stem

MEMO_WORDS = 1 << 17     # distinct words remembered per lexicon (a few MB)
_FIRST_FOUR = itemgetter(slice(0, 4))


def surface_forms(token: str) -> set[str]:
    """The spellings that `stem` turns into `token` (as `words` hands them over: no "'s")."""
    candidates = {token, token + "s", token + "es"}
    if token.endswith("y"):
        candidates.add(token[:-1] + "ies")
    return {c for c in candidates if stem(c) == token}


def surface_table(tokens: Mapping[str, str]) -> Mapping[str, str]:
    """token -> value becomes spelling -> value, for every spelling of each token."""
    return {form: value for token, value in tokens.items() for form in surface_forms(token)}


def prefix_finder(lex) -> Callable[[str], str | None]:
    """A memoized word -> prefix term key (or None) for `lex`: the longest prefix term the
    stemmed word starts with."""
    by_head = lex.prefixes_by_head

    @functools.lru_cache(maxsize=MEMO_WORDS)
    def prefix_of(word: str) -> str | None:
        token = stem(word)
        for prefix, key in by_head.get(token[:4], ()):
            if token.startswith(prefix):
                return key
        return None

    return prefix_of


def find_terms(words: list[str], lex) -> Counter:
    """How often each lexicon term occurs in `words` (lower-cased, not yet stemmed); a phrase
    wins over the words in it ("price war" counts as the phrase, not as "war"), the longest
    phrase first, and phrases do not overlap."""
    counts = Counter(words)
    surface = lex.word_surfaces
    known = lex.word_forms.intersection(counts)            # iterates the text's words, at C speed
    found: Counter = Counter()
    for word in known:
        found[surface[word]] += counts[word]
    rest = list(counts.keys() - known)
    prefix_of = lex.prefix_of
    for word in compress(rest, map(lex.prefix_heads.__contains__, map(_FIRST_FOUR, rest))):
        key = prefix_of(word)
        if key is not None:
            found[key] += counts[word]
    distinct, followers = counts.keys(), lex.followers
    heads = [h for h in lex.head_forms.intersection(counts) if not distinct.isdisjoint(followers[h])]
    if heads:
        _count_phrases(words, frozenset(heads), lex, found)
        for key in [key for key, count in found.items() if count <= 0]:
            del found[key]                  # the words a phrase used up
    return found


def _key(word: str, lex) -> str | None:
    key = lex.word_surfaces.get(word)
    return key if key is not None else lex.prefix_of(word)


def _count_phrases(words: list[str], heads: frozenset[str], lex, found: Counter) -> None:
    """Count the phrases in `words`, the longest first, and take their words off `found`.

    `heads` are the text's words that can open a phrase whose second word the text also holds;
    only their positions are looked at, and only where the next word continues a phrase."""
    pairs, head_token, n = lex.phrase_pairs, lex.head_surfaces, len(words)
    starts = [(i, candidates) for i in compress(range(n - 1), map(heads.__contains__, words))
              if (candidates := pairs.get((head_token[words[i]], stem(words[i + 1]))))]
    free = 0                                # the first position no phrase has used yet
    for i, candidates in starts:
        if i < free:
            continue
        for rest, phrase in candidates:
            end = i + 1 + len(rest)
            if end <= len(words) and all(stem(w) == t for w, t in zip(words[i + 1:end], rest)):
                found[phrase] += 1
                for w in words[i:end]:
                    key = _key(w, lex)
                    if key is not None:
                        found[key] -= 1
                free = end
                break
