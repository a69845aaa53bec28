#!/usr/bin/env python3
"""What happens while the story lock is held: each statement and the Python work between.

    python bench/story_lock_trace.py --store postgresql://postgres@127.0.0.1:5432/test --fill 10000

Fills one store as bench/index_growth.py does, saves real articles one dump each with story
placement, and from the moment the story lock is asked for to the end of the commit records
every statement (its time in the driver) and the gaps between them (Python). Prints, per step
in the order they come, the median and p90 ms over the articles, and the whole hold.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

import index_growth as ig  # noqa: E402
from tasks.stages import dedup  # noqa: E402
from tasks.stages.stories import StoryRules  # noqa: E402
from tasks.store import stories as story_store, storylock  # noqa: E402


class Trace:
    """Steps since the lock was asked for: [(label, start, end)] per save."""

    def __init__(self):
        self.on = False
        self.steps: list[tuple[str, float, float]] = []
        self.started = 0.0

    def lock(self, real):
        def timed(conn, *args):
            if not self.on:
                self.on, self.started, self.steps = True, time.perf_counter(), []
            if len(args):   # storylock.locked: a pipeline, past SQLAlchemy's events
                self.steps.append(("pipeline: lock, settle, commit", time.perf_counter(), 0.0))
                try:
                    return real(conn, *args)
                finally:
                    label, start, _ = self.steps[-1]
                    self.steps[-1] = (label, start, time.perf_counter())
            return real(conn)
        return timed

    def listen(self, engine) -> None:
        @event.listens_for(engine, "before_cursor_execute")
        def before(conn, cursor, statement, params, context, many):
            if self.on:
                self.steps.append((_label(statement, many, params), time.perf_counter(), 0.0))

        @event.listens_for(engine, "after_cursor_execute")
        def after(conn, cursor, statement, params, context, many):
            if self.on and self.steps and self.steps[-1][2] == 0.0:
                label, start, _ = self.steps[-1]
                self.steps[-1] = (label, start, time.perf_counter())

        @event.listens_for(engine, "commit")
        def commit(conn):
            if self.on:
                self.steps.append(("COMMIT", time.perf_counter(), 0.0))

        real_commit = engine.dialect.do_commit

        def do_commit(dbapi_conn):   # the commit's own end: what follows is not the lock's
            real_commit(dbapi_conn)
            if self.on and self.steps and self.steps[-1][0] == "COMMIT":
                label, start, _ = self.steps[-1]
                self.steps[-1] = (label, start, time.perf_counter())
                self.steps.append(("after the commit, to save_articles' return (not held)", time.perf_counter(), 0.0))
        engine.dialect.do_commit = do_commit

    def finish(self, ended: float) -> list[tuple[str, float]]:
        """[(step, seconds)] of the save just done: statements, Python gaps, the commit."""
        out, last = [], self.started
        for label, start, end in self.steps:
            out.append(("  python", start - last))
            end = end or ended
            out.append((label, end - start))
            last = end
        self.on = False
        return out


def _label(statement: str, many: bool, params) -> str:
    words = " ".join(statement.split())
    return words[:60] + (" (executemany)" if many else "")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True, help="a PostgreSQL URL")
    ap.add_argument("--fill", type=int, default=10_000)
    ap.add_argument("--articles", type=int, default=200)
    a = ap.parse_args()
    trace = Trace()
    story_store.lock = trace.lock(story_store.lock)
    storylock.locked = trace.lock(storylock.locked)
    work = Path(tempfile.mkdtemp(prefix="lock-trace-"))
    store = ig.open_store(a.store, work, f"t{a.fill}")
    try:
        ig.fill(store, a.fill)
        trace.listen(store.engine)
        rules = StoryRules.english()
        per: dict[tuple[int, str], list[float]] = defaultdict(list)
        holds, order = [], {}
        for name, d in ig.drafts(ig.CORPUS, a.articles, rules):
            reg, lease = ig.dump_of(store, work, name, d)
            store.save_articles(reg.dump_id, name, [d], dedup.decide, "bench", token=lease.token, rules=rules)
            ended = time.perf_counter()
            if not trace.on:
                continue
            steps = trace.finish(ended)
            holds.append(sum(s for _, s in steps))
            for i, (label, s) in enumerate(steps):
                key = (label if label != "  python" else f"  python before {steps[i + 1][0][:30]}")
                order.setdefault(key, len(order))
                per[order[key], key].append(s)
        n = len(holds)
        print(f"\nstory lock held, {a.fill:,} stored, {n} saves: median {statistics.median(holds) * 1e3:.2f} ms, "
              f"p90 {sorted(holds)[int(0.9 * n)] * 1e3:.2f} ms")
        print(f"{'step':<80} {'saves':>5} {'median ms':>9} {'p90 ms':>7}")
        for (_, key), vals in sorted(per.items()):
            vals.sort()
            print(f"{key:<80} {len(vals):>5} {statistics.median(vals) * 1e3:>9.3f} {vals[int(0.9 * len(vals))] * 1e3:>7.3f}")
    finally:
        store.close()
        ig.drop_schemas(a.store, [store])


if __name__ == "__main__":
    main()
