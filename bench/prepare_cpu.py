#!/usr/bin/env python3
"""CPU of the pure part of a dump's processing, what an embedded run's child processes do
(`Pipeline.prepare_claimed`: read the dump, clean, classify, fingerprint, story features and
the story candidates read from the store), per dump, on one core.

    python bench/prepare_cpu.py FOLDER [--rounds 3] [--data DIR] [--cpu-laps] [--functions] [--json]

Runs `ingest run FOLDER` into a fresh store first (not timed: the children's work then has a
store of the same size to look candidates up in; --data DIR uses the store an earlier `ingest
run FOLDER` left in DIR instead), then prepares every stored dump again in this process,
`--rounds` times, and prints the CPU seconds (process time, so other load on the machine weighs
little) of each round, the per-stage split of the best one (the pipeline's own stopwatch:
wall clock, or with --cpu-laps this process's CPU time), and the dumps/s one core would prepare
at that CPU cost. Compare two checkouts by running each one's Python on the same folder, back
to back. --functions also prints the CPU time of the functions inside the stages (FUNCTIONS:
language ID, the story look-up's queries, ...) in µs per dump, each call timed by this process's
CPU time (a nested function's time is inside its caller's). --json prints the figures as one
JSON object (bench/throughput.py reads it).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from functools import wraps
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace

BIN = Path(sys.executable).parent


def fill(folder: Path, data: Path) -> None:
    env = dict(os.environ, INGEST_DATA_DIR=str(data))
    env.pop("INGEST_BROKER_URL", None)
    env.pop("INGEST_STORE_URL", None)
    subprocess.run([str(BIN / "ingest"), "run", str(folder)], env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def prepare_all(pipeline, dumps: list[tuple[str, str]]) -> tuple[float, dict[str, float]]:
    from tasks.store.lifecycle import Lease
    laps: dict[str, float] = {}
    started = time.process_time()
    for dump_id, source_file in dumps:
        prepared = pipeline.prepare_claimed(Lease(dump_id, "bench", source_file, 1))
        if prepared.failure:
            raise SystemExit(f"dump {dump_id} failed: {prepared.failure}")
        for stage, seconds in prepared.watch.laps.items():
            laps[stage] = laps.get(stage, 0.0) + seconds
    return time.process_time() - started, laps


@contextmanager
def cpu_stopwatch():
    """The pipeline's Stopwatch times its laps by this process's CPU time instead of the wall
    clock (it reads `time.perf_counter` through tasks.timing's `time`): a stage's share then
    holds on a machine whose other load takes turns on the cores."""
    from tasks import timing
    wall = timing.time
    timing.time = SimpleNamespace(perf_counter=time.process_time)
    try:
        yield
    finally:
        timing.time = wall


# (module, attribute as the caller finds it, label): the costly functions inside the stages
FUNCTIONS = [
    ("tasks.store.store", "Store.raw", "read the dump"),
    ("tasks.pipeline", "clean", "clean"),
    ("tasks.stages.clean", "detect_language", "  language ID (text dumps)"),
    ("tasks.stages.clean", "extract_lines", "  extract_lines (text dumps)"),
    ("tasks.stages.clean", "extract_html", "  extract_html"),
    ("tasks.pipeline", "template_candidates", "template_candidates"),
    ("tasks.store.store", "Store.templates", "read learned templates"),
    ("tasks.pipeline", "classify_traced", "classify"),
    ("tasks.stages.dedup", "fingerprint", "fingerprint"),
    ("tasks.stages.stories.rules", "features", "story features"),
    ("tasks.store.store", "Reads.story_priors", "story priors (store)"),
    ("tasks.store.stories", "_looked_up", "  key look-up (ranked + horizon)"),
    ("tasks.store.stories", "score", "  score candidates"),
    ("tasks.store.stories", "members", "  members (rewrite candidates)"),
]


@contextmanager
def function_timer(spent: dict[str, float]):
    """Time each of FUNCTIONS by this process's CPU time, summed by label into `spent`, while open."""
    with ExitStack() as undo:
        for module, attribute, label in FUNCTIONS:
            owner = import_module(module)
            *path, name = attribute.split(".")
            for part in path:
                owner = getattr(owner, part)
            undo.callback(setattr, owner, name, getattr(owner, name))
            setattr(owner, name, _timed(getattr(owner, name), label, spent))
        yield spent


def _timed(fn, label: str, spent: dict[str, float]):
    @wraps(fn)
    def timed(*args, **kwargs):
        started = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.process_time() - started
    return timed


def measure(data: Path, rounds: int, cpu_laps: bool, functions: bool = False) -> dict:
    """Prepare every dump stored in `data` `rounds` times: the CPU seconds of each round and
    the per-stage seconds of the best one."""
    os.environ.update(INGEST_DATA_DIR=str(data))
    os.environ.pop("INGEST_STORE_URL", None)   # the store in `data`, as `fill` made it
    from sqlalchemy import select

    from config import load
    from tasks.pipeline import Pipeline
    from tasks.store.schema import dumps as dumps_table
    pipeline = Pipeline.from_settings(load())
    with pipeline.store.engine.connect() as conn:
        dumps = [tuple(r) for r in conn.execute(select(dumps_table.c.id, dumps_table.c.source_file)
                                                .where(dumps_table.c.state == "done").order_by(dumps_table.c.source_file))]
    pipeline.classifier(), pipeline.story_rules()
    rounds_ = []
    for _ in range(rounds):
        with ExitStack() as timers:
            if cpu_laps:
                timers.enter_context(cpu_stopwatch())
            spent = timers.enter_context(function_timer({})) if functions else {}
            rounds_.append((*prepare_all(pipeline, dumps), spent))
    pipeline.store.engine.dispose()
    cpu, laps, spent = min(rounds_, key=lambda r: r[0])
    return {"dumps": len(dumps), "cpu": [r[0] for r in rounds_], "best_cpu": cpu, "laps": laps,
            "laps_clock": "cpu" if cpu_laps else "wall", "functions": spent}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", type=Path, help="the data folder of an earlier `ingest run FOLDER` (no new run)")
    parser.add_argument("--cpu-laps", action="store_true", help="time the stages by CPU time, not the wall clock")
    parser.add_argument("--functions", action="store_true",
                        help="also the CPU time of the costly functions inside the stages, per dump")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    if args.data:
        r = measure(args.data, args.rounds, args.cpu_laps, args.functions)
    else:
        with tempfile.TemporaryDirectory(prefix="prepare-cpu-") as data:
            fill(args.folder, Path(data))
            r = measure(Path(data), args.rounds, args.cpu_laps, args.functions)
    if args.json:
        print(json.dumps(r))
        return
    n, cpu = r["dumps"], r["best_cpu"]
    print(f"{n} dumps, CPU s per round: {' '.join(f'{c:.2f}' for c in r['cpu'])}")
    print(f"{r['laps_clock']} split of the best round: " + ", ".join(f"{k} {v:.2f} s" for k, v in sorted(r["laps"].items())))
    print(f"prepare CPU {1000 * cpu / n:.2f} ms per dump = {n / cpu:.1f} dumps/s on one core")
    if r["functions"]:
        print("CPU per dump of the functions inside (the best round, timers' own cost included):")
        for _, _, label in FUNCTIONS:
            if label in r["functions"]:
                print(f"  {label:32s} {1e6 * r['functions'][label] / n:8.0f} µs")


if __name__ == "__main__":
    main()
