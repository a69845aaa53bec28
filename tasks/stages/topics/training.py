"""Fit a TrainedClassifier on labelled records (scikit-learn, imported only here), and pick the
records a store can teach itself with (self-training on its own confident labels)."""
from __future__ import annotations

import math
from collections import Counter

from tasks.errors import ModelError
from tasks.stages.model import TOPIC_LABELS
from tasks.stages.topics.evaluation import record_labels, record_text
from tasks.stages.topics.trained import (LEXICON_SCALE, MAX_FEATURES, MIN_RECORDS, TrainedClassifier, digest_of,
                                        lexicon_row, terms)

MIN_DF = 2                  # a term seen in one record only says nothing general
SVM_C = 0.5
SECOND_ROUND_SCORE = 0.8    # self-training: a model's answers this confident are taught to the next
SELF_TRAIN_ROUNDS = 3       # self-training: models fitted in turn, each taught the last one's answers
# A self-trained model learns labels the lexicon gave, so the lexicon's own evidence predicts them
# perfectly: at full scale the model leans on it and learns little from the words of the stream,
# which is what it is for (the articles the lexicon is unsure of). Read at a lower scale, the
# evidence still helps, and the words carry more of the fit.
SELF_TRAIN_LEXICON_SCALE = 0.03


def _require_training_extra() -> None:
    try:
        import numpy  # noqa: F401
        import scipy  # noqa: F401
        import sklearn  # noqa: F401
    except ImportError as e:
        raise ModelError(f"training a topic model needs scikit-learn ({e}); install the extra: "
                         "pip install 'news-ingest[train]'") from e


def vocabulary(docs: list[list[str]]) -> tuple[list[str], list[float]]:
    """The terms in at least MIN_DF documents (or all, for tiny sets), the most frequent first,
    and their smoothed IDF: ln((1 + n) / (1 + df)) + 1."""
    df = Counter(t for doc in docs for t in set(doc))
    min_df = MIN_DF if len(docs) >= 50 else 1
    kept = sorted((t for t, n in df.items() if n >= min_df), key=lambda t: (-df[t], t))[:MAX_FEATURES]
    n = len(docs)
    return kept, [math.log((1 + n) / (1 + df[t])) + 1.0 for t in kept]


