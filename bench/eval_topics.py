#!/usr/bin/env python3
"""Top-1 accuracy of the default (lexicon) classifier on labelled news, scored like score_topics.py.

    python bench/eval_topics.py [DOCS.jsonl] [--slice tune|held|all] [--errors N] [--confusion]

DOCS.jsonl: {"id", "label", "text"} a line, `label` the accepted slug(s) joined by '|'.
Each text is classified twice, as the clean stage may hand it over: with no title and the
whole text as body, and with the text's first sentence as title and the rest as body.

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
from tasks.stages.topics import LexiconClassifier  # noqa: E402

DEFAULT_DOCS = Path(__file__).resolve().parents[2] / "shared/bench/data/topics-dev/ag_news_dev.jsonl"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def first_sentence(text: str) -> tuple[str, str]:
    """Split `text` into its first sentence and the rest."""
    parts = _SENTENCE_END.split(text.strip(), maxsplit=1)
    return parts[0], (parts[1] if len(parts) > 1 else "")


def held(doc: dict) -> bool:
    return int(hashlib.sha256(str(doc["id"]).encode("utf8")).hexdigest(), 16) % 5 == 0


def precision_recall(docs: list[dict], predict) -> list[str]:
    """Per label string: precision (of the items whose best topic is one of its slugs) and recall."""
    best = [(t[0].label if (t := predict(d["text"])) else None) for d in docs]
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
        topics = predict(d["text"])
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
    a = ap.parse_args()
    docs = [json.loads(line) for line in a.docs.read_text(encoding="utf8").splitlines() if line.strip()]
    if a.slice != "all":
        docs = [d for d in docs if held(d) == (a.slice == "held")]
    if a.slice != "tune" and (a.errors or a.confusion):
        ap.error("--errors and --confusion look at the tune slice only")
    clf = LexiconClassifier()
    modes = {
        "title=None": lambda text: clf.classify(None, text),
        "title=first sentence": lambda text: clf.classify(*first_sentence(text)),
    }
    for mode, predict in modes.items():
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
