"""Adapt the topic classifier to the store's own stream (tasks/stages/topics/adapted.py).

`adapt` fits a TF-IDF + linear model on the store's confident lexicon labels once there are
enough of them (and again when the store has grown REFIT_GROWTH times), in rounds (each model's
confident answers on the articles the lexicon was unsure of are taught to the next:
training.self_train), saves it as data under
INGEST_DATA_DIR/models/, and re-labels the stored articles the lexicon was unsure of. It runs at
the end of `ingest run` (INGEST_TOPICS_ADAPT=0 turns that off) and as `ingest topics adapt`.
Deterministic: the same store gives the same model and the same labels.
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from config.settings import Settings
from tasks.errors import ModelError
from tasks.stages.model import Topic
from tasks.stages.topics import DEFAULT
from tasks.stages.topics.adapted import (ADAPT_MAX_RECORDS, ADAPT_MIN_PER_LABEL, ADAPT_MIN_SCORE,
                                         REFIT_GROWTH, AdaptedClassifier, needs_fit, refit_due)
from tasks.stages.topics.coverage import LEXICON_LANGUAGES
from tasks.store import Store

log = logging.getLogger(__name__)
WRITE_CHUNK = 1000          # re-labelled articles written per transaction


@dataclass
class Adaptation:
    model: str | None = None      # the self-trained model in use after this call
    fitted: bool = False          # a new model was fitted now
    learned_from: int = 0         # confident articles it was fitted on
    relabelled: int = 0           # stored articles whose topics the model gave now
    seconds: float = 0.0
    reason: str | None = None     # why there is no model (yet), for the user
    refit_at: int | None = None   # not fitted now: the stored originals at which it will be

    def summary(self) -> str:
        if self.model is None:
            return f"topics not adapted: {self.reason}"
        if not self.fitted:
            return (f"topics: {self.model}, self-trained on the store, labels what the lexicon is unsure of; "
                    f"it is fitted again once the store holds {self.refit_at} original articles")
        return (f"topics adapted to the store with {self.model} (fitted on {self.learned_from} confident "
                f"articles, {self.relabelled} unsure articles re-labelled, {self.seconds:.1f} s)")


def confident(store: Store, limit: int = ADAPT_MAX_RECORDS) -> list[dict]:
    """The most recent stored originals the lexicon labelled confidently, as training records."""
    from tasks.stages.topics.training import confident_records, drop_rare
    records = confident_records(store.export("original", newest_first=True), ADAPT_MIN_SCORE,
                                LEXICON_LANGUAGES, classifiers=frozenset({DEFAULT.name}))[:limit]
    return drop_rare(records, ADAPT_MIN_PER_LABEL)


def unsure(store: Store, limit: int = ADAPT_MAX_RECORDS) -> list[dict]:
    """The most recent stored originals the lexicon was unsure of: self-training's second round."""
    from tasks.stages.topics.training import unsure_articles
    return unsure_articles(store.export("original", newest_first=True), ADAPT_MIN_SCORE,
                           LEXICON_LANGUAGES, DEFAULT.name)[:limit]


def _current(settings: Settings):
    from tasks.stages.topics.trained import load
    path = settings.adapted_model_path
    if not path.is_file():
        return None
    try:
        return load(path)
    except ModelError as e:
        log.warning("the self-trained topic model is unreadable (%s); fitting it again", e)
        return None


def fit(settings: Settings, store: Store, originals: int):
    """Fit and save a model on the store's confident labels; (model or None, records used)."""
    from tasks.stages.topics.trained import save
    from tasks.stages.topics.training import self_train
    records = confident(store)
    if len(records) < settings.topics_adapt_min or len({r["labels"][0] for r in records}) < 2:
        return None, len(records)
    model = self_train(records, unsure(store), LEXICON_LANGUAGES)
    model.seen = originals
    save(model, settings.adapted_model_path)
    return model, len(records)


def relabel(store: Store, clf: AdaptedClassifier, previous: str | None) -> int:
    """Give the model's topics to the stored articles the lexicon was unsure of (and to those an
    earlier self-trained model labelled); returns how many changed."""
    names = {DEFAULT.name} | ({previous} if previous and previous != clf.model.name else set())
    changes: dict[str, tuple] = {}
    for a in store.export(classifiers=names):   # read to the end before writing: one connection at a time
        if a.get("topics_reason"):
            continue
        stored = [Topic(t["label"], float(t["score"])) for t in a.get("topics") or []]
        if a["classifier"] == DEFAULT.name and not clf.unsure(stored):
            continue
        topics, name = clf.classify_traced(a.get("title"), a.get("text") or "")
        if name != a["classifier"] or [t.label for t in topics] != [t.label for t in stored]:
            changes[a["id"]] = (tuple(topics), name)
    ids = list(changes)
    for start in range(0, len(ids), WRITE_CHUNK):
        store.retopic({aid: changes[aid] for aid in ids[start:start + WRITE_CHUNK]})
    return len(changes)


def due(settings: Settings, store: Store) -> bool:
    """Whether `adapt` would fit a model now: cheap (a count and the model file's header), for a
    process that asks often (the watcher)."""
    if not settings.topics_adapt or settings.model_path.is_file():
        return False
    from tasks.stages.topics.trained import seen_of
    return refit_due(seen_of(settings.adapted_model_path), store.totals()["original"], settings.topics_adapt_min)


def adapt(settings: Settings, store: Store, force: bool = False) -> Adaptation:
    """Fit the self-trained model when due (or `force`), and re-label with it the stored articles
    the lexicon was unsure of. Between fits there is nothing to re-label: the pipeline already
    labels new articles with the lexicon and the model."""
    started = time.perf_counter()
    if settings.model_path.is_file():
        return Adaptation(reason=f"your trained model {settings.model_path} labels the articles")
    previous = _current(settings)
    originals = store.totals()["original"]
    fitted, used = None, 0
    if (force and originals) or needs_fit(previous, originals, settings.topics_adapt_min):
        fitted, used = fit(settings, store, originals)
    if fitted is None:
        if previous is None:
            return Adaptation(reason=f"the store holds {used or originals} {'confident' if used else 'original'} "
                                     f"articles; a model is self-trained once {settings.topics_adapt_min} of them "
                                     f"are labelled confidently (score >= {ADAPT_MIN_SCORE})")
        return Adaptation(previous.name, refit_at=math.ceil(REFIT_GROWTH * (previous.seen or originals)),
                          seconds=time.perf_counter() - started)
    changed = relabel(store, AdaptedClassifier(DEFAULT, fitted), previous.name if previous is not None else None)
    return Adaptation(fitted.name, True, used, changed, time.perf_counter() - started)
