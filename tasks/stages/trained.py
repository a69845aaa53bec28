"""A topic classifier the user trains on their own labelled articles (TF-IDF + logistic regression).

Labels may be IPTC slugs or any label set of the user's. A record may accept several labels
("World" = politics|conflict-war-peace|…): each distinct label set is one class of the model, and
a label's score is the summed probability of the classes that contain it, so a multi-label record
teaches all its labels at once. scikit-learn and joblib are imported only when a model is trained,
loaded or saved, so the default (lexicon) path never needs them.
"""
from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

from tasks.errors import ModelError
from tasks.stages.model import Topic

FORMAT = "news-ingest-topic-model"
FORMAT_VERSION = 1
MIN_RECORDS = 10
MAX_TOPICS = 3
MIN_SCORE = 0.15


def record_labels(record: dict) -> tuple[str, ...]:
    """The labels a record accepts: `"labels": [...]` or `"label": "a|b"`, in the order given."""
    raw = record.get("labels", record.get("label"))
    if isinstance(raw, str):
        raw = raw.split("|")
    labels = tuple(dict.fromkeys(str(x).strip() for x in (raw or ()) if str(x).strip()))
    if not labels:
        raise ModelError(f"record {record.get('id', '?')!r} has no labels: give \"labels\": [...] or \"label\": \"a|b\"")
    return labels


def record_text(record: dict) -> str:
    """The text a record is classified on: its title (if any) and its text."""
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ModelError(f"record {record.get('id', '?')!r} has no \"text\"")
    return join(record.get("title"), text)


def join(title: str | None, text: str) -> str:
    return f"{title}\n{text}" if title else text


def split(records: list[dict], held_out: float = 0.2, seed: int = 13) -> tuple[list[dict], list[dict]]:
    """A reproducible shuffle of `records` into (train, test), `held_out` of them in test."""
    shuffled = list(records)
    random.Random(seed).shuffle(shuffled)
    cut = int(round(len(shuffled) * (1 - held_out)))
    return shuffled[:cut], shuffled[cut:]


def _pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, strip_accents="unicode")
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2,
                            strip_accents="unicode", max_features=300_000)
    return make_pipeline(make_union(words, chars), LogisticRegression(C=20.0, max_iter=2000))


class TrainedClassifier:
    """A fitted pipeline and the label sets it predicts; `.classify` answers like the lexicon one."""

    def __init__(self, pipeline, classes: list[tuple[str, ...]], digest: str):
        self.pipeline = pipeline
        self.classes = classes        # label set of each model class, in the model's class order
        self.digest = digest          # sha256 of the training data
        self.name = f"trained-{digest[:8]}"

    @property
    def labels(self) -> list[str]:
        return list(dict.fromkeys(label for labels in self.classes for label in labels))

    def classify(self, title: str | None, text: str) -> list[Topic]:
        return self.classify_many([join(title, text or "")])[0]

    def classify_many(self, texts: list[str]) -> list[list[Topic]]:
        """Topics for many texts at once (much faster than one by one)."""
        return [self._topics(row) for row in self.pipeline.predict_proba(texts)]

    def _topics(self, probs) -> list[Topic]:
        score: dict[str, float] = {}
        rank: dict[str, tuple[float, int]] = {}
        for labels, p in zip(self.classes, probs):
            for position, label in enumerate(labels):
                score[label] = score.get(label, 0.0) + float(p)
                rank[label] = min(rank.get(label, (0.0, 99)), (-float(p), position))
        order = sorted(score, key=lambda lab: (-round(score[lab], 9), rank[lab]))
        kept = [lab for lab in order[:MAX_TOPICS] if score[lab] >= MIN_SCORE] or order[:1]
        return [Topic(lab, round(min(1.0, score[lab]), 4)) for lab in kept]


def digest_of(records: list[dict]) -> str:
    h = hashlib.sha256()
    for r in records:
        h.update(json.dumps([record_text(r), record_labels(r)], ensure_ascii=False).encode("utf8"))
    return h.hexdigest()


