#!/usr/bin/env python3
"""Production throughput: the Procfile's `worker` command on a Redis of its own and a fresh
PostgreSQL schema, fed text dumps from ../shared/bench/data/corpus_10000.jsonl.gz through
`ingest run FOLDER` (which enqueues them and waits until each is done).

    python bench/production.py                 # 2,000 dumps: 1 worker, 2 workers, in-process
    python bench/production.py --dumps 10000 --rss
    python bench/production.py --dumps 400 --rounds 3   # modes alternating, medians: steadier on a busy machine
    python bench/production.py --dumps 10000 --memory   # 1 worker only: its memory at each tenth of the run

Prints docs/s with 1 worker and with 2 workers (each worker a Procfile `worker` with
INGEST_CONCURRENCY=1, so 2 workers use both cores), their ratio, the queue overhead (the same
dumps processed in one process with no broker, INGEST_EMBEDDED_PROCESSES=1, against 1 worker),
and with --rss each worker's memory after the run (and half-way through it, sampled every 2 s:
is it flat?): its largest process's RSS and the PSS of the whole worker (main process and pool,
shared pages counted once). --memory also prints each process's RSS split into its private
pages and those it still shares with the other (copy-on-write after the fork): a pool child
whose private part grows while its shared part holds keeps memory of its own (its caches, or a
leak), one whose shared part turns private only copies the main process's pages.
Needs redis-server on PATH and the local PostgreSQL (INGEST_TEST_PG_URL).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.integration.faultkit import BIN, Deployment, PgSchema   # noqa: E402

# The shared benchmark folder: beside the checkout (/work/main -> /work/shared) or two levels up (a worktree).
SHARED = next((p / "shared" for p in ROOT.parents if (p / "shared" / "bench").is_dir()), ROOT.parent / "shared")
CORPUS = SHARED / "bench" / "data" / "corpus_10000.jsonl.gz"


def write_dumps(folder: Path, n: int, corpus: Path = CORPUS) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(corpus, "rt", encoding="utf8") as lines:
        for k, line in zip(range(n), lines):
            (folder / f"{k:05d}.txt").write_text(json.loads(line)["text"], encoding="utf8")
    return len(list(folder.iterdir()))


def memory_mb(group_leader: int) -> dict:
    """Memory of the processes of one process group (a worker's main process and its pool), in
    MB: the largest process's RSS, the group's total PSS (shared pages counted once), and each
    process's RSS split into its private pages and the pages it still shares (`split`, main
    process first): a pool child's private memory grows while what it shares with the main
    process shrinks as it writes to inherited pages (copy-on-write), RSS staying flat."""
    rss, pss, split = [], 0, []
    for stat in sorted(Path("/proc").glob("[0-9]*/stat"), key=lambda p: int(p.parent.name)):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != group_leader:   # pgrp
                continue
            rollup = _rollup_kb((stat.parent / "smaps_rollup").read_text())
        except (OSError, IndexError, ValueError):
            continue
        rss.append(rollup["Rss"] / 1e3)
        pss += rollup["Pss"] / 1e3
        private = (rollup["Private_Clean"] + rollup["Private_Dirty"]) / 1e3
        shared = (rollup["Shared_Clean"] + rollup["Shared_Dirty"]) / 1e3
        split.append({"rss": round(rollup["Rss"] / 1e3), "private": round(private), "shared": round(shared)})
    return {"largest_rss": round(max(rss, default=0)), "total_pss": round(pss), "processes": len(rss),
            "split": split}


def _rollup_kb(rollup: str) -> dict[str, int]:
    """smaps_rollup's "Name:  123 kB" lines as {name: kB}."""
    out = {}
    for line in rollup.splitlines():
        name, _, rest = line.partition(":")
        if rest.strip().endswith("kB"):
            out[name] = int(rest.split()[0])
    return out


def sampled(workers: list, every: float = 2.0):
    """Start sampling the workers' memory every `every` seconds; returns (samples, stop): each
    sample is (seconds since the start, memory_mb of each worker)."""
    samples: list[tuple[float, list[dict]]] = []
    stop = threading.Event()
    started = time.perf_counter()

    def sample() -> None:
        while not stop.wait(every):
            samples.append((time.perf_counter() - started, [memory_mb(w.proc.pid) for w in workers]))
    threading.Thread(target=sample, daemon=True).start()
    return samples, stop


def through_workers(dumps: Path, n_workers: int, rss: bool) -> tuple[float, list[dict]]:
    """Seconds of `ingest run` through n_workers workers; with `rss`, each worker's memory after
    the run, and half-way through it (`half_rss`, `half_pss`: is it flat?)."""
    work = Path(tempfile.mkdtemp(prefix=f"prod{n_workers}-"))
    d = Deployment.up(work, n_workers=n_workers, INGEST_CONCURRENCY="1", INGEST_RUN_TIMEOUT="3600")
    try:
        samples, stop = sampled(d.workers) if rss else ([], threading.Event())
        started = time.perf_counter()
        run = d.ingest("run", str(dumps), timeout=3600)
        seconds = time.perf_counter() - started
        stop.set()
        finished(run)
        memory = [memory_mb(w.proc.pid) for w in d.workers] if rss else []
        if samples:
            half = at(samples, seconds / 2)
            for k, (end, mid) in enumerate(zip(memory, half)):
                end.update(half_rss=mid["largest_rss"], half_pss=mid["total_pss"],
                           curve=[at(samples, seconds * tenth / 10)[k]["total_pss"] for tenth in range(1, 11)],
                           split_curve=[at(samples, seconds * tenth / 10)[k]["split"] for tenth in range(1, 11)])
        return seconds, memory
    finally:
        d.down()
        shutil.rmtree(work, ignore_errors=True)


