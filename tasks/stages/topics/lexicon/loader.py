"""Read the `<topic-slug>.tsv` data files into one immutable lookup structure.

File format, one term a line, `#` starts a comment:

    touchdown        4      a word (matched after light stemming: "touchdowns" too)
    world cup        3      a phrase: consecutive words; the longest phrase wins over its words
    footbal*         3      a prefix: any word starting with "footbal" (at least 4 letters);
                            in a phrase ("stock price*") the star is ignored: plurals match anyway
    stock            1.5    the weight: 1 a hint, 2 typical, 3 strong, 4 decisive; may be negative

A term may appear in several topic files; it then counts for each of them with its weight. It
may appear only once in one file (after stemming: "goal" and "goals" are the same term).
`_priors.tsv` holds one `slug share` a line: the topic's share of general news, in percent.
`_rules.tsv` holds regular expressions on the raw title or text (see its header).
"""
from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Mapping

from tasks.stages.topics.matching import surface_forms, surface_table
from tasks.stages.topics.text import tokenize
from tasks.stages.model import TOPIC_LABELS

Entries = tuple[tuple[int, float], ...]   # (index in TOPIC_LABELS, weight) for one term


@dataclass(frozen=True)
class Lexicon:
    entries: Mapping[str, Entries]                       # term key -> its topic weights
    words: Mapping[str, str]                             # stemmed word -> term key
    phrases: Mapping[str, tuple[tuple[tuple[str, ...], str], ...]]  # first word -> (rest, key), longest first
    prefixes: Mapping[str, str]                          # prefix -> term key
    prefixes_by_head: Mapping[str, tuple[tuple[str, str], ...]]  # first 4 letters -> (prefix, key), longest first
    starts: frozenset[str]                               # every word that is a term or begins a phrase
    priors: tuple[float, ...]                            # per topic, in TOPIC_LABELS order
    rules: tuple[Rule, ...] = ()                         # regular expressions on the raw text

    # Derived tables for matching (see matching.py), built on first use.
    @functools.cached_property
    def word_surfaces(self) -> Mapping[str, str]:
        """Every spelling of a one-word term -> its term key ("companies" -> "company")."""
        return MappingProxyType(surface_table(self.words))

    @functools.cached_property
    def word_forms(self) -> frozenset[str]:
        return frozenset(self.word_surfaces)

    @functools.cached_property
    def head_forms(self) -> frozenset[str]:
        return frozenset(self.head_surfaces)

    @functools.cached_property
    def followers(self) -> Mapping[str, frozenset[str]]:
        """Every spelling of a phrase's first word -> every spelling of a word that can follow it."""
        seconds: dict[str, set[str]] = defaultdict(set)
        for head, candidates in self.phrases.items():
            for rest, _ in candidates:
                seconds[head] |= surface_forms(rest[0])
        return MappingProxyType({form: frozenset(seconds[head]) for form, head in self.head_surfaces.items()})

    @functools.cached_property
    def follower_forms(self) -> frozenset[str]:
        """Every spelling of a word that can follow a phrase's first word."""
        return frozenset().union(*self.followers.values())

    @functools.cached_property
    def prefix_heads(self) -> frozenset[str]:
        """The first four letters of every spelling that can start with a prefix term: the prefix's
        own, and for a four-letter prefix ending in "y" the plural's ("bodies" -> "body")."""
        heads = set(self.prefixes_by_head)
        heads |= {h[:3] + "i" for h in self.prefixes_by_head if h.endswith("y")}
        return frozenset(heads)

    @functools.cached_property
    def head_surfaces(self) -> Mapping[str, str]:
        """Every spelling of a phrase's first word -> that word's stem."""
        return MappingProxyType(surface_table({head: head for head in self.phrases}))

    def powered_entries(self, power: float) -> Mapping[str, Entries]:
        """`entries` with each weight w as sign(w) * |w| ** power (classifier.evidence); built once."""
        table = self._powered.get(power)
        if table is None:
            table = self._powered[power] = MappingProxyType(
                {key: tuple((t, math.copysign(abs(w) ** power, w)) for t, w in entries)
                 for key, entries in self.entries.items()})
        return table

    @functools.cached_property
    def _powered(self) -> dict[float, Mapping[str, Entries]]:
        return {}

    @functools.cached_property
    def word_keys(self) -> dict[str, str | None]:
        """The memo of matching.find_terms: a word of a text -> its term key, or None."""
        return {}

    @functools.cached_property
    def phrase_pairs(self) -> Mapping[tuple[str, str], tuple[tuple[tuple[str, ...], str], ...]]:
        """(first token, second token) -> the phrases that start so: (rest, key), longest first."""
        pairs: dict[tuple[str, str], list] = defaultdict(list)
        for head, candidates in self.phrases.items():
            for rest, key in candidates:
                pairs[(head, rest[0])].append((rest, key))
        return MappingProxyType({k: tuple(v) for k, v in pairs.items()})


