"""Labelled records (the `ingest topics` JSONL files), a reproducible split, and top-1 evaluation."""
from __future__ import annotations

import random
from dataclasses import dataclass

from tasks.errors import ModelError


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
    """A reproducible shuffle of `records` into (train, test), about `held_out` of them in test.

    Records with the same text stay on the same side, so no test text was seen in training
    (labelled sets often repeat items: the AG dev file repeats 1,000 of its 6,000).
    """
    groups: dict[str, list[dict]] = {}
    for record in records:
        groups.setdefault(str(record.get("text", "")).strip(), []).append(record)
    shuffled = list(groups.values())
    random.Random(seed).shuffle(shuffled)
    train_set: list[dict] = []
    test_set: list[dict] = []
    target = round(len(records) * held_out)
    for group in shuffled:
        (test_set if len(test_set) < target else train_set).extend(group)
    return train_set, test_set




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