def at(samples: list, second: float) -> list[dict]:
    """The memory sample nearest to `second` into the run."""
    return min(samples, key=lambda s: abs(s[0] - second))[1]


def memory_curve(n: int) -> None:
    """One worker through n dumps; its PSS at each tenth of the run, and the largest RSS."""
    folder = Path(tempfile.mkdtemp(prefix="prod-dumps-"))
    try:
        n = write_dumps(folder, n)
        seconds, memory = through_workers(folder, 1, rss=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    m = memory[0]
    print(f"1 worker, {n} text dumps in {seconds:.0f} s ({n / seconds:.1f} docs/s): largest process RSS "
          f"{m['largest_rss']} MB (target <= 300 MB), whole worker PSS {m['total_pss']} MB")
    print("  PSS (MB) at each tenth of the run: " + "  ".join(str(v) for v in m.get("curve", [])))
    if m.get("curve"):
        print(f"  last half grew {m['curve'][-1] - m['curve'][4]:+d} MB, last fifth {m['curve'][-1] - m['curve'][7]:+d} MB")
        for k, label in enumerate(("main process", "pool child")):
            if all(len(s) > k for s in m["split_curve"]):
                print(f"  {label}, RSS = private + shared (MB) at each tenth: "
                      + "  ".join(f"{s[k]['rss']}={s[k]['private']}+{s[k]['shared']}" for s in m["split_curve"]))


def finished(run: subprocess.CompletedProcess) -> None:
    """`ingest run` ended with every dump done or failed: exit 0, or 1 for the corpus's few
    dumps that hold no article (failed with that reason), never with dumps still pending."""
    ok = run.returncode == 0 or (run.returncode == 1 and "still pending" not in run.stdout)
    assert ok, run.stdout + run.stderr


def in_process(dumps: Path) -> float:
    pg = PgSchema()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_")}
    env.update({"INGEST_STORE_URL": pg.url, "INGEST_EMBEDDED_PROCESSES": "1"})
    try:
        started = time.perf_counter()
        run = subprocess.run([str(BIN / "ingest"), "run", str(dumps)], env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        finished(run)
        return seconds
    finally:
        pg.drop()


def measure(n: int, rss: bool = False, rounds: int = 1) -> dict:
    """Each round runs the three modes, in turn forwards and backwards (the machine's speed
    drifts); the seconds of each mode are the median over the rounds."""
    folder = Path(tempfile.mkdtemp(prefix="prod-dumps-"))
    runs = {"one": lambda: through_workers(folder, 1, rss), "two": lambda: through_workers(folder, 2, rss),
            "local": lambda: (in_process(folder), [])}
    seconds: dict[str, list[float]] = {mode: [] for mode in runs}
    memory: dict[str, list] = {}
    try:
        n = write_dumps(folder, n)
        for r in range(rounds):
            for mode in (list(runs) if r % 2 == 0 else list(reversed(runs))):
                took, memory[mode] = runs[mode]()
                seconds[mode].append(took)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    one, two, local = (statistics.median(seconds[m]) for m in ("one", "two", "local"))
    return {"dumps": n, "rounds": rounds, "one": n / one, "two": n / two, "scaling": one / two, "in_process": n / local,
            "queue_overhead": one / local - 1, "rss_one": memory["one"], "rss_two": memory["two"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dumps", type=int, default=2000)
    ap.add_argument("--rss", action="store_true", help="also report each worker's RSS after the run")
    ap.add_argument("--rounds", type=int, default=1, help="run the three modes this many times, alternating "
                    "their order; print the median of each")
    ap.add_argument("--memory", action="store_true", help="only 1 worker, and its memory at each tenth of the run "
                    "(is it flat?)")
    a = ap.parse_args()
    if a.memory:
        return memory_curve(a.dumps)
    r = measure(a.dumps, a.rss, a.rounds)
    print(f"production, {r['dumps']} text dumps (PostgreSQL, Redis, Procfile worker, concurrency 1 each), "
          f"median of {r['rounds']} round(s)")
    print(f"  1 worker     {r['one']:8.1f} docs/s")
    print(f"  2 workers    {r['two']:8.1f} docs/s   ratio {r['scaling']:.2f} (target >= 1.7)")
    print(f"  in process   {r['in_process']:8.1f} docs/s   queue overhead {r['queue_overhead']:+.1%} (target <= 10%)")
    if a.rss:
        for label, workers in (("1 worker", r["rss_one"]), ("2 workers", r["rss_two"])):
            for m in workers:
                half = f"; half-way {m['half_rss']} / {m['half_pss']} MB" if "half_rss" in m else ""
                print(f"  {label}: largest process RSS {m['largest_rss']} MB, whole worker PSS {m['total_pss']} MB "
                      f"({m['processes']} processes; target <= 300 MB){half}")


if __name__ == "__main__":
    main()
