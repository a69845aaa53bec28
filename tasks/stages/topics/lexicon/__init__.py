"""The hand-written topic lexicon: one `<topic-slug>.tsv` data file per IPTC topic, and its loader.

Every term in the data files was written down by hand from general knowledge of news
vocabulary (no term was extracted automatically from any dataset). See `loader.py` for the
file format.
"""
from tasks.stages.topics.lexicon.loader import Lexicon, Rule, load_lexicon
from tasks.stages.topics.text import stem, tokenize

__all__ = ["Lexicon", "Rule", "load_lexicon", "stem", "tokenize"]