def train(records: list[dict]) -> TrainedClassifier:
    """Fit a model on `records` ({"text", "labels": [...]} or {"text", "label": "a|b"})."""
    if len(records) < MIN_RECORDS:
        raise ModelError(f"{len(records)} records are too few to train on; give at least {MIN_RECORDS}")
    texts = [record_text(r) for r in records]
    keys = ["|".join(record_labels(r)) for r in records]
    if len(set(keys)) < 2:
        raise ModelError(f"every record has the label {keys[0]!r}; a classifier needs at least two labels")
    pipeline = _pipeline()
    pipeline.fit(texts, keys)
    classes = [tuple(k.split("|")) for k in pipeline.classes_]
    return TrainedClassifier(pipeline, classes, digest_of(records))


def save(clf: TrainedClassifier, path: Path) -> None:
    """Write the model to `path` (a joblib file), creating its folder."""
    import joblib
    import sklearn

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"format": FORMAT, "version": FORMAT_VERSION, "sklearn": sklearn.__version__,
             "pipeline": clf.pipeline, "classes": clf.classes, "digest": clf.digest}
    joblib.dump(state, path, compress=3)


def load(path: Path) -> TrainedClassifier:
    """Read a model written by `save`; ModelError says what is wrong with a missing or bad file."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"no topic model at {path}: train one with `ingest topics train FILE.jsonl`, "
                         "or leave the model out to use the built-in lexicon classifier")
    try:
        import joblib
        state = joblib.load(path)
    except ImportError as e:
        raise ModelError(f"cannot load {path}: {e}; install the extra: pip install 'news-ingest[train]'") from e
    except Exception as e:  # noqa: BLE001 - any unpickling failure means the same to the user
        raise ModelError(f"{path} is not a readable topic model ({type(e).__name__}: {e}); "
                         "train it again with `ingest topics train`") from e
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ModelError(f"{path} is not a topic model written by `ingest topics train`; train it again")
    if state.get("version") != FORMAT_VERSION:
        raise ModelError(f"{path} has model format {state.get('version')}, this version reads "
                         f"{FORMAT_VERSION}; train it again with `ingest topics train`")
    return TrainedClassifier(state["pipeline"], [tuple(c) for c in state["classes"]], state["digest"])


@dataclass(frozen=True)
class LabelStats:
    label: str          # the label (set) as the records give it, e.g. "sport" or "politics|conflict-war-peace"
    precision: float    # of the records whose best topic is in this set, the share that carry this set
    recall: float       # of the records that carry this set, the share whose best topic is in it
    support: int        # records that carry this set


@dataclass(frozen=True)
class EvalReport:
    accuracy: float     # share of records whose best topic is one of their labels
    total: int
    classifier: str
    per_label: tuple[LabelStats, ...]

    def render(self) -> str:
        width = max([len(s.label) for s in self.per_label] + [5])
        lines = [f"{self.classifier}: top-1 accuracy {self.accuracy:.3f} on {self.total} records",
                 f"{'label':<{width}}  precision  recall  support"]
        lines += [f"{s.label:<{width}}  {s.precision:9.3f}  {s.recall:6.3f}  {s.support:7d}" for s in self.per_label]
        return "\n".join(lines)


def predict_best(classifier, records: list[dict]) -> list[str | None]:
    """The best topic of each record, in batches when the classifier can do it."""
    if hasattr(classifier, "classify_many"):
        results = classifier.classify_many([record_text(r) for r in records])
    else:
        results = [classifier.classify(r.get("title"), r["text"]) for r in records]
    return [topics[0].label if topics else None for topics in results]


def evaluate(classifier, records: list[dict]) -> EvalReport:
    """Top-1 accuracy (the best topic is one of the record's labels) and P/R per label set."""
    if not records:
        raise ModelError("no records to evaluate on")
    keys = ["|".join(record_labels(r)) for r in records]
    for r in records:
        record_text(r)
    best = predict_best(classifier, records)
    hits = [b in k.split("|") for b, k in zip(best, keys)]
    stats = []
    for key in sorted(set(keys)):
        accepted = key.split("|")
        support = sum(k == key for k in keys)
        right = sum(h for h, k in zip(hits, keys) if k == key)
        claimed = [k for b, k in zip(best, keys) if b in accepted]
        precision = sum(k == key for k in claimed) / len(claimed) if claimed else 0.0
        stats.append(LabelStats(key, precision, right / support, support))
    return EvalReport(sum(hits) / len(records), len(records), getattr(classifier, "name", "?"), tuple(stats))
