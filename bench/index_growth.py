#!/usr/bin/env python3
"""Does saving an article cost more as the store grows? And how large is the dedup index?

    python bench/index_growth.py                          # SQLite, 10k vs 1M stored articles
    python bench/index_growth.py --store postgresql://127.0.0.1/test --fills 0 100000 1000000

One store per --fills size is filled synthetically (executemany / COPY) with that many originals: each
a dump row and an article row (short text, random hex ids and exact hash as real ones have) with
its dedup index rows as real originals have them (a 64-value sketch, index.KEYS keys drawn like
real 5-gram hashes, postings capped). Then the same real articles (texts from
../shared/bench/data/corpus_10000.jsonl.gz, ~10% near duplicates, fingerprinted beforehand) are
saved into each, one dump per article through Store.save_articles, rounds alternating the stores'
order (the machine's speed drifts). Prints, per store: the CPU time per save (median and mean)
and the ratio of the mean to the first store's, the median wall time per save, the statements per
save, and the index's bytes per indexed article. PostgreSQL schemas are dropped at the end.

Why CPU time (time.process_time, user + sys, of this single-threaded process): the machine is
shared, and another process's load moves wall-clock medians by 3x between two runs of the same
case, while this process's CPU time barely moves. Reading pages from the OS's cache and writing
the WAL are syscalls, so CPU time still counts what a larger store costs in I/O; only waiting
(fsync at a checkpoint) is left out, and the wall median is printed beside it. The target is on
the mean (docs/s is saves over their total time): SQLite's WAL checkpoints, every ~1,000 pages
written, are a cost a larger store pays more of (each copies more distinct pages back) and a
median of the saves leaves them out. On PostgreSQL the server does the work in other processes:
there only the wall figures mean anything.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from tasks.stages import dedup  # noqa: E402
from tasks.stages.dedup import sketch  # noqa: E402
from tasks.stages.model import Extracted, Topic  # noqa: E402
from tasks.store import Store, index  # noqa: E402
from tasks.store.articles import Draft  # noqa: E402

CORPUS = next((p / "shared" / "bench" / "data" / "corpus_10000.jsonl.gz" for p in (ROOT.parent, ROOT.parent.parent)
               if (p / "shared").is_dir()), Path("corpus_10000.jsonl.gz"))
CHUNK = 20_000


def synthetic_rows(n: int, rng: random.Random):
    """(seq, dump id, exact, sketch blob, keys blob, keys) of n synthetic originals. Ids and exact
    hashes are random hex like real ones (hashes of the bytes): each new row lands at a random
    place in their indexes, as it does in a real store. Sequential ones would all sort together,
    apart from the real rows saved afterwards, and a large store would look as cheap to insert
    into as an empty one."""
    for seq in range(1, n + 1):
        values = sorted(rng.getrandbits(32) >> rng.randrange(1, 4) for _ in range(sketch.SKETCH))
        keys = [rng.getrandbits(32) - (1 << 31) for _ in range(index.KEYS)]
        yield (seq, f"{rng.getrandbits(64):016x}", f"{rng.getrandbits(128):032x}", sketch.pack(tuple(values)),
               sketch.pack(tuple(k & 0xFFFFFFFF for k in keys)), keys)


def fill(store: Store, n: int) -> None:
    """n synthetic originals, inserted in bulk."""
    rng = random.Random(n)
    raw = store.engine.raw_connection()
    try:
        cur = raw.cursor()
        pg = store.engine.dialect.name == "postgresql"
        if not pg:
            cur.execute("PRAGMA cache_size")
            cache = cur.fetchone()[0]
            cur.execute("PRAGMA cache_size = -262144")   # 256 MB for the bulk fill (not for the saves: see below)
            cur.execute("BEGIN")   # the engine's connections are in autocommit mode
        rows = synthetic_rows(n, rng)
        while True:
            part = [next(rows, None) for _ in range(CHUNK)]
            part = [p for p in part if p]
            if not part:
                break
            # each dump with a path of its own, as real ones have: with all NULL, the planner
            # scans the whole table for every file registered (not a cost a real store pays)
            dumps = [(dump, "synthetic", f"/synthetic/{seq}", 0, "done", 0, 1) for seq, dump, *_ in part]
            articles = [(seq, f"{dump}-0", dump, 0, "synthetic", "x", "[]", "original", exact, 400,
                         "synthetic") for seq, dump, exact, _, _, _ in part]
            sketches = [(seq, 400, blob, kblob) for seq, _, _, blob, kblob, _ in part]
            keys = [(k, seq) for seq, _, _, _, _, ks in part for k in ks]
            if pg:
                _copy(cur, "dumps (id, source_file, path, size, state, attempts, articles, created_at, updated_at)",
                      [d + ("2026-01-01", "2026-01-01") for d in dumps])
                _copy(cur, "articles (seq, id, dump_id, record_index, source_file, text, topics, status, exact_hash, "
                      "sample_size, pipeline_version, created_at, updated_at)",
                      [a + ("2026-01-01", "2026-01-01") for a in articles])
                _copy(cur, "dedup_sketches (article_seq, size, sketch, keys)", sketches)
                _copy(cur, "dedup_keys (key, article_seq)", keys)
            else:
                cur.executemany("INSERT INTO dumps (id, source_file, path, size, state, attempts, articles, created_at, "
                                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", dumps)
                cur.executemany("INSERT INTO articles (seq, id, dump_id, record_index, source_file, text, topics, status, "
                                "exact_hash, sample_size, pipeline_version, created_at, updated_at) VALUES "
                                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", articles)
                cur.executemany("INSERT INTO dedup_sketches VALUES (?, ?, ?, ?)", sketches)
                cur.executemany("INSERT OR IGNORE INTO dedup_keys VALUES (?, ?)", keys)
        if pg and n:
            cur.execute("SELECT setval(pg_get_serial_sequence('articles', 'seq'), %s)", (n,))
        cur.execute("ANALYZE")
        raw.commit()
        if not pg:   # the connection goes back to the store's pool: the saves get the engine's cache
            cur.execute(f"PRAGMA cache_size = {cache}")
    finally:
        raw.close()


def _copy(cur, target: str, rows: list[tuple]) -> None:
    with cur.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def index_bytes(store: Store) -> tuple[int, int]:
    """(bytes of the dedup index tables with their indexes, indexed originals)."""
    with store.engine.connect() as conn:
        count = conn.exec_driver_sql("SELECT count(*) FROM dedup_sketches").scalar()
        if store.engine.dialect.name == "postgresql":
            size = conn.exec_driver_sql("SELECT pg_total_relation_size('dedup_keys') + "
                                        "pg_total_relation_size('dedup_sketches')").scalar()
        else:
            size = conn.exec_driver_sql("SELECT sum(pgsize) FROM dbstat WHERE name IN "
                                        "('dedup_keys', 'dedup_sketches') OR name LIKE 'sqlite_autoindex_dedup%'").scalar()
    return size, count


def drafts(corpus: Path, n: int, rules=None, skip: int = 0) -> list[tuple[str, Draft]]:
    """The corpus's texts after the first `skip`, n of them, as drafts."""
    texts = []
    with gzip.open(corpus, "rt", encoding="utf8") as f:
        for i, line in enumerate(f):
            if i < skip:
                continue
            texts.append(json.loads(line)["text"])
            if len(texts) == n:
                break
    out = []
    for i, text in enumerate(texts):
        ex = Extracted(title=None, paragraphs=tuple(p for p in text.split("\n") if p.strip()))
        story = rules.read(ex.title, ex.text, ex.published) if rules else None
        out.append((f"a{i:05d}-{uuid.uuid4().hex[:6]}.txt", Draft(0, ex, (Topic("politics", 1.0),), "bench",
                                                                    dedup.fingerprint(ex.text), story=story)))
    return out


