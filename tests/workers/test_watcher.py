"""The watcher's core, driven with a fake clock and fake register/send (no threads, no sleeps)."""
import os
from pathlib import Path

import pytest

from workers.watcher import OPEN_GIVE_UP, Actions, Watcher


class Fake:
    """A store and a queue that can be down."""

    def __init__(self):
        self.registered: list[Path] = []
        self.sent: list[str] = []
        self.store_down = self.broker_down = False

    def register(self, path: Path):
        if self.store_down:
            raise ConnectionRefusedError("store down")
        path.read_bytes()
        self.registered.append(path)
        return f"id-{path.name}", True

    def send(self, ids):
        if self.broker_down:
            raise ConnectionError("broker down")
        self.sent.extend(ids)


def make(tmp_path, settle=1.0):
    fake = Fake()
    return Watcher(tmp_path, settle, Actions(fake.register, fake.send)), fake


def test_rescan_takes_files_that_arrived_while_down_once_settled(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    watcher, fake = make(tmp_path)
    watcher.rescan()
    assert watcher.tick(0.0) == []          # first sight: remember size and mtime
    assert watcher.tick(0.5) == []          # not settled yet
    assert watcher.tick(1.1) == [tmp_path / "a.txt"] and fake.sent == ["id-a.txt"]
    assert watcher.tick(5.0) == []          # taken once
    watcher.rescan()                        # and a later rescan of the unchanged file takes nothing
    assert watcher.tick(9.0) == [] and not watcher.pending


def test_a_growing_file_waits_until_it_stops_changing(tmp_path):
    watcher, fake = make(tmp_path)
    path = tmp_path / "b.txt"
    path.write_text("half")
    watcher.events.put(("created", path))
    watcher.tick(0.0)
    path.write_text("half and the rest")
    watcher.events.put(("closed", path))
    assert watcher.tick(1.5) == []          # changed since last look: the clock restarts
    assert watcher.tick(2.0) == []
    assert watcher.tick(2.6) == [path]


def test_a_file_held_open_by_a_paused_writer_is_not_taken(tmp_path):
    # given a writer that wrote half, and pauses with the file open (no close-write yet)
    watcher, fake = make(tmp_path, settle=1.0)
    path = tmp_path / "slow.txt"
    path.write_text("half")
    watcher.events.put(("created", path))
    watcher.events.put(("modified", path))
    watcher.tick(0.0)
    # when it has been quiet for longer than the settle time
    assert watcher.tick(3.5) == [] and fake.registered == []
    # then it is taken only after the writer closed it, and settled
    path.write_text("half and the rest")
    watcher.events.put(("modified", path))
    watcher.events.put(("closed", path))
    assert watcher.tick(4.0) == []
    assert watcher.tick(5.1) == [path]


def test_an_open_file_whose_close_was_lost_is_taken_eventually(tmp_path):
    watcher, fake = make(tmp_path)
    path = tmp_path / "c.txt"
    path.write_text("c")
    watcher.events.put(("modified", path))
    watcher.tick(0.0)
    assert watcher.tick(OPEN_GIVE_UP - 1) == []
    assert watcher.tick(OPEN_GIVE_UP + 0.1) == [path]


@pytest.mark.parametrize("name", ["x.part", "X.PART", ".hidden", "y.tmp", "y.TMP", "z.txt~", "a.filepart",
                                  "b.crdownload", "c.!sync", ".c.txt.Xa3b9Q", "d.Part"])
def test_temporary_names_are_never_taken(tmp_path, name):
    watcher, fake = make(tmp_path, settle=0)
    (tmp_path / name).write_text("x")
    watcher.events.put(("created", tmp_path / name))
    watcher.events.put(("closed", tmp_path / name))
    watcher.rescan()
    watcher.tick(0.0)
    assert watcher.tick(1.0) == [] and not watcher.pending and fake.registered == []


def test_a_vanished_file_is_forgotten(tmp_path):
    watcher, fake = make(tmp_path, settle=0)
    watcher.events.put(("closed", tmp_path / "gone.txt"))
    watcher.tick(0.0)
    assert watcher.tick(1.0) == [] and not watcher.pending


def test_a_store_outage_keeps_the_file_pending_with_backoff_then_sends_it(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    watcher, fake = make(tmp_path, settle=0)
    fake.store_down = True
    watcher.rescan()
    watcher.tick(0.0)
    assert watcher.tick(0.1) == [] and tmp_path / "a.txt" in watcher.pending
    assert watcher.retry_at == pytest.approx(1.1)          # first retry after 1 s
    watcher.tick(1.2)
    assert watcher.retry_at == pytest.approx(3.2)          # then 2 s: backoff doubles
    fake.store_down = False
    assert watcher.tick(2.0) == []                         # still waiting out the backoff
    assert watcher.tick(3.3) == [tmp_path / "a.txt"] and fake.sent == ["id-a.txt"]
    assert watcher.backoff == 0


def test_a_broker_outage_keeps_the_registered_dump_and_sends_it_once_back(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    watcher, fake = make(tmp_path, settle=0)
    fake.broker_down = True
    watcher.rescan()
    watcher.tick(0.0)
    watcher.tick(0.1)
    assert fake.sent == [] and watcher.unsent          # registered, not sent
    for t in (1.2, 3.3, 7.4):
        watcher.tick(t)
    assert fake.sent == [] and watcher.backoff == 8
    fake.broker_down = False
    watcher.tick(16.0)
    assert sorted(fake.sent) == ["id-a.txt", "id-b.txt"] and not watcher.unsent
    assert len(fake.registered) == 2                   # registered once each


def test_an_unreadable_file_is_reported_and_the_others_go_on(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.txt").chmod(0)
    watcher, fake = make(tmp_path, settle=0)
    watcher.rescan()
    watcher.tick(0.0)
    assert watcher.tick(0.1) == [tmp_path / "b.txt"] and watcher.backoff == 0


def test_a_rewritten_file_is_taken_again(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("first")
    watcher, fake = make(tmp_path, settle=0)
    watcher.rescan()
    watcher.tick(0.0)
    watcher.tick(0.1)
    path.write_text("second version")
    os.utime(path, ns=(1, 1))
    watcher.events.put(("closed", path))
    watcher.tick(1.0)
    assert watcher.tick(1.1) == [path] and fake.registered == [path, path]
