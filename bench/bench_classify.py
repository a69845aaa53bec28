#!/usr/bin/env python3
"""Speed of the default (lexicon) classifier on one core: articles per second.

    python bench/bench_classify.py [DOCS.jsonl] [--repeat 3] [--against /path/to/other/checkout]

Classifies the AG dev texts (short: a title and a sentence; target 5,000/s), full-length news
articles (news_cluster_categories; target 2,000/s) and the seed dumps (whole scraped pages,
boilerplate included), in this one process, after a warm-up that loads the lexicon.

With --against, the classifier of another checkout (say the main branch) is timed on the same
texts in the same run, the two alternating in separate processes, and the ratio is printed: on
a shared machine the absolute figures drift, the ratio much less.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = next((p / "shared" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").is_dir()), ROOT.parent / "shared")
DEFAULT_DOCS = SHARED / "bench/data/topics-dev/ag_news_dev.jsonl"
FULL_LENGTH = SHARED / "bench/data/topics-dev/news_cluster_categories.jsonl"
TARGETS = {"AG dev": "5,000", "full-length news": "2,000", "seeds": "2,000"}


def texts_of(docs: Path) -> dict[str, list[str]]:
    def read(path: Path) -> list[str]:
        return [json.loads(line)["text"] for line in path.read_text(encoding="utf8").splitlines() if line.strip()]
    seeds = [p.read_text(encoding="utf8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    return {"AG dev": read(docs), "full-length news": read(FULL_LENGTH) * 10, "seeds": seeds * 200}


def rate(clf, texts: list[str], repeat: int) -> float:
    """Best articles/s over `repeat` passes."""
    best = 0.0
    for _ in range(repeat):
        started = time.process_time()   # CPU time: the figure holds on a busy machine too
        for text in texts:
            clf.classify(None, text)
        best = max(best, len(texts) / max(1e-9, time.process_time() - started))
    return best


def measure(code: Path, docs: Path, repeat: int) -> dict[str, float]:
    """Articles/s per text set for the classifier of the checkout at `code` (in this process)."""
    sys.path.insert(0, str(code))
    from tasks.stages.topics import LexiconClassifier

    clf = LexiconClassifier()
    clf.classify(None, "warm up: load the lexicon")
    return {name: rate(clf, texts, repeat) for name, texts in texts_of(docs).items()}


def measure_apart(code: Path, docs: Path, repeat: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, str(docs), "--repeat", str(repeat), "--code", str(code), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("docs", type=Path, nargs="?", default=DEFAULT_DOCS)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--code", type=Path, default=ROOT, help="the checkout whose classifier is timed")
    ap.add_argument("--against", type=Path, default=None, help="another checkout to time in the same run")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds with --against")
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.json:
        print(json.dumps(measure(a.code, a.docs, a.repeat)))
        return
    lengths = {name: sum(map(len, texts)) / len(texts) for name, texts in texts_of(a.docs).items()}
    if a.against is None:
        rates = measure(a.code, a.docs, a.repeat)
        for name, r in rates.items():
            print(f"{name}: {lengths[name]:,.0f} chars on average: {r:,.0f} articles/s "
                  f"(one core, target {TARGETS[name]})")
        return
    ours: dict[str, float] = {}
    theirs: dict[str, float] = {}
    for _ in range(a.rounds):
        for best, code in ((theirs, a.against), (ours, a.code)):
            for name, r in measure_apart(code, a.docs, a.repeat).items():
                best[name] = max(best.get(name, 0.0), r)
    for name in ours:
        print(f"{name}: {lengths[name]:,.0f} chars on average: {ours[name]:,.0f} articles/s "
              f"(target {TARGETS[name]}), {a.against}: {theirs[name]:,.0f}/s, ratio {ours[name] / theirs[name]:.2f}")


if __name__ == "__main__":
    main()
