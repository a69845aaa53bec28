"""Classify stage: IPTC Media Topics for an article, from a hand-written lexicon or a trained model.

The lexicon classifier (the default, `lexicon/*.tsv`):

1. finds the lexicon's terms in the title and body: words after light stemming, prefixes
   ("footbal*"), and phrases, the longest phrase first, so that "price war" counts as business
   and not as war and "world cup" as sport (a phrase may also carry a negative weight);
2. per topic, combines the weights as a power mean (see `evidence`), each term log-damped for
   repeats and counted double in the title of a brief, more in a long article's (`title_weight`),
   plus the evidence of a few regular-expression rules (section labels such as "Cricket:",
   sports scores, tickers); the body's words count alike
   wherever they stand, so an article is scored by how its evidence is spread over all of it;
3. adds each topic's base rate (`_priors.tsv`) as far as the text speaks for it: a near tie
   between the topics a text is about goes to the more common one; the base rates fade as the
   text grows;
4. scores each topic by its sharpened share of all the evidence next to a constant background
   share, so one weak hint scores low, a clear article high, and a long article does not
   saturate; the best topic comes first, then runners-up with a fair share of its evidence.

Build the classifier once per process and reuse it: `load_classifier` reads a model file.
"""
from __future__ import annotations

import math
from collections import Counter

from tasks.stages.model import TOPIC_LABELS, Topic
from tasks.stages.topics.coverage import LEXICON_LANGUAGES
from tasks.stages.topics.lexicon import Lexicon, load_lexicon
from tasks.stages.topics.matching import find_terms
from tasks.stages.topics.text import words

TITLE_WEIGHT = 2.0       # one title occurrence counts as this many body occurrences in a brief ...
TITLE_BODY_TOKENS = 80   # ... (a body of up to this many tokens); then more, see title_weight()
EVIDENCE_POWER = 1.5     # per topic: (sum of weight**p * damped count) ** (1/p), see evidence()
PRIOR_TOKENS = 80        # base rates count in full up to this many tokens, then fade
PRIOR_GATE = 3.0         # a topic needs this much evidence for its base rate to count in full
SHARPNESS = 2.0          # a topic's score is evidence**SHARPNESS over the sum of them all ...
BACKGROUND = 2.5         # ... plus this much evidence that stands for "none of these"
MIN_SHARE = 0.1          # a runner-up topic is kept when its score is at least this ...
MIN_RATIO = 0.35         # ... and its evidence at least this fraction of the best topic's
MAX_TOPICS = 3
# A story about a field's companies, deals or court cases is filed under that field (the tech,
# sport or arts desk), business and law being the frame rather than the subject: a frame topic
# that comes first yields to a field topic holding at least FIELD_RATIO of its evidence, when the
# two together hold at least FRAME_FIELD_SHARE of the scores: in a text whose evidence is spread
# over many topics (a long article), a field's few terms may be incidental, and the lead stands.
FRAMES = ("economy-business-finance", "crime-law-justice")
FIELDS = ("science-technology", "sport", "arts-culture-entertainment")
FIELD_RATIO = 0.6
FRAME_FIELD_SHARE = 0.5


def title_weight(body_tokens: int) -> float:
    """How many body occurrences one title occurrence counts for: TITLE_WEIGHT over a brief's body,
    then growing as the square root of the body's length, as a body's evidence for its leading
    topic grows (~length**0.57 over 3,000 texts of an unlabelled general news corpus): so that a
    headline keeps its say in a long article instead of fading to one of its hundreds of words."""
    if body_tokens <= TITLE_BODY_TOKENS:
        return TITLE_WEIGHT
    return TITLE_WEIGHT * math.sqrt(body_tokens / TITLE_BODY_TOKENS)


def evidence(title_terms: Counter, body_terms: Counter, lex: Lexicon,
             title_weight: float = TITLE_WEIGHT) -> list[float]:
    """Per topic: a power mean of its terms' weights, each count log-damped for repeats.

    Each distinct term adds weight**EVIDENCE_POWER * log2(1 + count) to its topics, and a topic's
    evidence is that sum to the power 1/EVIDENCE_POWER. Between a plain sum (where many weak,
    generic words swamp a few specific ones) and a root-sum-square (where a few hot terms decide
    alone), it scores a body by how its evidence is spread; it grows with the amount of evidence
    but slower than the text's length. Negative weights (a phrase that speaks against a topic)
    subtract.
    """
    counts = body_terms
    if title_terms:
        counts = Counter(body_terms)
        for key, count in title_terms.items():
            counts[key] += title_weight * count
    sums = [0.0] * len(TOPIC_LABELS)
    powered = lex.powered_entries(EVIDENCE_POWER)
    for key, count in counts.items():
        damp = math.log2(1.0 + count)
        for topic, value in powered[key]:     # value: the weight's sign times |weight| ** power
            sums[topic] += value * damp
    return [v ** (1.0 / EVIDENCE_POWER) if v > 0 else 0.0 for v in sums]


