#!/usr/bin/env python3
"""Top-1 accuracy of the default (lexicon) classifier on labelled news, scored like score_topics.py.

    python bench/eval_topics.py [DOCS.jsonl] [--slice tune|held|all] [--errors N] [--confusion] [--adapt]

DOCS.jsonl: {"id", "label", "text"} a line, `label` the accepted slug(s) joined by '|'.
Each text is classified three ways: with no title and the whole text as body; with the text's
first sentence as title and the rest as body; and as `ingest run` hands it over ("cleaned": the
clean stage's title and body of the text written as a dump; an item it finds no article in, or
in a language the lexicon does not cover, counts as a miss, as in score_topics.py).

--adapt also scores what adaptation gives at the end of `ingest run` (tasks/adaptation.py): a model
self-trained on the lexicon's confident labels of every cleaned item (its label unseen, a repeated
text once) in rounds as `ingest run` does (training.self_train), answering where the lexicon is unsure; it needs scikit-learn. score_topics.py prints
only the whole file's figure; this one splits it into the tune and held slices.

Slices (the project's held-out rule): an item whose sha256(id) % 5 == 0 is HELD, never looked at
while designing (--errors and --confusion refuse it); the rest is TUNE. Per-label precision and
recall are printed for the slice.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from config import defaults  # noqa: E402
from tasks.errors import IngestError  # noqa: E402
from tasks.stages.clean import clean  # noqa: E402
from tasks.stages.topics import DEFAULT, LexiconClassifier, topics_reason  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = next((p / "shared" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").is_dir()), ROOT.parent / "shared")
DEFAULT_DOCS = SHARED / "bench/data/topics-dev/ag_news_dev.jsonl"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def first_sentence(text: str) -> tuple[str, str]:
    """Split `text` into its first sentence and the rest."""
    parts = _SENTENCE_END.split(text.strip(), maxsplit=1)
    return parts[0], (parts[1] if len(parts) > 1 else "")


def held(doc: dict) -> bool:
    return int(hashlib.sha256(str(doc["id"]).encode("utf8")).hexdigest(), 16) % 5 == 0


def cleaned(doc: dict) -> tuple[str | None, str] | None:
    """(title, body) as the clean stage finds them in the text written as a dump, or None when it
    finds no article or the article's language is not covered."""
    try:
        ex = clean(doc["text"].encode("utf8"), f"{doc['id']}.txt")[0]
    except IngestError:
        return None
    return None if topics_reason(DEFAULT, ex.language) else (ex.title, ex.text)


def adapted(docs: list[dict], cleaned_of: dict):
    """The lexicon and a model self-trained, as `ingest run` adapts, on the confident lexicon
    labels of every cleaned item (a repeated text once); the lexicon alone when too few."""
    from tasks.stages.topics.adapted import ADAPT_MIN_PER_LABEL, ADAPT_MIN_SCORE, AdaptedClassifier
    from tasks.stages.topics.coverage import LEXICON_LANGUAGES
    from tasks.stages.topics.training import confident_records, self_train, unsure_articles
    articles, seen = [], set()
    for d in docs:
        found = cleaned_of[d["id"]]
        if found is None or found[1] in seen:
            continue
        seen.add(found[1])
        topics = [{"label": t.label, "score": t.score} for t in DEFAULT.classify(*found)]
        articles.append({"id": d["id"], "title": found[0], "text": found[1], "topics": topics,
                         "classifier": DEFAULT.name})
    records = confident_records(articles, ADAPT_MIN_SCORE, LEXICON_LANGUAGES, ADAPT_MIN_PER_LABEL)
    print(f"adapt: {len(records)} confident of {len(articles)} distinct cleaned items")
    if len(records) < defaults.TOPICS_ADAPT_MIN:
        print(f"adapt: fewer than {defaults.TOPICS_ADAPT_MIN}: `ingest run` would not fit a model; the lexicon alone")
        return DEFAULT
    unsure = unsure_articles(articles, ADAPT_MIN_SCORE, LEXICON_LANGUAGES, DEFAULT.name)
    return AdaptedClassifier(DEFAULT, self_train(records, unsure, LEXICON_LANGUAGES))