def matrix(docs: list[list[str]], texts: list[str], index: dict[str, int], idf, lexicon_scale: float = LEXICON_SCALE):
    """Rows of l2-normalized sublinear TF-IDF, then the lexicon's 17 evidence columns (times `lexicon_scale`)."""
    import numpy as np
    from scipy.sparse import csr_matrix, hstack

    rows, cols, vals = [], [], []
    for r, doc in enumerate(docs):
        counts = Counter(t for t in doc if t in index)
        weights = {index[t]: (1.0 + math.log(c)) * idf[index[t]] for t, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        for c, w in weights.items():
            rows.append(r)
            cols.append(c)
            vals.append(w / norm)
    words = csr_matrix((vals, (rows, cols)), shape=(len(docs), len(index)))
    lex = csr_matrix(np.asarray([lexicon_row(t, lexicon_scale) for t in texts], dtype=float))
    return hstack([words, lex]).tocsr()


def train(records: list[dict], languages: frozenset[str] | None = None,
          lexicon_scale: float = LEXICON_SCALE) -> TrainedClassifier:
    """Fit a model on `records` ({"text", "labels": [...]} or {"text", "label": "a|b"}); a model
    given `languages` gives articles in other languages no topics. The lexicon's evidence columns
    are read at `lexicon_scale` (kept in the model)."""
    _require_training_extra()
    import numpy as np
    from sklearn.svm import LinearSVC

    if len(records) < MIN_RECORDS:
        raise ModelError(f"{len(records)} records are too few to train on; give at least {MIN_RECORDS}")
    texts = [record_text(r) for r in records]
    keys = ["|".join(record_labels(r)) for r in records]
    if len(set(keys)) < 2:
        raise ModelError(f"every record has the label {keys[0]!r}; a classifier needs at least two labels")
    docs = [terms(t) for t in texts]
    vocab, idf_list = vocabulary(docs)
    if not vocab:
        raise ModelError("cannot train on these records: they hold no usable word")
    idf = np.asarray(idf_list)
    features = matrix(docs, texts, {t: i for i, t in enumerate(vocab)}, idf, lexicon_scale)
    svm = LinearSVC(C=SVM_C, random_state=0).fit(features, keys)
    coef, intercept = np.asarray(svm.coef_, dtype=float), np.asarray(svm.intercept_, dtype=float)
    classes = [tuple(k.split("|")) for k in svm.classes_]
    return TrainedClassifier(vocab, idf, coef, intercept, classes, digest_of(records), languages,
                             lexicon_scale=lexicon_scale)


def confident_records(articles, min_score: float, languages: frozenset[str], min_per_label: int = 1,
                      classifiers: frozenset[str] | None = None) -> list[dict]:
    """Training records from stored articles: originals in a covered language whose best topic
    scored at least `min_score`, labelled with that topic; with `classifiers`, only topics those
    classifiers gave (a model does not learn from its own guesses). A label with fewer than
    `min_per_label` records is left out: too few examples teach a model noise."""
    records = []
    for a in articles:
        if classifiers is not None and a.get("classifier") not in classifiers:
            continue
        topics = a.get("topics") or []
        if a.get("status", "original") != "original" or not topics or not a.get("text"):
            continue
        if a.get("language") and a["language"] not in languages:
            continue
        best = topics[0]
        if best.get("label") in TOPIC_LABELS and float(best.get("score", 0)) >= min_score:
            records.append({"id": a.get("id"), "title": a.get("title"), "text": a["text"], "labels": [best["label"]]})
    return drop_rare(records, min_per_label)


def drop_rare(records: list[dict], min_per_label: int) -> list[dict]:
    """The records whose label has at least `min_per_label` of them: too few teach a model noise."""
    counts = Counter(r["labels"][0] for r in records)
    return [r for r in records if counts[r["labels"][0]] >= min_per_label]


def unsure_articles(articles, min_score: float, languages: frozenset[str], lexicon: str) -> list[dict]:
    """The originals in a covered language the `lexicon` (a classifier's name) was unsure of: it
    gave them a best topic under `min_score`, or none, or a self-trained model labelled them in its
    place. What self-training's second round reads. An article no classifier covers
    (`topics_reason`) is left out."""
    unsure = []
    for a in articles:
        if a.get("status", "original") != "original" or not a.get("text") or a.get("topics_reason"):
            continue
        if a.get("language") and a["language"] not in languages:
            continue
        topics = a.get("topics") or []
        if a.get("classifier") != lexicon or not topics or float(topics[0].get("score", 0)) < min_score:
            unsure.append(a)
    return unsure


def self_train(records: list[dict], unsure: list[dict], languages: frozenset[str] | None = None,
               min_score: float = SECOND_ROUND_SCORE, rounds: int = SELF_TRAIN_ROUNDS,
               lexicon_scale: float = SELF_TRAIN_LEXICON_SCALE) -> TrainedClassifier:
    """Self-training in `rounds` rounds: a model fitted on `records` (the confident labels) labels
    the `unsure` articles, and the next model is fitted on the records and that model's answers
    scored at least `min_score`: it learns the vocabulary of the articles the lexicon could not
    place, which the first round never saw; each round teaches the next. A round that teaches
    nothing ends it."""
    model = train(records, languages, lexicon_scale)
    for _ in range(rounds - 1):
        taught = taught_by(model, unsure, min_score)
        if not taught:
            break
        model = train(records + taught, languages, lexicon_scale)
    return model


def taught_by(model: TrainedClassifier, unsure: list[dict], min_score: float) -> list[dict]:
    """The `unsure` articles `model` answers for with a best topic scored at least `min_score`,
    as training records labelled with that topic."""
    taught = []
    for a in unsure:
        topics = model.classify(a.get("title"), a["text"])
        if topics and topics[0].score >= min_score:
            taught.append({"id": a.get("id"), "title": a.get("title"), "text": a["text"], "labels": [topics[0].label]})
    return taught
