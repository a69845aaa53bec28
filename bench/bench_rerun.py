#!/usr/bin/env python3
"""A re-run of `ingest run` over files already stored: how fast are known files recognised?

    python bench/bench_rerun.py --files 10000

Makes N small text dumps (in 100 subfolders), stores them with a first `ingest run`
(embedded, SQLite; not timed), then times, as a user runs it:
- `rerun (stat cache)`: `ingest run` again over the unchanged files: one stat each, and one
  query per 500 files against the path/size/mtime kept on the dump rows;
- `rerun (touched)`, the peer in the same run: the same after `touch`ing every file, so each
  is read, hashed and looked up by content (what every re-run cost before the cache).
Each figure is files/s over the whole command's wall time, process start included.
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


def make_files(folder: Path, n: int) -> None:
    for i in range(n):
        sub = folder / f"f{i % 100:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"d{i:05d}.txt").write_text(
            f"Bulletin number {i}\n\nThe council of district {i} met on Tuesday and agreed on a budget of "
            f"{i * 7} thousand for roads, schools and the library, after a debate of {i % 9 + 1} hours.\n")


def ingest_run(env: dict, folder: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "ingest"), "run", str(folder)], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"ingest run failed:\n{done.stderr[-2000:]}")
    return seconds, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-rerun-") as tmp:
        folder = Path(tmp) / "dumps"
        folder.mkdir()
        make_files(folder, args.files)
        env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_")}
        env.update(INGEST_DATA_DIR=str(Path(tmp) / "data"), COLUMNS="120")
        first, _ = ingest_run(env, folder)
        print(f"first run (stores them, not the figure): {args.files} files in {first:.1f} s")
        for label, touch in (("rerun (stat cache)", False), ("rerun (touched)", True), ("rerun (stat cache)", False)):
            if touch:
                for path in folder.rglob("*.txt"):
                    os.utime(path)
            seconds, out = ingest_run(env, folder)
            assert "Nothing new" in out, out[-1500:]
            print(f"{label:20s} {args.files} files in {seconds:6.2f} s: {args.files / seconds:8.0f} files/s")


if __name__ == "__main__":
    main()
