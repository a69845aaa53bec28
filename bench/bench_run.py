#!/usr/bin/env python3
"""Throughput of the whole product: `ingest run` over N varied dumps.

    python bench/bench_run.py --dumps 1000 --workers 2      # real Redis + PostgreSQL + celery workers
    python bench/bench_run.py --dumps 1000 --workers 0      # embedded: in-process, SQLite

The dumps are made from the seeds in four forms (text, HTML, JSON, gzip text), each with a
unique line so no two are byte-identical; all but the first of each seed's story are near-duplicates.
Prints dumps/s and the wall time of `ingest run`. Needs the local Redis and PostgreSQL for
--workers > 0 (a fresh schema is created and dropped).
"""
from __future__ import annotations

import argparse
import gzip
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def make_dumps(folder: Path, n: int) -> None:
    texts = [p.read_text(encoding="utf8") for p in SEEDS]
    for i in range(n):
        base = texts[i % len(texts)]
        body = f"Bulletin {i}: report number {i} of the series, filed at hour {i % 24}.\n\n" + base
        form = i % 4
        if form == 0:
            (folder / f"d{i:05d}.txt").write_text(body, encoding="utf8")
        elif form == 1:
            paras = "".join(f"<p>{html.escape(p)}</p>\n" for p in body.split("\n") if p.strip())
            page = f"<html><head><title>Dump {i}</title></head><body><nav>Home | World</nav><article>{paras}</article></body></html>"
            (folder / f"d{i:05d}.html").write_text(page, encoding="utf8")
        elif form == 2:
            (folder / f"d{i:05d}.json").write_text(json.dumps({"text": body, "url": f"https://example.org/{i}"}))
        else:
            (folder / f"d{i:05d}.txt.gz").write_bytes(gzip.compress(body.encode("utf8")))


def start_workers(count: int, env: dict, work: Path) -> list[subprocess.Popen]:
    procs = []
    for k in range(count):
        log = (work / f"worker{k}.log").open("w")
        procs.append(subprocess.Popen([str(BIN / "celery"), "-A", "tasks.app", "worker", "--concurrency=1",
                                       "-n", f"bench{k}@%h", "--queues", env["INGEST_QUEUE"], "--loglevel=INFO",
                                       "--without-gossip", "--without-mingle"], env=env, cwd=work,
                                      stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
    time.sleep(4)   # let them connect before the clock starts
    return procs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dumps", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2, help="celery workers; 0 = embedded run")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    ap.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-run-"))
    (work / "dumps").mkdir()
    make_dumps(work / "dumps", a.dumps)
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_")}
    env.update(INGEST_DATA_DIR=str(work / "data"), INGEST_QUEUE=f"bench-{uuid.uuid4().hex[:6]}")
    procs, schema = [], None
    if a.workers:
        import sqlalchemy as sa
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(a.postgres.replace("postgresql://", "postgresql+psycopg://"))
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        env.update(INGEST_BROKER_URL=a.redis, INGEST_STORE_URL=f"{a.postgres}?options=-csearch_path%3D{schema}")
        procs = start_workers(a.workers, env, work)
    try:
        started = time.perf_counter()
        run = subprocess.run([str(BIN / "ingest"), "run", str(work / "dumps")], env=env, cwd=work,
                             capture_output=True, text=True)
        seconds = time.perf_counter() - started
    finally:
        for p in procs:
            os.killpg(p.pid, 15)
            p.wait()
        if schema:
            with admin.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept", work)
    print(run.stdout[-1200:])
    if run.returncode:
        print(run.stderr[-2000:])
    mode = f"{a.workers} celery workers (Redis + PostgreSQL)" if a.workers else "embedded (SQLite)"
    print(f"{a.dumps} dumps, {mode}: {seconds:.1f} s wall, {a.dumps / seconds:.1f} dumps/s")


if __name__ == "__main__":
    main()
