"""The watcher's settle logic, driven with a fake clock (no threads, no sleeps)."""
from pathlib import Path

from workers.watcher import Watcher


def make(tmp_path, settle=1.0):
    taken: list[Path] = []
    return Watcher(tmp_path, settle, taken.append), taken


def test_rescan_takes_files_that_arrived_while_down_once_settled(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    watcher, taken = make(tmp_path)
    watcher.rescan()
    assert watcher.tick(0.0) == []          # first sight: remember size and mtime
    assert watcher.tick(0.5) == []          # not settled yet
    assert watcher.tick(1.1) == [tmp_path / "a.txt"] and taken == [tmp_path / "a.txt"]
    assert watcher.tick(5.0) == []          # taken once


def test_a_growing_file_waits_until_it_stops_changing(tmp_path):
    watcher, taken = make(tmp_path)
    path = tmp_path / "b.txt"
    path.write_text("half")
    watcher.events.put(path)
    watcher.tick(0.0)
    path.write_text("half and the rest")
    assert watcher.tick(1.5) == []          # changed since last look: the clock restarts
    assert watcher.tick(2.0) == []
    assert watcher.tick(2.6) == [path]


def test_temporary_names_and_vanished_files_are_ignored(tmp_path):
    watcher, taken = make(tmp_path, settle=0)
    for name in ("x.part", ".hidden", "y.tmp", "z.txt~"):
        (tmp_path / name).write_text("x")
        watcher.events.put(tmp_path / name)
    watcher.events.put(tmp_path / "gone.txt")
    watcher.tick(0.0)
    assert watcher.tick(1.0) == [] and not watcher.pending and taken == []
