"""Which languages a topic classifier covers, and why an article gets no topics.

The lexicon is English; a trained model covers what it was trained on (a self-trained one, the
languages of the articles it learned from). An article in another language gets no topics and
a reason, never a confident guess from English words that happen to occur in it.
"""
from __future__ import annotations

LEXICON_LANGUAGES = frozenset({"en"})


def topics_reason(classifier, language: str | None) -> str | None:
    """Why `classifier` gives an article in `language` no topics, or None when it covers it.

    An article whose language was not detected (too short, mixed) is classified as it is."""
    covered = getattr(classifier, "languages", None)
    if not language or covered is None or language in covered:
        return None
    return (f"language {language!r} is not covered by the topic classifier {getattr(classifier, 'name', '?')} "
            f"(it covers: {', '.join(sorted(covered))})")
