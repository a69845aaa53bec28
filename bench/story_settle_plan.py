#!/usr/bin/env python3
"""What the story lock's one statement (storylock._SETTLE) costs the server, as stores grow.

    python bench/story_settle_plan.py --store postgresql://postgres@127.0.0.1:5432/test --fill 10000 --stories 5000

Fills one store as bench/index_growth.py does (`--fill` synthetic originals) and, unlike it,
`--stories` synthetic stories with their key rows (a store of 1M articles holds hundreds of
thousands of stories: the tables the statement reads and writes). Then saves real articles
one dump each with story placement and, for each, runs the statement first under EXPLAIN
(ANALYZE, BUFFERS, WAL) in a savepoint rolled back, with the very parameters it is then sent with.
Prints the median and p90 of its planning and execution time (server side: what load on the
machine barely moves, unlike wall-clock holds), the buffers it touched and the WAL it wrote, the scans in its plans
(a sequential scan of stories or story_keys under the lock would not scale), and how many
plans were JIT-compiled (the server's jit is on: a plan estimated above jit_above_cost pays
~0.5 s of compilation). Each statement is planned afresh, as when sent for real: the
driver's prepared statements do not outlive a rollback on the connection, and a pooled
connection is rolled back about once per save.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import index_growth as ig  # noqa: E402
from tasks.stages import dedup  # noqa: E402
from tasks.stages.stories import StoryRules  # noqa: E402
from tasks.store import storylock  # noqa: E402


def fill_stories(store, n: int, keys: int = 24, chunk: int = 20_000) -> None:
    """n synthetic stories (touched 1..n, dates over two years, a centroid of a real one's
    size) and `keys` key rows each."""
    rng = random.Random(n)
    centroid = json.dumps({"body": {f"body{i}": 1.2345 for i in range(40)},
                           "title": {f"title{i}": 1.2345 for i in range(8)},
                           "entities": {f"entity {i}": 1.2345 for i in range(16)}})
    raw = store.engine.raw_connection()
    try:
        cur = raw.cursor()
        for lo in range(1, n + 1, chunk):
            seqs = range(lo, min(n, lo + chunk - 1) + 1)
            rows, pairs = [], []
            for seq in seqs:
                sid, day = f"s-s{seq:015x}-0", f"2024-{1 + seq % 12:02d}-{1 + seq % 28:02d}"
                rows.append((sid, "synthetic", 2, f"s{seq:015x}-0", f"s{seq:015x}-0", day, day, seq, seq, seq,
                             centroid, "2026-01-01", "2026-01-01"))
                pairs += [(h, sid) for h in {rng.getrandbits(64) - (1 << 63) for _ in range(keys)}]
            ig._copy(cur, "stories (id, title, size, first_article, last_article, first_date, last_date, first_seq, "
                     "last_seq, touched, centroid, created_at, updated_at)", rows)
            ig._copy(cur, "story_keys (hash, story_id)", pairs)
        cur.execute("ANALYZE stories")
        cur.execute("ANALYZE story_keys")
        raw.commit()
    finally:
        raw.close()


class Explained:
    """storylock.locked, each call preceded by its statement under EXPLAIN ANALYZE."""

    def __init__(self, real):
        self.real, self.plans = real, []

    def __call__(self, conn, params):
        raw = conn.connection.driver_connection
        raw.execute("SAVEPOINT explained")
        raw.execute("SELECT pg_advisory_xact_lock(%(k)s)", {"k": storylock.stories.STORY_LOCK_KEY})
        plan = raw.execute("EXPLAIN (ANALYZE, BUFFERS, WAL, FORMAT JSON) " + storylock._SETTLE, params).fetchone()[0][0]
        raw.execute("ROLLBACK TO SAVEPOINT explained")
        self.plans.append(plan)
        out = self.real(conn, params)
        return out


def _nodes(node: dict):
    yield node
    for child in node.get("Plans", ()):
        yield from _nodes(child)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True, help="a PostgreSQL URL")
    ap.add_argument("--fill", type=int, default=10_000)
    ap.add_argument("--stories", type=int, default=5_000, help="synthetic stories stored beforehand")
    ap.add_argument("--articles", type=int, default=200)
    a = ap.parse_args()
    explained = storylock.locked = Explained(storylock.locked)
    work = Path(tempfile.mkdtemp(prefix="settle-plan-"))
    store = ig.open_store(a.store, work, f"p{a.fill}")
    try:
        ig.fill(store, a.fill)
        fill_stories(store, a.stories)
        rules = StoryRules.english()
        for name, d in ig.drafts(ig.CORPUS, a.articles, rules):
            reg, lease = ig.dump_of(store, work, name, d)
            store.save_articles(reg.dump_id, name, [d], dedup.decide, "bench", token=lease.token, rules=rules)
        plans = explained.plans
        n = len(plans)

        def line(label: str, vals: list[float]) -> None:
            vals = sorted(vals)
            print(f"{label:<34} median {statistics.median(vals):8.3f}  p90 {vals[int(0.9 * len(vals))]:8.3f}")
        print(f"\n_SETTLE, {a.fill:,} articles and {a.stories:,} synthetic stories stored, {n} saves (server side; times in ms)")
        line("planning", [p["Planning Time"] for p in plans])
        line("execution", [p["Execution Time"] for p in plans])
        # the writing CTEs run after the top node's rows are read: their nodes count apart
        for label, fields in (("buffers (hit + read)", ("Shared Hit Blocks", "Shared Read Blocks")),
                              ("WAL bytes", ("WAL Bytes",)), ("WAL full-page images", ("WAL FPI",))):
            line(label, [sum(node.get(f, 0) for node in _nodes(p["Plan"])
                             if node is p["Plan"] or node["Node Type"] == "ModifyTable" for f in fields) for p in plans])
        scans = Counter(f"{node['Node Type']} on {node.get('Relation Name')}" for p in plans
                        for node in _nodes(p["Plan"]) if "Scan" in node["Node Type"] and node.get("Relation Name"))
        print("scans (plans with each):", dict(scans))
        print("plans JIT-compiled:", sum(1 for p in plans if p.get("JIT")))
    finally:
        store.close()
        ig.drop_schemas(a.store, [store])


if __name__ == "__main__":
    main()
