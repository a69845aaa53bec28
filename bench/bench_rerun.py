#!/usr/bin/env python3
"""A re-run of `ingest run` over files already stored: how fast are known files recognised?

    python bench/bench_rerun.py --files 10000             # quick setup (see below)
    python bench/bench_rerun.py --files 10000 --process   # setup by a real first `ingest run`

Makes N small text dumps (in 100 subfolders) and stores them (not timed): by default each is
registered through the Store and its row set `done` directly (the pipeline is not what this
measures, and 10k dumps take it many minutes on a loaded machine); with --process, by a real
first `ingest run` (embedded, SQLite). Then it times, as a user runs it:
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
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def make_files(folder: Path, n: int) -> None:
    for i in range(n):
        sub = folder / f"f{i % 100:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"d{i:05d}.txt").write_text(
            f"Bulletin number {i}\n\nThe council of district {i} met on Tuesday and agreed on a budget of "
            f"{i * 7} thousand for roads, schools and the library, after a debate of {i % 9 + 1} hours.\n")


def store_them(data_dir: Path, folder: Path) -> None:
    """Register every file (read, hash, gzip, insert, as `ingest run` does) and mark it done."""
    from sqlalchemy import update

    from config.settings import Settings
    from tasks.store import Store
    from tasks.store.schema import dumps
    settings = Settings(data_dir=data_dir)
    store = Store(settings.store_url_or_default())
    for path in sorted(folder.rglob("*.txt")):
        store.register(path, settings.max_dump_bytes, settings.pipeline_version)
    with store.engine.begin() as conn:
        conn.execute(update(dumps).values(state="done"))
    store.close()


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
    parser.add_argument("--process", action="store_true", help="store them by a real first `ingest run`")
    parser.add_argument("--no-peer", action="store_true", help="skip the touched (read and hash) peer")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-rerun-") as tmp:
        folder = Path(tmp) / "dumps"
        folder.mkdir()
        make_files(folder, args.files)
        env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_")}
        env.update(INGEST_DATA_DIR=str(Path(tmp) / "data"), COLUMNS="120")
        started = time.perf_counter()
        if args.process:
            ingest_run(env, folder)
        else:
            store_them(Path(tmp) / "data", folder)
        print(f"setup ({'ingest run' if args.process else 'register + mark done'}, not the figure): "
              f"{args.files} files in {time.perf_counter() - started:.1f} s")
        for label, touch in (("rerun (stat cache)", False), ("rerun (touched)", True), ("rerun (stat cache)", False)):
            if touch and args.no_peer:
                continue
            if touch:
                for path in folder.rglob("*.txt"):
                    os.utime(path)
            seconds, out = ingest_run(env, folder)
            assert "Nothing new" in out, out[-1500:]
            inside = float(next(line.split("│")[2] for line in out.splitlines() if "│ seconds" in line))
            print(f"{label:20s} {args.files} files in {seconds:6.2f} s: {args.files / seconds:8.0f} files/s "
                  f"(inside the run, process start and imports aside: {inside:5.2f} s, "
                  f"{args.files / inside:6.0f} files/s)")


if __name__ == "__main__":
    main()