@dataclass(frozen=True)
class Rule:
    where: str                  # "title" or "text"
    topic: int                  # index in TOPIC_LABELS
    weight: float
    pattern: re.Pattern


def parse_line(line: str) -> tuple[str, float] | None:
    """`"world cup 3"` -> `("world cup", 3.0)`; blank lines and comments -> None."""
    line = line.split("#", 1)[0].strip()
    if not line:
        return None
    head, _, last = line.rpartition(" ")
    try:
        return head.strip(), float(last)
    except ValueError:
        return line, 1.0


def _read(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf8")


def _add_term(term: str, topic: int, weight: float, raw: dict, words: dict, phrases: dict, prefixes: dict) -> None:
    if term.endswith("*") and " " in term.strip():
        term = term[:-1]              # a phrase matches whole words; stemming covers plurals
    if term.endswith("*"):
        key = term[:-1].lower().strip()
        if len(key) < 4:
            raise ValueError(f"prefix {term!r}: at least 4 letters")
        prefixes[key] = key + "*"
        key += "*"
    else:
        tokens = tuple(tokenize(term))
        if not tokens:
            raise ValueError(f"term {term!r} has no word in it")
        key = " ".join(tokens)
        if len(tokens) == 1:
            words[key] = key
        else:
            phrases[tokens[0]].add((tokens[1:], key))
    if topic in raw[key]:
        raise ValueError(f"{term!r} repeats the term {key!r} given earlier in the file")
    raw[key][topic] = weight


PRIOR_SCALE = 1.5   # evidence per e-fold of a topic's share of general news output


def _priors() -> tuple[float, ...]:
    """Each topic's base rate as evidence: PRIOR_SCALE * ln(share in percent), 0 at 1% or less."""
    given = dict(filter(None, map(parse_line, _read("_priors.tsv").splitlines())))
    return tuple(PRIOR_SCALE * math.log(max(1.0, given.get(label, 0.0))) for label in TOPIC_LABELS)


def _rules() -> tuple[Rule, ...]:
    rules = []
    for number, line in enumerate(_read("_rules.tsv").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            where, label, weight, regex = line.split("\t", 3)
            if where not in ("title", "text"):
                raise ValueError(f"where must be title or text, not {where!r}")
            rules.append(Rule(where, TOPIC_LABELS.index(label), float(weight), re.compile(regex, re.IGNORECASE)))
        except (ValueError, re.error) as e:
            raise ValueError(f"lexicon/_rules.tsv line {number}: {e}") from None
    return tuple(rules)


def _by_head(prefixes: dict[str, str]) -> Mapping[str, tuple[tuple[str, str], ...]]:
    heads: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for prefix, key in prefixes.items():
        heads[prefix[:4]].append((prefix, key))
    return MappingProxyType({h: tuple(sorted(v, key=lambda pk: -len(pk[0]))) for h, v in heads.items()})


@functools.lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Build the lexicon from the data files (once per process; the result is read-only)."""
    raw: dict[str, dict[int, float]] = defaultdict(dict)
    words: dict[str, str] = {}
    phrases: dict[str, set] = defaultdict(set)
    prefixes: dict[str, str] = {}
    for topic, label in enumerate(TOPIC_LABELS):
        for number, line in enumerate(_read(f"{label}.tsv").splitlines(), 1):
            parsed = parse_line(line)
            if parsed is None:
                continue
            try:
                _add_term(parsed[0], topic, parsed[1], raw, words, phrases, prefixes)
            except ValueError as e:
                raise ValueError(f"lexicon/{label}.tsv line {number}: {e}") from None
    return Lexicon(
        entries=MappingProxyType({k: tuple(sorted(v.items())) for k, v in raw.items()}),
        words=MappingProxyType(words),
        phrases=MappingProxyType({k: tuple(sorted(v, key=lambda p: -len(p[0]))) for k, v in phrases.items()}),
        prefixes=MappingProxyType(prefixes),
        prefixes_by_head=_by_head(prefixes),
        starts=frozenset(words) | frozenset(phrases),
        priors=_priors(),
        rules=_rules(),
    )
