"""bench/production.py's memory reading: RSS, PSS, and each process's private and shared pages."""
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))   # the bench scripts import each other by name, as when run from bench/

import production  # noqa: E402


def test_rollup_lines_are_read_as_kilobytes():
    # given smaps_rollup's text
    text = "55d0-7ffd ---p 00000000 00:00 0  [rollup]\nRss:  2048 kB\nPss:  1024 kB\nPrivate_Clean:  12 kB\n"
    # when it is read
    got = production._rollup_kb(text)
    # then each "Name: N kB" line is a number, the header line none
    assert got == {"Rss": 2048, "Pss": 1024, "Private_Clean": 12}


def test_a_process_group_memory_splits_each_process_into_private_and_shared():
    # given a process group of two: a leader and a child it started
    leader = subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time; "
                               "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)']); "
                               "time.sleep(30)"], start_new_session=True)
    try:
        for _ in range(100):   # until the child is there
            memory = production.memory_mb(leader.pid)
            if memory["processes"] == 2:
                break
            os.sched_yield()
            subprocess.run(["sleep", "0.05"])
        # then both are counted, and each RSS is its private plus its shared pages
        assert memory["processes"] == 2 and len(memory["split"]) == 2
        for part in memory["split"]:
            assert part["rss"] > 0 and part["private"] > 0
            assert abs(part["rss"] - part["private"] - part["shared"]) <= 1
        assert memory["largest_rss"] == max(p["rss"] for p in memory["split"])
        assert 0 < memory["total_pss"] <= sum(p["rss"] for p in memory["split"])
    finally:
        os.killpg(leader.pid, 9)
        leader.wait()