def save_some(store: Store, folder: Path, batch: list[tuple[str, Draft]], counter: list[int], rules=None,
              holds: list[float] | None = None) -> list[tuple[float, float]]:
    """Save each article as its own dump; (wall seconds, CPU seconds of this process) of each
    save_articles. `holds` gets, per article, how long the story lock was held (from taking it
    to the commit)."""
    times = []
    for name, d in batch:
        reg, lease = dump_of(store, folder, name, d)
        before = counter[0]
        started, cpu = time.perf_counter(), time.process_time()
        taken.clear()
        store.save_articles(reg.dump_id, name, [d], dedup.decide, "bench", token=lease.token, rules=rules)
        ended = time.perf_counter()
        times.append((ended - started, time.process_time() - cpu))
        if holds is not None and taken:
            holds.append(ended - taken[0])
        counter[1] += counter[0] - before
    return times


def dump_of(store: Store, folder: Path, name: str, d: Draft):
    """The draft's text written as a dump file in `folder`, registered and claimed: (registration, lease)."""
    path = folder / name
    path.write_text(d.extracted.text, encoding="utf8")
    reg = store.register(path, 10_000_000, "bench")
    return reg, store.claim(reg.dump_id)


taken: list[float] = []   # when the story lock was first taken in the current save


def _timed_lock(lock, counters: dict | None = None, statements: int = 0):
    """`lock` (stories.lock, or storylock.locked), noting when it was first called in a save;
    `statements` sent past SQLAlchemy's events (a psycopg pipeline) are counted in `counters`
    {engine: counter}."""
    def timed(conn, *args):
        if not taken:
            taken.append(time.perf_counter())
        if counters is not None:
            counters[conn.engine][0] += statements
        return lock(conn, *args)
    return timed


def open_store(url: str | None, work: Path, name: str) -> Store:
    if url is None:
        return Store(f"sqlite:///{work}/{name}.db")
    import sqlalchemy as sa
    schema = f"bench_{name}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return Store(f"{url}?options=-csearch_path%3D{schema}")


