#!/usr/bin/env python3
"""Speed of the default (lexicon) classifier on one core: articles per second.

    python bench/bench_classify.py [DOCS.jsonl] [--repeat 3]

Classifies the AG dev texts (short: a title and a sentence; target 5,000/s), full-length news
articles (news_cluster_categories; target 2,000/s) and the seed dumps (whole scraped pages,
boilerplate included), in this one process, after a warm-up that loads the lexicon.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tasks.stages.topics import LexiconClassifier  # noqa: E402

SHARED = next((p / "shared" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").is_dir()), ROOT.parent / "shared")
DEFAULT_DOCS = SHARED / "bench/data/topics-dev/ag_news_dev.jsonl"
FULL_LENGTH = SHARED / "bench/data/topics-dev/news_cluster_categories.jsonl"


def rate(clf: LexiconClassifier, texts: list[str], repeat: int) -> float:
    """Best articles/s over `repeat` passes."""
    best = 0.0
    for _ in range(repeat):
        started = time.process_time()   # CPU time: the figure holds on a busy machine too
        for text in texts:
            clf.classify(None, text)
        best = max(best, len(texts) / max(1e-9, time.process_time() - started))
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("docs", type=Path, nargs="?", default=DEFAULT_DOCS)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    ag = [json.loads(line)["text"] for line in a.docs.read_text(encoding="utf8").splitlines() if line.strip()]
    full = [json.loads(line)["text"] for line in FULL_LENGTH.read_text(encoding="utf8").splitlines() if line.strip()]
    seeds = [p.read_text(encoding="utf8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    clf = LexiconClassifier()
    clf.classify(None, "warm up: load the lexicon")
    for name, texts, target in (("AG dev", ag, "5,000"), ("full-length news", full * 10, "2,000"),
                                ("seeds", seeds * 200, "2,000")):
        chars = sum(map(len, texts)) / len(texts)
        print(f"{name}: {len(texts)} articles, {chars:,.0f} chars on average: "
              f"{rate(clf, texts, a.repeat):,.0f} articles/s (one core, target {target})")


if __name__ == "__main__":
    main()
