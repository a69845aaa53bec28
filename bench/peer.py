"""The peer pipeline of ../shared/bench/perf_vs_peer.py (trafilatura, jusText, datasketch
MinHash-LSH, a keyword topic list; one Python process in a venv of its own), run on a folder
of dumps. Its code stays in the shared file: this module imports it from there and runs it.

The peer reads the files of one flat folder; `flat_view` gives it one made of hard links to the
dumps of a folder tree (the same files, no copy).
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# the shared benchmark folder: beside the checkout (/work/main -> /work/shared) or two levels up (a worktree)
SHARED_BENCH = next((p / "shared" / "bench" for p in Path(__file__).resolve().parents
                     if (p / "shared" / "bench" / "perf_vs_peer.py").is_file()),
                    Path(__file__).resolve().parents[2] / "shared" / "bench")


def _perf_vs_peer():
    if not (SHARED_BENCH / "perf_vs_peer.py").is_file():
        raise SystemExit(f"no perf_vs_peer.py in {SHARED_BENCH}: the peer needs the shared bench folder "
                         "beside the checkout (or skip row 2's peer with --no-peer)")
    sys.path.insert(0, str(SHARED_BENCH))
    import perf_vs_peer
    return perf_vs_peer


def flat_view(tree: Path, flat: Path) -> int:
    """Hard-link every file under `tree` into the folder `flat` (file names must be unique)."""
    flat.mkdir(parents=True, exist_ok=True)
    n = 0
    for path in sorted(tree.rglob("*")):
        if path.is_file():
            os.link(path, flat / path.name)
            n += 1
    return n


def run_peer(flat: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) the peer pipeline takes over the dumps in `flat` (interpreter
    start included, as `ingest run`'s figures include the command's start)."""
    perf = _perf_vs_peer()
    python = perf.peer_python()   # a cached venv (made once by perf_vs_peer, with pip)
    with tempfile.TemporaryDirectory(prefix="peer-") as work:
        script = Path(work) / "peer.py"
        script.write_text(perf.PEER, encoding="utf8")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run([str(python), "-W", "ignore", str(script), str(flat)], capture_output=True, text=True)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"the peer pipeline failed (rc {done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