def precision_recall(docs: list[dict], predict) -> list[str]:
    """Per label string: precision (of the items whose best topic is one of its slugs) and recall."""
    best = [(t[0].label if (t := predict(d)) else None) for d in docs]
    lines = []
    for label in sorted({d["label"] for d in docs}):
        accepted = label.split("|")
        support = [b in accepted for d, b in zip(docs, best) if d["label"] == label]
        claimed = [d["label"] == label for d, b in zip(docs, best) if b in accepted]
        p = sum(claimed) / len(claimed) if claimed else 0.0
        lines.append(f"    {label.split('|')[0]:<28} P={p:.3f} R={sum(support) / len(support):.3f} n={len(support)}")
    return lines


def score(docs: list[dict], predict) -> tuple[float, dict[str, float], list[tuple]]:
    """Accuracy, recall per label string, and the misses, as score_topics.py counts them."""
    right, per, misses = 0, Counter(), []
    for d in docs:
        topics = predict(d)
        best = topics[0].label if topics else None
        ok = best in d["label"].split("|")
        right += ok
        per[(d["label"], ok)] += 1
        if not ok:
            misses.append((d, topics))
    labels = sorted({d["label"] for d in docs})
    recalls = {lab: per[(lab, True)] / max(1, per[(lab, True)] + per[(lab, False)]) for lab in labels}
    return right / len(docs), recalls, misses


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("docs", type=Path, nargs="?", default=DEFAULT_DOCS)
    ap.add_argument("--errors", type=int, default=0, help="print this many misses of each mode")
    ap.add_argument("--confusion", action="store_true", help="print (truth, predicted) counts of the misses")
    ap.add_argument("--slice", choices=("tune", "held", "all"), default="tune")
    ap.add_argument("--adapt", action="store_true", help="also score the lexicon with a self-trained model")
    a = ap.parse_args()
    docs = [json.loads(line) for line in a.docs.read_text(encoding="utf8").splitlines() if line.strip()]
    cleaned_of = {d["id"]: cleaned(d) for d in docs}
    both = adapted(docs, cleaned_of) if a.adapt else None
    if a.slice != "all":
        docs = [d for d in docs if held(d) == (a.slice == "held")]
    if a.slice != "tune" and (a.errors or a.confusion):
        ap.error("--errors and --confusion look at the tune slice only")
    clf = LexiconClassifier()
    modes = {
        "title=None": lambda text: clf.classify(None, text),
        "title=first sentence": lambda text: clf.classify(*first_sentence(text)),
        "cleaned": lambda d: clf.classify(*found) if (found := cleaned_of[d["id"]]) else [],
    }
    if both is not None:
        modes["cleaned, adapted"] = lambda d: both.classify(*found) if (found := cleaned_of[d["id"]]) else []
    for mode, predict in modes.items():
        if not mode.startswith("cleaned"):
            predict = (lambda p: lambda d: p(d["text"]))(predict)
        acc, recalls, misses = score(docs, predict)
        short = {k.split("|")[0] + ("|…" if "|" in k else ""): v for k, v in recalls.items()}
        print(f"{a.docs.name} [{mode}]: {len(docs)} docs; " + ", ".join(f"{k}={v:.2f}" for k, v in short.items()))
        print(f"  top-1 accuracy={acc:.3f} ({a.slice} slice)")
        print("\n".join(precision_recall(docs, predict)))
        if a.confusion:
            pairs = Counter((d["label"].split("|")[0], t[0].label if t else None) for d, t in misses)
            for (truth, got), n in pairs.most_common(15):
                print(f"    {n:5d}  {truth} -> {got}")
        for d, topics in misses[:a.errors]:
            print(f"    [{d['label'].split('|')[0]}] got {[(t.label, t.score) for t in topics]}: {d['text'][:160]}")


if __name__ == "__main__":
    main()
