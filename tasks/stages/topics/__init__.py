"""Topic classification: IPTC Media Topics for an article.

* `classifier.py`: the default classifier, a hand-written lexicon (`lexicon/`) over durable news
  vocabulary; English only;
* `trained.py` (`training.py`): a TF-IDF + linear model the user trains on labelled articles (or self-trains on
  the store's confident labels), saved as data (`.npz`), never as pickled code;
* `evaluation.py`: labelled records and top-1 accuracy with per-label precision/recall;
* `loading.py`: which classifier the pipeline uses;
* `coverage.py`: which languages a classifier covers, and the reason an article gets no topics.
"""
from tasks.stages.topics.classifier import DEFAULT, LexiconClassifier, classify
from tasks.stages.topics.coverage import topics_reason
from tasks.stages.topics.loading import load_classifier, old_model_notice

__all__ = ["DEFAULT", "LexiconClassifier", "classify", "load_classifier", "old_model_notice", "topics_reason"]
