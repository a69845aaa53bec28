#!/usr/bin/env python3
"""Throughput against the targets of issue 8, in one table: each figure, its target, met or missed.

    python bench/throughput.py                 # the full table: 10k dumps, stores of 0, 100k and 1M articles
    python bench/throughput.py --quick         # 2k dumps, stores of 0 and 100k, production on 2k dumps
    python bench/throughput.py --skip 3 6      # without the production rows (Redis, PostgreSQL)
    python bench/throughput.py --only 2 --processes 1 2      # the embedded runs alone

Rows, each measured by the bench script named (imported, or run in a process of its own):
1. docs/s of each stage alone, on one core, by CPU time: the pipeline's stages over the corpus
   dumps (bench/prepare_cpu.py --cpu-laps, on the store row 2's first run left) and the clean
   stage on the extraction pages, HTML and text (bench/bench_clean.py --cpu);
2. embedded `ingest run` (SQLite) over the first --docs texts of
   ../shared/bench/data/corpus_10000.jsonl.gz, written as .txt dumps in 100 subfolders, once
   per --processes count (INGEST_EMBEDDED_PROCESSES), each into a fresh store: docs/s over the
   command's wall time and the CPU it used (user + system of it and its children over the wall
   time: 2.0 is two cores busy all along); the peer pipeline of ../shared/bench/perf_vs_peer.py
   on the same files in the same run (bench/peer.py), and the ratio product/peer; then
   `ingest run` again over the same files: all known, files/s of a re-run. With --rounds R the
   runs alternate (in turn forwards and backwards) and each figure is the median;
3. production (bench/production.py): the Procfile's worker on Redis and PostgreSQL, 1 worker
   and 2 workers, and the queue overhead against the same dumps in one process;
4. saves/s (Store.save_articles, one dump each: the part of a dump's cost that grows with the
   store) into stores pre-filled with --fills synthetic articles (bench/index_growth.py);
5. the dedup index's bytes per article, SQLite (the largest store of row 4) and PostgreSQL;
6. the worker's memory after the production run of 1 worker, and half-way through it.
Rows 3 and 6 are skipped, saying why, when redis-server or PostgreSQL is missing.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import throughput_rows as rows_of
from peer import flat_view, run_peer
from throughput_rows import Row, render, skipped

BIN = Path(sys.executable).parent
# the shared benchmark folder: beside the checkout (/work/main -> /work/shared) or two levels up (a worktree)
SHARED = next((p / "shared" for p in Path(__file__).resolve().parents if (p / "shared" / "bench").is_dir()),
              Path(__file__).resolve().parents[2] / "shared")
CORPUS = SHARED / "bench" / "data" / "corpus_10000.jsonl.gz"


def make_dumps(folder: Path, corpus: Path, n: int) -> int:
    written = 0
    with gzip.open(corpus, "rt", encoding="utf8") as f:
        for i, line in enumerate(f):
            if i >= n:
                break
            sub = folder / f"f{i % 100:02d}"
            sub.mkdir(exist_ok=True)
            (sub / f"c{i:05d}.txt").write_text(json.loads(line)["text"], encoding="utf8")
            written += 1
    return written


def ingest_run(folder: Path, data: Path, processes: int | None) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the command and its children, stdout)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_")}
    env.update(INGEST_DATA_DIR=str(data), COLUMNS="120", PYTHONWARNINGS="ignore")
    if processes:
        env["INGEST_EMBEDDED_PROCESSES"] = str(processes)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "ingest"), "run", str(folder)], env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"ingest run failed (rc {done.returncode}):\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def stored(stdout: str) -> str:
    """The summary's 'articles stored' figure, to show each run did the same work."""
    for line in stdout.splitlines():
        if "articles stored" in line:
            return line.replace("│", " ").split()[-1]
    return "?"


def embedded_rows(folder: Path, tmp: Path, n: int, processes: list[int], rounds: int, peer: bool) -> list[Row]:
    """Row 2: each process count's `ingest run` and the peer, alternating over `rounds`; then a re-run."""
    flat = tmp / "flat"
    if peer:
        flat_view(folder, flat)

    def run(key: str, r: int) -> tuple[float, float]:
        """(wall seconds, cores used) of one run; `ingest run` into a fresh store each time."""
        if key == "peer":
            wall, cpu = run_peer(flat)
            return wall, cpu / wall
        wall, cpu, out = ingest_run(folder, tmp / f"data-{key[1:]}-{r}", int(key[1:]))
        if stored(out) == "?":
            raise SystemExit(f"ingest run printed no summary:\n{out[-2000:]}")
        return wall, cpu / wall

    keys = [f"p{p}" for p in processes] + (["peer"] if peer else [])
    walls: dict[str, list[float]] = {k: [] for k in keys}
    cpus: dict[str, list[float]] = {k: [] for k in keys}
    for r in range(rounds):
        for key in (keys if r % 2 == 0 else list(reversed(keys))):
            log(f"row 2: {key} (round {r + 1} of {rounds})")
            wall, cores = run(key, r)
            walls[key].append(wall)
            cpus[key].append(cores)
    rate = {k: n / statistics.median(v) for k, v in walls.items()}
    rows = []
    for p in processes:
        k = f"p{p}"
        cores = statistics.median(cpus[k])
        target, ok = ("-", None) if p < 2 else (">= 300 docs/s on both cores (>= 1.8)", rate[k] >= 300 and cores >= 1.8)
        rows.append(Row(2, f"embedded ingest run, {processes_(p)}, {n:,} dumps", f"{rate[k]:,.1f} docs/s, "
                        f"{cores:.2f} cores", target, ok))
    best = f"p{processes[-1]}"
    if peer:
        cores = statistics.median(cpus["peer"])
        rows.append(Row(2, "peer pipeline (perf_vs_peer.py), same files", f"{rate['peer']:,.1f} docs/s, {cores:.2f} cores"))
        rows.append(Row(2, f"product ({processes_(processes[-1])}) / peer", f"x{rate[best] / rate['peer']:.2f}",
                        ">= 2.0x", rate[best] / rate["peer"] >= 2.0))
        per_cpu = (rate[best] / statistics.median(cpus[best])) / (rate["peer"] / cores)
        rows.append(Row(2, "  the same by CPU time (docs per CPU second)", f"x{per_cpu:.2f}", "- (steadier under load)"))
    log("row 2: re-run over the known files")
    wall, cpu, out = ingest_run(folder, tmp / f"data-{processes[-1]}-0", processes[-1])
    rows.append(Row(2, f"re-run over the {n:,} known files", f"{n / wall:,.0f} files/s", ">= 2,000 files/s",
                    n / wall >= 2000))
    return rows


