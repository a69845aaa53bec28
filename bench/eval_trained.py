#!/usr/bin/env python3
"""Held-out accuracy of the trainable classifier: train on 80% of labelled news, score the rest.

    python bench/eval_trained.py [DOCS.jsonl] [--held-out 0.2] [--seed 13]

DOCS.jsonl: {"text", "label": "a|b"} (or "labels": [...]) a line; the split is a fixed-seed shuffle
that keeps repeated texts on one side (the AG dev file repeats 1,000 of its 6,000), so that no
test text was seen in training.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tasks.stages.topics.evaluation import evaluate, split  # noqa: E402
from tasks.stages.topics.training import train  # noqa: E402

DEFAULT_DOCS = Path(__file__).resolve().parents[2] / "shared/bench/data/topics-dev/ag_news_dev.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("docs", type=Path, nargs="?", default=DEFAULT_DOCS)
    ap.add_argument("--held-out", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=13)
    a = ap.parse_args()
    records = [json.loads(line) for line in a.docs.read_text(encoding="utf8").splitlines() if line.strip()]
    train_set, test_set = split(records, a.held_out, a.seed)
    started = time.perf_counter()
    clf = train(train_set)
    fitted = time.perf_counter()
    report = evaluate(clf, test_set)
    done = time.perf_counter()
    print(f"trained on {len(train_set)} records in {fitted - started:.1f}s, "
          f"scored {len(test_set)} held-out records in {done - fitted:.2f}s")
    print(report.render())
    print(f"held-out top-1 accuracy={report.accuracy:.3f} (target 0.880)")


if __name__ == "__main__":
    main()