def measure(fills: list[int], articles: int = 400, rounds: int = 8, corpus: Path = CORPUS, url: str | None = None,
            stories: bool = False, log=print) -> dict:
    """Fill one store per size in `fills`, save the same real articles into each (rounds
    alternating the stores' order); per store: median and mean ms per save, wall and CPU (see
    the module docstring), statements per save, index bytes and indexed originals, and (with
    `stories`) the story lock's holds."""
    work = Path(tempfile.mkdtemp(prefix="index-growth-"))
    stores: dict[int, Store] = {}
    try:
        for n in fills:
            started = time.perf_counter()
            stores[n] = open_store(url, work, f"f{n}")
            fill(stores[n], n)
            log(f"filled a store with {n:,} synthetic originals in {time.perf_counter() - started:.0f} s")
        counters = {n: [0, 0] for n in stores}
        for n, store in stores.items():
            event.listen(store.engine, "before_cursor_execute", lambda *args, c=counters[n]: c.__setitem__(0, c[0] + 1))
        rules = None
        if stories:
            from tasks.stages.stories import StoryRules
            from tasks.store import stories as story_store, storylock
            rules = StoryRules.english()
            story_store.lock = _timed_lock(story_store.lock)
            storylock.locked = _timed_lock(storylock.locked, {s.engine: counters[n] for n, s in stores.items()}, 3)
        holds: dict[int, list[float]] = {n: [] for n in stores}
        times: dict[int, list[tuple[float, float]]] = {n: [] for n in stores}
        real = drafts(corpus, articles, rules)
        per_round = max(1, len(real) // rounds)
        for r in range(0, len(real), per_round):
            order = list(stores) if (r // per_round) % 2 == 0 else list(reversed(stores))
            for n in order:
                folder = work / f"dumps-{n}"
                folder.mkdir(exist_ok=True)
                times[n] += save_some(stores[n], folder, real[r:r + per_round], counters[n], rules, holds[n])
        out = []
        for n, store in stores.items():
            size, count = index_bytes(store)
            wall, cpu = [t for t, _ in times[n]], [c for _, c in times[n]]
            out.append({"fill": n, "median_ms": statistics.median(wall) * 1e3, "mean_ms": statistics.mean(wall) * 1e3,
                        "cpu_median_ms": statistics.median(cpu) * 1e3, "cpu_mean_ms": statistics.mean(cpu) * 1e3,
                        "statements": counters[n][1] / len(real), "index_bytes": size, "indexed": count, "holds": holds[n]})
        return {"dialect": next(iter(stores.values())).engine.dialect.name, "articles": len(real), "stores": out}
    finally:
        for store in stores.values():
            store.close()
        if url is not None:
            drop_schemas(url, stores.values())
        shutil.rmtree(work, ignore_errors=True)   # a 1M SQLite store is ~1 GB


def drop_schemas(url: str, stores) -> None:
    import sqlalchemy as sa
    admin = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as conn:
        for store in stores:
            schema = store.engine.url.query["options"].split("=", 1)[1]
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", help="a PostgreSQL URL (default: SQLite files in a temp folder)")
    ap.add_argument("--fills", type=int, nargs="+", default=[10_000, 1_000_000],
                    help="synthetic originals stored beforehand, one store each (compared with the first)")
    ap.add_argument("--articles", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--stories", action="store_true", help="place articles in stories too, and time the story lock")
    a = ap.parse_args()
    r = measure(a.fills, a.articles, a.rounds, a.corpus, a.store, a.stories)
    print(f"\n{r['dialect']}: {r['articles']} real articles saved into each store, one dump each")
    print(f"{'store':>24} | {'CPU ms/save: median':>19} | {'mean':>5} | {'wall ms: median':>15} | {'mean':>5} | "
          f"{'statements/save':>15} | {'index B/article':>15}")
    for s in r["stores"]:
        print(f"{s['fill']:>14,} articles | {s['cpu_median_ms']:>19.2f} | {s['cpu_mean_ms']:>5.2f} | {s['median_ms']:>15.2f} | "
              f"{s['mean_ms']:>5.2f} | {s['statements']:>15.1f} | {s['index_bytes'] / s['indexed']:>15.0f}")
    for s in r["stores"]:
        if s["holds"]:
            print(f"story lock held (taken to commit), {s['fill']:,} stored: median {statistics.median(s['holds']) * 1e3:.2f} ms, "
                  f"p90 {sorted(s['holds'])[int(0.9 * len(s['holds']))] * 1e3:.2f} ms per article (target < 2 ms at 1M)")
    first = r["stores"][0]
    for s in r["stores"][1:]:
        print(f"save cost, {s['fill']:,} vs {first['fill']:,} stored: CPU mean x{s['cpu_mean_ms'] / first['cpu_mean_ms']:.2f} "
              f"(docs/s {first['cpu_mean_ms'] / s['cpu_mean_ms']:.0%} of the first's; target >= 85%), "
              f"CPU median x{s['cpu_median_ms'] / first['cpu_median_ms']:.2f}, "
              f"wall median x{s['median_ms'] / first['median_ms']:.2f}")


if __name__ == "__main__":
    main()
