"""Story stage alone, online, on a story set: pairwise P/R/F1 on two slices and docs/s.

    python bench/eval_stories.py ../shared/bench/data/stories-dev/docs.jsonl [--slice tune|held|all]

The events are split deterministically by a hash of their cluster id, the project's convention
(sha256(str(cluster)) first byte % 4 == 0): one in four is held out ("held") and is looked at
only to report; the rest ("tune") is where weights are chosen; "all" is the whole set, as the
scorer runs it. Articles arrive in the order the scorer gives them (sha1 of the id), and each is
matched against the stories found so far through the same key look-up the store does. Online
clustering depends on the arrival order, so the F1 of each of five shuffled orders (`--orders`),
their mean and the worst are printed too.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tasks.stages.dedup import fingerprint  # noqa: E402
from tasks.stages.stories import Idf, StoryRules, Weights, add, choose, features, keys, new_summary  # noqa: E402


def held_out(cluster) -> bool:
    return hashlib.sha256(str(cluster).encode()).digest()[0] % 4 == 0


def pair_prf(truth: dict, pred: dict) -> tuple[float, float, float]:
    def pairs(labels):
        groups = defaultdict(list)
        for k, v in labels.items():
            groups[v].append(k)
        return {frozenset(p) for g in groups.values() for p in combinations(sorted(g), 2)}
    t, p = pairs(truth), pairs(pred)
    tp = len(t & p)
    P = tp / len(p) if p else 1.0
    R = tp / len(t) if t else 1.0
    return P, R, (2 * P * R / (P + R) if P + R else 0.0)


def cluster_online(docs: list[dict], idf: Idf, w: Weights, max_candidates: int = 20) -> dict[str, str]:
    stories, index, assigned = {}, defaultdict(set), {}
    for d in docs:
        f = features(d.get("title"), d["text"], d.get("published"), idf)
        hits = defaultdict(int)
        for k in keys(f):
            for s in index[k]:
                hits[s] += 1
        cands = {s: stories[s] for s in sorted(hits, key=lambda s: -hits[s])[:max_candidates]}
        choice = choose(f, cands, w)
        sid = choice.story or f"s{len(stories)}"
        stories[sid] = add(stories[sid], f) if choice.story else new_summary(f)
        for k in keys(f):
            index[k].add(sid)
        assigned[d["id"]] = sid
    return assigned


def evaluate(docs, idf, w):
    truth = {d["id"]: d["cluster"] for d in docs}
    return pair_prf(truth, cluster_online(docs, idf, w))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("docs", type=Path)
    ap.add_argument("--slice", choices=["tune", "held", "all"], default="tune")
    ap.add_argument("--orders", type=int, default=5, help="shuffled arrival orders (seeds 1..N), each F1 printed")
    a = ap.parse_args()
    docs = [json.loads(x) for x in a.docs.read_text(encoding="utf8").splitlines() if x.strip()]
    docs.sort(key=lambda d: hashlib.sha1(d["id"].encode()).hexdigest()[:8] + "-" + d["id"])
    idf = Idf.english()
    slices = {"tune": [d for d in docs if not held_out(d["cluster"])],
              "held": [d for d in docs if held_out(d["cluster"])], "all": docs}
    chosen = ["tune", "held", "all"] if a.slice == "all" else [a.slice]
    for name in chosen:
        part = slices[name]
        P, R, F = evaluate(part, idf, Weights())
        shuffled = [evaluate(random.Random(seed).sample(part, len(part)), idf, Weights())[2]
                    for seed in range(1, a.orders + 1)]
        print(f"{name}: {len(part)} docs, {len({d['cluster'] for d in part})} events: P={P:.3f} R={R:.3f} F1={F:.3f}; "
              f"shuffled F1 mean {sum(shuffled) / len(shuffled):.3f}, worst {min(shuffled):.3f} "
              f"[{' '.join(f'{x:.3f}' for x in shuffled)}]")
    # speed, against the dedup fingerprint of the same texts in the same run (the machine drifts)
    rules = StoryRules(idf)
    for name, run in (("dedup fingerprint (peer)", lambda: [fingerprint(d["text"]) for d in docs]),
                      ("story features (read)", lambda: [rules.read(d.get("title"), d["text"], d.get("published"))
                                                         for d in docs]),
                      ("story features + online choice", lambda: cluster_online(docs, idf, Weights()))):
        start = time.perf_counter()
        for _ in range(3):
            run()
        secs = (time.perf_counter() - start) / 3
        print(f"{name}: {len(docs) / secs:.0f} docs/s")


if __name__ == "__main__":
    main()
