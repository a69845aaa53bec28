#!/usr/bin/env python3
"""CPU of the pure part of a dump's processing, what an embedded run's child processes do
(`Pipeline.prepare_claimed`: read the dump, clean, classify, fingerprint, story features and
the story candidates read from the store), per dump, on one core.

    python bench/prepare_cpu.py FOLDER [--rounds 3]

Runs `ingest run FOLDER` into a fresh store first (not timed: the children's work then has a
store of the same size to look candidates up in), then prepares every stored dump again in this
process, `--rounds` times, and prints the CPU seconds (process time, so other load on the
machine weighs little) of each round, the per-stage wall-clock split of the best one, and the
dumps/s one core would prepare at that CPU cost. Compare two checkouts by running each one's
Python on the same folder, back to back.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def fill(folder: Path, data: Path) -> None:
    env = dict(os.environ, INGEST_DATA_DIR=str(data))
    env.pop("INGEST_BROKER_URL", None)
    env.pop("INGEST_STORE_URL", None)
    subprocess.run([str(BIN / "ingest"), "run", str(folder)], env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.environ.update(INGEST_DATA_DIR=str(data))


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="prepare-cpu-") as data:
        fill(args.folder, Path(data))
        from sqlalchemy import select

        from config import load
        from tasks.pipeline import Pipeline
        from tasks.store.schema import dumps as dumps_table
        pipeline = Pipeline.from_settings(load())
        with pipeline.store.engine.connect() as conn:
            dumps = [tuple(r) for r in conn.execute(select(dumps_table.c.id, dumps_table.c.source_file)
                                                    .where(dumps_table.c.state == "done").order_by(dumps_table.c.source_file))]
        pipeline.classifier(), pipeline.story_rules()
        rounds = [prepare_all(pipeline, dumps) for _ in range(args.rounds)]
        pipeline.store.engine.dispose()
    cpu, laps = min(rounds, key=lambda r: r[0])
    print(f"{len(dumps)} dumps, CPU s per round: {' '.join(f'{c:.2f}' for c, _ in rounds)}")
    print("wall split of the best round: " + ", ".join(f"{k} {v:.2f} s" for k, v in sorted(laps.items())))
    print(f"prepare CPU {1000 * cpu / len(dumps):.2f} ms per dump = {len(dumps) / cpu:.1f} dumps/s on one core")


if __name__ == "__main__":
    main()
