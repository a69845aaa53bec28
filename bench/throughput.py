#!/usr/bin/env python3
"""Throughput of the embedded `ingest run` (no broker, SQLite), 1 process against N, and a re-run.

    python bench/throughput.py                      # the 10k corpus, 1 process vs one per CPU
    python bench/throughput.py --docs 2000 --processes 1 2

Writes each text of ../shared/bench/data/corpus_10000.jsonl.gz as a .txt dump (in 100
subfolders), then, for each process count, runs `ingest run` over them into a fresh store
(INGEST_EMBEDDED_PROCESSES=n) and prints docs/s over the whole command's wall time, and the
CPU it used (user + system of the command and its children, over the wall time: 2.0 is two
cores busy all along). Last, `ingest run` again over the same files and the last store: every
file is known, so this is files/s of a re-run (process start included).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, os.cpu_count() or 1],
                        help="process counts to compare (INGEST_EMBEDDED_PROCESSES)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    try:
        folder = tmp / "dumps"
        folder.mkdir()
        n = make_dumps(folder, args.corpus, args.docs)
        print(f"{n} text dumps from {args.corpus.name}; {os.cpu_count()} CPUs")
        print(f"{'run':<34}{'seconds':>9}{'docs/s':>9}{'CPU (cores)':>13}{'articles':>10}")
        data = None
        for processes in args.processes:
            data = tmp / f"data-{processes}"
            wall, cpu, out = ingest_run(folder, data, processes)
            print(f"{f'ingest run, {processes} process(es)':<34}{wall:>9.1f}{n / wall:>9.1f}{cpu / wall:>13.2f}"
                  f"{stored(out):>10}", flush=True)
        wall, cpu, out = ingest_run(folder, data, args.processes[-1])
        print(f"{'re-run over the known files':<34}{wall:>9.2f}{n / wall:>9.0f}{cpu / wall:>13.2f}"
              f"{stored(out):>10}   (files/s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
