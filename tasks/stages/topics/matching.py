"""Find the lexicon's terms in a text's words: words after light stemming, prefixes
("footbal*") and phrases, a phrase winning over the words in it.

Speed (a full-length article has ~600 words, ~260 distinct): each word's term (its one-word
term, else its prefix term, else None) is a pure function of the word, remembered per lexicon
(`Lexicon.word_keys`, at most MEMO_WORDS words), so a text's words are mapped to their terms and
counted at C speed; only words never met before are looked up in Python. Phrases: only the
positions of words that open a phrase whose second word the text also holds are looked at in
place. The lexicon's derived tables are built once, on first use (`Lexicon.word_surfaces` and
the like).
"""
from __future__ import annotations

from collections import Counter
from itertools import compress
from typing import Mapping

from tasks.stages.topics.text import stem

MEMO_WORDS = 1 << 16     # distinct words whose term is remembered per lexicon (a few MB)


def surface_forms(token: str) -> set[str]:
    """The spellings that `stem` turns into `token` (as `words` hands them over: no "'s")."""
    candidates = {token, token + "s", token + "es"}
    if token.endswith("y"):
        candidates.add(token[:-1] + "ies")
    return {c for c in candidates if stem(c) == token}


def surface_table(tokens: Mapping[str, str]) -> Mapping[str, str]:
    """token -> value becomes spelling -> value, for every spelling of each token."""
    return {form: value for token, value in tokens.items() for form in surface_forms(token)}


def term_key(word: str, lex) -> str | None:
    """The term key a word of a text counts for: its one-word term ("companies" -> "company"),
    else the longest prefix term its stem starts with ("footballing" -> "footbal*"), else None."""
    key = lex.word_surfaces.get(word)
    if key is not None or word[:4] not in lex.prefix_heads:
        return key
    token = stem(word)
    for prefix, key in lex.prefixes_by_head.get(token[:4], ()):
        if token.startswith(prefix):
            return key
    return None


def learn(distinct: set[str], new: set[str], lex, memo: dict) -> None:
    """Remember the term key of each `new` word (a pure function of the word); a memo grown to
    MEMO_WORDS starts afresh with the text's words, so it stays bounded."""
    if len(memo) + len(new) > MEMO_WORDS:
        memo.clear()
        new = distinct
    for word in new:
        memo[word] = term_key(word, lex)


def find_terms(words: list[str], lex) -> Counter:
    """How often each lexicon term occurs in `words` (lower-cased, not yet stemmed); a phrase
    wins over the words in it ("price war" counts as the phrase, not as "war"), the longest
    phrase first, and phrases do not overlap."""
    memo = lex.word_keys
    try:                                    # every word's term (None: no term), counted at C speed
        found = Counter(filter(None, map(memo.__getitem__, words)))
    except KeyError:                        # a word not met before: learn the text's new words
        distinct = set(words)
        learn(distinct, distinct.difference(memo), lex, memo)
        found = Counter(filter(None, map(memo.__getitem__, words)))
    heads = lex.head_forms.intersection(words)
    if heads:
        seconds, followers = lex.follower_forms.intersection(words), lex.followers
        heads = frozenset(h for h in heads if not seconds.isdisjoint(followers[h]))
    if heads:
        _count_phrases(words, heads, lex, found, memo)
        for key in [key for key, count in found.items() if count <= 0]:
            del found[key]                  # the words a phrase used up
    return found


def _count_phrases(words: list[str], heads: frozenset[str], lex, found: Counter, memo: dict) -> None:
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
            end = i + 1 + len(rest)        # rest[0] is the next word's stem (the pair's key)
            if end == i + 2 or end <= n and all(stem(w) == t for w, t in zip(words[i + 2:end], rest[1:])):
                found[phrase] += 1
                for key in map(memo.__getitem__, words[i:end]):
                    if key is not None:
                        found[key] -= 1
                free = end
                break