def processes_(p: int) -> str:
    return f"{p} process" + ("es" if p != 1 else "")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2,000 dumps, stores of 0 and 100k, fewer repeats")
    parser.add_argument("--docs", type=int, help="dumps for rows 1-3 and 6 (default 10,000; --quick 2,000)")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, os.cpu_count() or 1],
                        help="process counts to compare (INGEST_EMBEDDED_PROCESSES); the last is set against the peer")
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds of row 2's runs (medians)")
    parser.add_argument("--fills", type=int, nargs="+", help="row 4's stores (default 0 100000 1000000; --quick 0 100000)")
    parser.add_argument("--pg-fill", type=int, help="row 5's PostgreSQL store (default 100,000; --quick 20,000)")
    parser.add_argument("--production-docs", type=int, help="dumps of rows 3 and 6 (default: --docs)")
    parser.add_argument("--production-rounds", type=int, default=1, help="bench/production.py --rounds")
    parser.add_argument("--skip", type=int, nargs="+", default=[], metavar="ROW", help="rows to leave out")
    parser.add_argument("--only", type=int, nargs="+", metavar="ROW", help="the rows to measure")
    parser.add_argument("--no-production", action="store_true", help="skip rows 3 and 6 (Redis, PostgreSQL)")
    parser.add_argument("--no-peer", action="store_true", help="row 2 without the peer pipeline")
    a = parser.parse_args()
    a.docs = a.docs or (2_000 if a.quick else 10_000)
    a.fills = a.fills or ([0, 100_000] if a.quick else [0, 100_000, 1_000_000])
    a.pg_fill = a.pg_fill or (20_000 if a.quick else 100_000)
    a.production_docs = a.production_docs or a.docs
    a.rows = set(a.only or range(1, 7)) - set(a.skip) - ({3, 6} if a.no_production else set())
    return a


def main() -> None:
    a = arguments()
    rows: list[Row] = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    started = time.perf_counter()
    try:
        folder, data = tmp / "dumps", None
        if a.rows & {1, 2}:
            folder.mkdir()
            n = make_dumps(folder, a.corpus, a.docs)
            log(f"{n} text dumps from {a.corpus.name}; {os.cpu_count()} CPUs")
        if 2 in a.rows:
            rows += embedded_rows(folder, tmp, n, a.processes, a.rounds, not a.no_peer)
            data = tmp / f"data-{a.processes[0]}-0"
        if 1 in a.rows:
            log("row 1: the stages alone (prepare_cpu.py, bench_clean.py)")
            rows += rows_of.stage_rows(folder, data, rounds=2 if a.quick else 3, repeat=3 if a.quick else 5)
        if 4 in a.rows or 5 in a.rows:
            log(f"rows 4-5: stores of {', '.join(f'{f:,}' for f in a.fills)} articles (index_growth.py)")
            rows += [r for r in rows_of.growth_rows(a.fills, 400, 8, log) if r.row in a.rows]
        why = rows_of.production_ready() if a.rows & {3, 5, 6} else None
        if 5 in a.rows:
            rows.append(skipped(5, "index bytes per article, PostgreSQL", why) if why else rows_of.pg_index_row(a.pg_fill, log))
        if a.rows & {3, 6}:
            if why:
                rows += [skipped(k, m, why) for k, m in ((3, "production, 1 and 2 workers, queue overhead"),
                                                          (6, "worker RSS")) if k in a.rows]
            else:
                log(f"rows 3, 6: production on {a.production_docs:,} dumps (production.py)")
                rows += [r for r in rows_of.production_rows(a.production_docs, a.production_rounds, 6 in a.rows)
                         if r.row in a.rows]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    skipped_rows = sorted(set(range(1, 7)) - a.rows)
    print(f"bench/throughput.py{' --quick' if a.quick else ''}: {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} at the end, {time.perf_counter() - started:.0f} s"
          + (f"; rows left out: {' '.join(map(str, skipped_rows))}" if skipped_rows else ""))
    print(render(rows))


if __name__ == "__main__":
    main()
