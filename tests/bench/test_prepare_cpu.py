"""bench/prepare_cpu.py: --cpu-laps times the pipeline's stages by CPU time."""
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import prepare_cpu  # noqa: E402
from tasks import timing  # noqa: E402


def test_given_cpu_stopwatch_then_a_lap_spent_waiting_counts_no_time_and_the_wall_clock_comes_back():
    with prepare_cpu.cpu_stopwatch():
        watch = timing.Stopwatch()
        with watch.lap("clean"):
            time.sleep(0.3)
    assert watch.laps["clean"] < 0.1
    assert timing.time is time
    wall = timing.Stopwatch()
    with wall.lap("clean"):
        time.sleep(0.3)
    assert wall.laps["clean"] >= 0.3


def test_given_function_timer_then_each_named_function_is_timed_by_cpu_and_put_back_after():
    from tasks.stages import dedup
    original = dedup.fingerprint
    # given the timers on, when fingerprint runs while the process also sleeps
    with prepare_cpu.function_timer({}) as spent:
        assert dedup.fingerprint is not original
        for _ in range(200):
            dedup.fingerprint("the same wire story republished with small edits " * 20)
        time.sleep(0.3)
    # then its CPU time is counted under its label (the sleep is not), and the function is back
    assert 0 < spent["fingerprint"] < 0.3
    assert set(spent) == {"fingerprint"}
    assert dedup.fingerprint is original
