#!/usr/bin/env python3
"""What happens while the story lock is held: each statement and the Python work between.

    python bench/story_lock_trace.py --store postgresql://postgres@127.0.0.1:5432/test --fill 10000

Fills one store as bench/index_growth.py does, saves real articles one dump each with story
placement, and from the moment the story lock is asked for to the end of the commit records
every statement (its time in the driver) and the gaps between them (Python). Prints, per step
in the order they come, the median and p90 ms over the articles, and the whole hold (with the
COMMIT sent in storylock's pipeline, the steps after it still count, though nothing is held by
then: an upper bound).

    python bench/story_lock_trace.py --store URL --schema bench_1m --against /work/main --skip 400 --articles 600

--against CHECKOUT pairs this code with another checkout's story lock (its
tasks/store/storylock.py, and placing.py's Placer.settle, loaded beside these): the saves
alternate between the two (ABBA), so that the machine's load drifts over both alike; each side
is reported. --schema saves into a store already filled in that PostgreSQL schema (neither
filled nor dropped: a 1M fill takes minutes), --skip leaves out the corpus's first texts (saved
by an earlier run into that store).
"""
from __future__ import annotations

import argparse
import importlib.util
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
from tasks.store import placing, stories as story_store, storylock  # noqa: E402


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
                self.steps.append(("pipeline: storylock.locked", time.perf_counter(), 0.0))
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


def against(checkout: Path, name: str = "against"):
    """Another checkout's story lock, loaded beside this one: (its storylock module, its
    Placer.settle, which calls that module)."""
    mods = {}
    for part in ("storylock", "placing"):
        spec = importlib.util.spec_from_file_location(f"{name}_{part}", checkout / "tasks" / "store" / f"{part}.py")
        mods[part] = sys.modules[spec.name] = importlib.util.module_from_spec(spec)   # (dataclasses look it up)
        spec.loader.exec_module(mods[part])
    mods["placing"].storylock = mods["storylock"]
    return mods["storylock"], mods["placing"].Placer.settle


def measure(url: str, fill: int, articles: int, other: Path | None = None, schema: str | None = None,
            skip: int = 0, corpus: Path = ig.CORPUS) -> dict[str, dict]:
    """Per side ("this", and "against" with `other`): the holds (s) and {step: [s]}."""
    trace = Trace()
    sides = {"this": (storylock, placing.Placer.settle)}
    if other is not None:
        sides["against"] = against(other)
    real = {"lock": story_store.lock} | {side: module.locked for side, (module, _) in sides.items()}
    story_store.lock = trace.lock(story_store.lock)
    for module, _ in sides.values():
        module.locked = trace.lock(module.locked)
    work = Path(tempfile.mkdtemp(prefix="lock-trace-"))
    if schema:
        from tasks.store import Store
        store = Store(f"{url}?options=-csearch_path%3D{schema}")
    else:
        store = ig.open_store(url, work, f"t{fill}")
    out = {side: {"holds": [], "steps": defaultdict(list)} for side in sides}
    try:
        if not schema:
            ig.fill(store, fill)
        trace.listen(store.engine)
        rules = StoryRules.english()
        names = list(sides)
        for i, (name, d) in enumerate(ig.drafts(corpus, articles, rules, skip)):
            side = (names if (i // len(names)) % 2 == 0 else names[::-1])[i % len(names)]   # ABBA
            placing.Placer.settle = sides[side][1]
            reg, lease = ig.dump_of(store, work, name, d)
            store.save_articles(reg.dump_id, name, [d], dedup.decide, "bench", token=lease.token, rules=rules)
            ended = time.perf_counter()
            if not trace.on:
                continue
            steps = trace.finish(ended)
            out[side]["holds"].append(sum(s for _, s in steps))
            for j, (label, s) in enumerate(steps):
                key = (label if label != "  python" else f"  python before {steps[j + 1][0][:30]}")
                out[side]["steps"][key].append(s)
    finally:
        placing.Placer.settle, story_store.lock = sides["this"][1], real["lock"]
        for side, (module, _) in sides.items():
            module.locked = real[side]
        store.close()
        if not schema:
            ig.drop_schemas(url, [store])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True, help="a PostgreSQL URL")
    ap.add_argument("--fill", type=int, default=10_000)
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--against", type=Path, help="another checkout, its story lock paired with this one's")
    ap.add_argument("--schema", help="a schema already filled (kept)")
    ap.add_argument("--skip", type=int, default=0, help="corpus texts left out first")
    a = ap.parse_args()
    out = measure(a.store, a.fill, a.articles, a.against, a.schema, a.skip)
    stored = f"schema {a.schema}" if a.schema else f"{a.fill:,} stored"
    for side, r in out.items():
        holds, n = r["holds"], len(r["holds"])
        print(f"\n[{side}] story lock held, {stored}, {n} saves: median {statistics.median(holds) * 1e3:.2f} ms, "
              f"p90 {sorted(holds)[int(0.9 * n)] * 1e3:.2f} ms")
        print(f"{'step':<80} {'saves':>5} {'median ms':>9} {'p90 ms':>7}")
        for key, vals in r["steps"].items():
            vals.sort()
            print(f"{key:<80} {len(vals):>5} {statistics.median(vals) * 1e3:>9.3f} {vals[int(0.9 * len(vals))] * 1e3:>7.3f}")


if __name__ == "__main__":
    main()
