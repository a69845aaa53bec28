"""Wall time of `ingest status` (the command an operator runs most), median of N runs.

    python bench/bench_status.py --runs 7 [--tree /path/to/other/checkout ...]

Each --tree is another source tree of the project (e.g. `git archive <commit>` of an earlier
release), run through the same interpreter with PYTHONPATH set to it, alternating with this
checkout, so that both see the same machine load. The store and broker are those of the
environment (INGEST_STORE_URL / INGEST_BROKER_URL), e.g. PostgreSQL and Redis."""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def once(tree: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from workers.cli import main; main()", "status"], env=env,
                          cwd=tree, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"ingest status failed in {tree}:\n{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--tree", type=Path, action="append", default=[])
    args = parser.parse_args()
    trees = [HERE] + args.tree
    times: dict[Path, list[float]] = {t: [] for t in trees}
    for _ in range(args.runs):
        for tree in trees:
            times[tree].append(once(tree))
    for tree in trees:
        print(f"{str(tree):40s} median {statistics.median(times[tree]):.2f} s  "
              f"(min {min(times[tree]):.2f}, max {max(times[tree]):.2f}, {args.runs} runs)")


if __name__ == "__main__":
    main()
