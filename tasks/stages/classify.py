"""Classify stage: IPTC Media Topics for an article, from a hand-written lexicon or a trained model.

The lexicon classifier finds the lexicon's terms in the title and body (longest phrase first, so
"price war" counts as business and not as war, "world cup" as sport), adds each term's weight per
topic with diminishing returns for repeats and a bonus for the title, divides by a length factor
so a long article does not saturate, and turns the evidence into shares with a softmax.
"""
from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

from tasks.stages.lexicon import Lexicon, load_lexicon, tokenize
from tasks.stages.model import TOPIC_LABELS, Topic

TITLE_WEIGHT = 2.5       # one title occurrence counts as this many body occurrences
LEAD_TOKENS = 25         # without a title, the body's first words stand in for it
LENGTH_UNIT = 60         # tokens; evidence is divided by sqrt(length / LENGTH_UNIT) beyond it
TEMPERATURE = 0.6        # softmax temperature over the length-normalized evidence
MIN_SHARE = 0.12         # a runner-up topic is kept when its share is at least this ...
MIN_RATIO = 0.35         # ... and at least this fraction of the best topic's share
MAX_TOPICS = 3


def find_terms(tokens: list[str], lex: Lexicon) -> list[str]:
    """The lexicon term keys found in `tokens`, left to right, the longest phrase first."""
    found, i, n = [], 0, len(tokens)
    while i < n:
        token, step = tokens[i], 1
        key = None
        for rest, phrase in lex.phrases.get(token, ()):
            if tuple(tokens[i + 1:i + 1 + len(rest)]) == rest:
                key, step = phrase, 1 + len(rest)
                break
        if key is None:
            key = lex.words.get(token) or _prefix(token, lex)
        if key is not None:
            found.append(key)
        i += step
    return found


def _prefix(token: str, lex: Lexicon) -> str | None:
    for length in lex.prefix_lengths:
        if len(token) >= length:
            key = lex.prefixes.get(token[:length])
            if key is not None:
                return key
    return None


def evidence(title_terms: list[str], body_terms: list[str], lex: Lexicon) -> list[float]:
    """Per topic: the sum of term weights, log-damped for repeats, the title counting more."""
    counts = Counter(body_terms)
    for key in title_terms:
        counts[key] += TITLE_WEIGHT
    scores = [0.0] * len(TOPIC_LABELS)
    for key, count in counts.items():
        damp = math.log2(1.0 + count)
        for topic, weight in lex.entries[key]:
            scores[topic] += weight * damp
    return scores


def shares(scores: list[float], n_tokens: int, priors: tuple[float, ...]) -> list[float]:
    """Softmax of the length-normalized evidence: one share per topic, summing to 1."""
    norm = math.sqrt(max(1.0, n_tokens / LENGTH_UNIT))
    z = [(s / norm + p) / TEMPERATURE for s, p in zip(scores, priors)]
    top = max(z)
    exps = [math.exp(v - top) for v in z]
    total = sum(exps)
    return [e / total for e in exps]


def pick(probs: list[float]) -> list[Topic]:
    """The best topic, then the clear runners-up, best first."""
    order = sorted(range(len(probs)), key=lambda t: -probs[t])
    best = probs[order[0]]
    chosen = [t for t in order[:MAX_TOPICS] if probs[t] >= max(MIN_SHARE, MIN_RATIO * best)] or order[:1]
    return [Topic(TOPIC_LABELS[t], round(probs[t], 4)) for t in chosen]


class LexiconClassifier:
    """The default classifier: hand-written knowledge, no training, no dependencies."""

    name = "lexicon-v1"

    def __init__(self, lexicon: Lexicon | None = None):
        self._lexicon = lexicon

    @property
    def lexicon(self) -> Lexicon:
        return self._lexicon or load_lexicon()

    def classify(self, title: str | None, text: str) -> list[Topic]:
        lex = self.lexicon
        body = tokenize(text or "")
        if title:
            head = tokenize(title)
        else:
            head, body = body[:LEAD_TOKENS], body[LEAD_TOKENS:]
        scores = evidence(find_terms(head, lex), find_terms(body, lex), lex)
        return pick(shares(scores, len(head) + len(body), lex.priors))


DEFAULT = LexiconClassifier()


def classify(title: str | None, text: str) -> list[Topic]:
    """Topics for one article with the default (lexicon) classifier, best first."""
    return DEFAULT.classify(title, text)


def load_classifier(model_path: Path | None = None):
    """The user's trained model when `model_path` names an existing file, else the lexicon one."""
    if model_path is not None and Path(model_path).is_file():
        from tasks.stages.trained import load
        return load(Path(model_path))
    return DEFAULT
