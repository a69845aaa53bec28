"""Finding the lexicon's terms in a text (tasks/stages/topics/matching.py) and the word split."""
from __future__ import annotations

from collections import Counter

import pytest

from tasks.stages.topics.lexicon import load_lexicon
from tasks.stages.topics.matching import find_terms, surface_forms
from tasks.stages.topics.text import stem, words
from tests.conftest import SEEDS


def reference_terms(text_words: list[str], lex) -> Counter:
    """The obvious, slow reading of the rules: stem every word; at each position take the longest
    phrase that starts there (phrases do not overlap), else the word or its longest prefix term."""
    tokens = [stem(w) for w in text_words]
    found: Counter = Counter()
    i = 0
    while i < len(tokens):
        for rest, phrase in lex.phrases.get(tokens[i], ()):
            if tuple(tokens[i + 1:i + 1 + len(rest)]) == rest:
                found[phrase] += 1
                i += 1 + len(rest)
                break
        else:
            token = tokens[i]
            key = lex.words.get(token)
            if key is None:
                key = next((k for p, k in sorted(lex.prefixes.items(), key=lambda pk: -len(pk[0]))
                            if token.startswith(p)), None)
            if key is not None:
                found[key] += 1
            i += 1
    return found


TEXTS = [
    "A price war between supermarkets cut margins and hit the retailers' shares.",
    "The striker's goal won the World Cup final; footballers and footballing fans celebrated.",
    "Companies' shares fell as bodies of evidence mounted: the minister's budget bill failed.",
    "Oil prices rose as crude oil stocks fell and the oil price war went on, the company said.",
]


@pytest.mark.parametrize("text", TEXTS + [p.read_text(encoding="utf8") for p in sorted(SEEDS.glob("*.txt"))])
def test_given_a_text_then_the_fast_matcher_finds_what_the_plain_rules_find(text):
    lex = load_lexicon()
    text_words = words(text)
    assert find_terms(text_words, lex) == reference_terms(text_words, lex)


def test_given_a_phrase_then_its_words_do_not_count_on_their_own():
    lex = load_lexicon()
    assert "crude oil" in lex.entries and "oil" in lex.entries
    found = find_terms(words("crude oil and more oil"), lex)
    assert found["crude oil"] == 1 and found["oil"] == 1


def test_given_plural_and_possessive_spellings_then_they_meet_the_singular_term():
    lex = load_lexicon()
    assert find_terms(words("Companies and the company's rivals"), lex)["company"] == 2
    assert {"company", "companies"} <= surface_forms("company")
    assert all(stem(form) == "company" for form in surface_forms("company"))
    assert stem("bodies") == "body" and "bodies" in surface_forms("body")


def test_given_text_then_words_split_like_ascii_letters_and_digits():
    assert words("The Minister's storm: don't stop, Euro-2028 café") == [
        "the", "minister", "storm", "don", "t", "stop", "euro", "2028", "caf"]
    assert words("") == [] and words("’s") == ["s"]


def test_given_a_full_word_memo_then_it_starts_afresh_and_finds_the_same_terms(monkeypatch):
    lex = load_lexicon()
    monkeypatch.setattr("tasks.stages.topics.matching.MEMO_WORDS", 20)
    lex.word_keys.clear()
    for text in TEXTS * 2:
        text_words = words(text)
        assert find_terms(text_words, lex) == reference_terms(text_words, lex)
        assert len(lex.word_keys) <= max(20, len(set(text_words)))
    lex.word_keys.clear()


def test_given_possessives_in_any_case_and_quote_then_they_go_with_their_word():
    assert words("THE MINISTER'S plan. The firm’s shares, the firms’ deal; it's") == [
        "the", "minister", "plan", "the", "firm", "shares", "the", "firms", "deal", "it", "s"]
