#!/usr/bin/env python3
"""Soak run of the fault-injection suite: the Procfile's worker (x2) and watcher on a Redis of
its own and a fresh PostgreSQL schema, fed N dumps (some malformed) in bursts while faults
are injected on a schedule, then a report.

    python bench/soak.py                  # 1,000 dumps
    python bench/soak.py --dumps 3000 --bad-share 0.06

Faults, cycled one per burst: kill -9 of a worker (whole process group, restarted), a Redis
restart, PostgreSQL sessions killed (pg_terminate_backend), a watcher restart, and a file
written with a 3 s pause half-way. Prints: dumps, faults injected, articles, failures by
reason, lost, duplicated, wrong outcomes, wall time. Needs redis-server on PATH and the local
PostgreSQL (INGEST_TEST_PG_URL).
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.integration.faultkit import Deployment, corpus, drop, good, judge, slow_write   # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dumps", type=int, default=1000)
    ap.add_argument("--bad-share", type=float, default=0.06)
    ap.add_argument("--bursts", type=int, default=10)
    ap.add_argument("--max-bytes", type=int, default=100_000)
    ap.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the last dumps")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="soak-"))
    started = time.monotonic()
    d = Deployment.up(work, n_workers=2, INGEST_TASK_TIME_LIMIT="30", INGEST_REAP_INTERVAL="3",
                      INGEST_MAX_DUMP_BYTES=str(a.max_bytes), INGEST_CONCURRENCY="2")
    try:
        dumps = corpus(a.dumps, a.bad_share, a.max_bytes, seed=11)
        bursts = [dumps[i::a.bursts] for i in range(a.bursts)]
        faults = [lambda: d.kill_worker(random.randrange(len(d.workers))), d.restart_redis,
                  d.kill_pg_sessions, d.restart_watcher, None]
        writers, slow = [], []
        for k, burst in enumerate(bursts):
            for dump in burst:
                drop(d.folder / "inbox", dump)
            time.sleep(3.0)
            fault = faults[k % len(faults)]
            if fault is None:
                paused = good(900_000 + k, random.Random(k))
                slow.append(paused)
                writers.append(threading.Thread(target=slow_write, args=(d.folder / "inbox", paused, 3.0)))
                writers[-1].start()
                d.faults.append("file written with a 3 s pause")
            else:
                fault()
        for w in writers:
            w.join()
        sent = dumps + slow
        settle = d.wait_settled({x.name for x in sent}, timeout=a.timeout)
        dump_rows, article_rows = d.rows()
        v = judge(sent, dump_rows, article_rows)
        status = d.ingest("status", "--failures", "0")
    finally:
        d.down()
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    wall = time.monotonic() - started
    good_n = sum(x.bad is None for x in sent)
    print(f"soak: {len(sent)} dumps ({good_n} good, {len(sent) - good_n} malformed), {a.bursts} bursts, "
          f"2 workers x 2 + watcher, Redis (AOF) + PostgreSQL")
    counts = {}
    for f in d.faults:
        key = f.split(" x")[0]
        counts[key] = counts.get(key, 0) + 1
    print(f"faults injected: {len(d.faults)}: " + ", ".join(f"{k} x{n}" for k, n in counts.items()))
    print(f"dumps stored: {v.dumps}; articles: {v.articles} (expected {good_n})")
    print("failures by reason:")
    for reason, n in sorted(v.failures.items(), key=lambda kv: -kv[1]):
        print(f"  {n:5d}  {reason} …")
    print(f"lost: {len(v.lost)}  duplicated: {len(v.duplicated)}  wrong outcome: {len(v.wrong)}  "
          f"left queued/processing: {v.stuck}  dangling links: {v.dangling}")
    for line in (v.lost + v.duplicated + v.wrong)[:10]:
        print("   ", line)
    print(f"settled {settle:.0f} s after the last burst; wall time {wall:.0f} s")
    print("ingest status exit", status.returncode)
    if a.keep:
        print("kept", work)
    sys.exit(0 if not (v.lost or v.duplicated or v.wrong or v.stuck) and settle >= 0 else 1)


if __name__ == "__main__":
    main()
