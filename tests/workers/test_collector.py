"""The garbage collector around an `ingest` command (workers/collector.py)."""
import gc
import subprocess
import sys
from pathlib import Path

from workers import collector

INGEST = Path(sys.executable).parent / "ingest"


def test_start_up_is_over_once_started_freezes_what_was_loaded_and_collects_again():
    # given the collector turned off for a start-up
    frozen, thresholds = gc.get_freeze_count(), gc.get_threshold()
    collector.starting()
    try:
        assert not gc.isenabled()
        loaded = [[] for _ in range(1000)]
        # when start-up is over
        collector.started()
        # then the collector is on again, what was loaded is out of its view, and the youngest
        # generation waits for YOUNG_OBJECTS allocations (the older ones as before)
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen + len(loaded)
        assert gc.get_threshold() == (collector.YOUNG_OBJECTS, *thresholds[1:])
        assert collector.YOUNG_OBJECTS > thresholds[0]
    finally:
        gc.enable()
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_started_is_a_no_op_when_the_collector_was_on():
    # given the collector on (a test, a Celery worker: start-up not timed by the console script)
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    thresholds = gc.get_threshold()
    # when started is called, then nothing is frozen and the thresholds stay
    collector.started()
    assert gc.isenabled() and gc.get_freeze_count() == frozen and gc.get_threshold() == thresholds


def test_every_command_runs_with_the_collector_on(tmp_path):
    # given the console script, whose start-up runs without the collector
    env = {"INGEST_DATA_DIR": str(tmp_path / "data"), "INGEST_INBOX": str(tmp_path / "in"), "PATH": "/usr/bin:/bin"}
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Story. " + "The council met to agree the budget for schools. " * 9)
    probe = ("import gc, sys; from workers import cli; seen = []\n"
             "real_report = cli.report.run_summary\n"
             "cli.report.run_summary = lambda *a: (seen.append(gc.isenabled()), real_report(*a))\n"
             "real_status = cli.report.status\n"
             "cli.report.status = lambda *a, **k: (seen.append(gc.isenabled()), real_status(*a, **k))\n"
             "sys.argv = ['ingest'] + sys.argv[1:]\n"
             "try:\n    cli.main()\nfinally:\n    print('collector on:', seen, file=sys.stderr)\n")
    for args in (["run", str(tmp_path / "in")], ["status"]):
        # when a command runs
        done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, env=env,
                              timeout=120)
        # then it worked, with the collector on once its start-up was over
        assert done.returncode == 0, done.stderr
        assert "collector on: [True]" in done.stderr