def with_priors(scores: list[float], lex: Lexicon, n_tokens: int) -> list[float]:
    """The evidence plus each topic's base rate, as far as the text speaks for that topic.

    A base rate counts in full once its topic has PRIOR_GATE of evidence, and not at all for a
    topic the text says nothing about (unless it says nothing about any): base rates break near
    ties between the topics a text is about. They fade for texts longer than PRIOR_TOKENS.
    """
    fade = 1.0 if n_tokens <= PRIOR_TOKENS else math.sqrt(PRIOR_TOKENS / n_tokens)
    if max(scores) <= 0:
        return [p * fade for p in lex.priors]
    return [s + p * fade * (s / PRIOR_GATE if s < PRIOR_GATE else 1.0) if s > 0 else s
            for s, p in zip(scores, lex.priors)]


RULE_CHARS = 1500        # "text" rules read the title and lead: the opening this many characters


def apply_rules(scores: list[float], title: str, text: str, lex: Lexicon) -> None:
    """Add the evidence of the lexicon's regular-expression rules (section labels, scores,
    listings) found in the title and the opening of the text."""
    opening = text[:RULE_CHARS]
    labelled = ":" in title[:60] or "|" in title[:60]   # a section label ends with one of these
    for rule in lex.rules:
        if rule.where == "title" and not labelled:
            continue
        count = len(rule.pattern.findall(title if rule.where == "title" else opening))
        if count:
            scores[rule.topic] += rule.weight * math.log2(1.0 + count)


def first_line(text: str) -> str:
    """The first non-blank line of `text` (at most 200 characters): the title of a dump without one."""
    return text[:RULE_CHARS].lstrip().split("\n", 1)[0][:200]


def shares(totals: list[float]) -> list[float]:
    """Each topic's sharpened share of the evidence, next to a background share: in [0, 1)."""
    mass = [t ** SHARPNESS if t > 0 else 0.0 for t in totals]
    total = sum(mass) + BACKGROUND ** SHARPNESS
    return [m / total for m in mass]


_FRAMES = tuple(TOPIC_LABELS.index(t) for t in FRAMES)
_FIELDS = tuple(TOPIC_LABELS.index(t) for t in FIELDS)


def field_first(scores: list[float], probs: list[float]) -> tuple[list[float], list[float]]:
    """When a frame topic leads and a field topic holds FIELD_RATIO of its evidence, and the two
    hold FRAME_FIELD_SHARE of the scores, the field takes the lead: the two swap their evidence
    and scores (see FRAMES)."""
    best = probs.index(max(probs))
    if best not in _FRAMES:
        return scores, probs
    fields = [t for t in _FIELDS if scores[t] > 0 and scores[t] >= FIELD_RATIO * scores[best]]
    if not fields:
        return scores, probs
    field = max(fields, key=lambda t: scores[t])
    if probs[best] + probs[field] < FRAME_FIELD_SHARE:
        return scores, probs
    scores, probs = list(scores), list(probs)
    scores[best], scores[field] = scores[field], scores[best]
    probs[best], probs[field] = probs[field], probs[best]
    return scores, probs


def pick(scores: list[float], probs: list[float]) -> list[Topic]:
    """The best topic, then the runners-up with a fair share of its evidence, best first."""
    scores, probs = field_first(scores, probs)
    order = sorted(range(len(probs)), key=probs.__getitem__, reverse=True)   # stable: ties keep order
    best = order[0]
    chosen = [best] + [t for t in order[1:MAX_TOPICS]
                       if probs[t] >= MIN_SHARE and scores[t] > 0 and scores[t] >= MIN_RATIO * scores[best]]
    return [Topic(TOPIC_LABELS[t], round(probs[t], 4)) for t in chosen]


class LexiconClassifier:
    """The default classifier: hand-written knowledge, no training, no dependencies."""

    name = "lexicon-v2"
    languages = LEXICON_LANGUAGES

    def __init__(self, lexicon: Lexicon | None = None):
        self._lexicon = lexicon

    @property
    def lexicon(self) -> Lexicon:
        return self._lexicon or load_lexicon()

    def classify(self, title: str | None, text: str) -> list[Topic]:
        lex = self.lexicon
        body = words(text or "")
        head = words(title) if title else []
        scores = evidence(find_terms(head, lex) if head else Counter(), find_terms(body, lex), lex,
                          title_weight(len(body)))
        apply_rules(scores, title or first_line(text or ""), text or "", lex)
        return pick(scores, shares(with_priors(scores, lex, len(head) + len(body))))


DEFAULT = LexiconClassifier()


def classify(title: str | None, text: str) -> list[Topic]:
    """Topics for one article with the default (lexicon) classifier, best first."""
    return DEFAULT.classify(title, text)
