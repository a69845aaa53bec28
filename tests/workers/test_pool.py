"""The embedded process pool (workers/pool.py), with real child processes: children prepare,
the parent commits in the order given, and a child that dies, hangs or is interrupted never
loses a dump."""
from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import time
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

import tasks.pipeline
from config.settings import Settings
from tasks.pipeline import Pipeline
from tasks.store import Store
from tests.conftest import SEEDS
from workers import runner
from workers.pool import Pool
from workers.pool_child import Outbox

SEED = sorted(SEEDS.glob("*.txt"))
MARK = "Marker line that makes the patched stage misbehave."


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", inbox=tmp_path / "inbox", embedded_processes=2)


def dumps(folder: Path, marked: tuple[int, ...] = ()) -> Path:
    """The seeds as dumps (000 and 001 are one story: 001 is 000's duplicate), in file order;
    the `marked` ones carry MARK."""
    folder.mkdir(parents=True, exist_ok=True)
    for n, seed in enumerate(SEED):
        text = seed.read_text(encoding="utf8")
        (folder / seed.name).write_text(text + (f"\n\n{MARK}\n" if n in marked else ""), encoding="utf8")
    return folder


def misbehave_on_mark(monkeypatch, act) -> None:
    """The clean stage runs `act()` on a dump holding MARK. Children must be forked to inherit
    the patch: the run's progress bar has a thread, so the children that replace a dead one
    would otherwise come from the fork server, without it."""
    monkeypatch.setattr(Pool, "start_method", staticmethod(lambda: "fork"))
    real = tasks.pipeline.clean

    def clean(raw, *args, **kwargs):
        if MARK.encode() in raw:
            act()
        return real(raw, *args, **kwargs)
    monkeypatch.setattr(tasks.pipeline, "clean", clean)


def ingest(settings: Settings, folder: Path) -> tuple[runner.RunReport, Store]:
    store = Store(settings.store_url_or_default())
    return runner.run(settings, [folder], Console(quiet=True), store), store


def exported(store: Store) -> dict[str, str | None]:
    """{source file: the source file of the article it duplicates}."""
    rows = list(store.export())
    file_of = {a["id"]: a["source_file"] for a in rows}
    return {a["source_file"]: file_of.get(a["duplicate_of"]) for a in rows}


def children() -> list:
    return multiprocessing.active_children()


def test_a_pool_stores_what_one_process_stores(tmp_path, settings):
    # given the seeds, ingested once in one process and once in a pool of two
    one, _ = ingest(replace(settings, embedded_processes=1, data_dir=tmp_path / "one"), dumps(tmp_path / "a"))
    report, store = ingest(settings, dumps(tmp_path / "b"))
    # then both stored every dump, and the earlier file is the original of the duplicate pair
    assert report.processed == one.processed == len(SEED)
    assert not report.failed
    assert exported(store) == exported(Store(replace(settings, data_dir=tmp_path / "one").store_url_or_default()))
    assert exported(store)[SEED[1].name] == SEED[0].name
    assert children() == []


def test_a_child_that_exits_fails_its_dump_only(tmp_path, settings, monkeypatch):
    # given a stage that ends its process on one dump (as a crash in C code would)
    misbehave_on_mark(monkeypatch, lambda: os._exit(3))
    # when the dumps go through the pool
    report, store = ingest(settings, dumps(tmp_path / "in", marked=(2,)))
    # then that dump is failed with the reason, and every other one is stored
    assert [f["source_file"] for f in report.failed] == [SEED[2].name]
    assert "the process preparing it died (exit code 3)" in report.failed[0]["error"]
    assert "ingest requeue" in report.failed[0]["error"]
    assert report.processed == len(SEED) - 1
    assert sorted(exported(store)) == sorted(s.name for n, s in enumerate(SEED) if n != 2)


def test_a_child_killed_by_a_signal_fails_its_dump_and_is_replaced(tmp_path, settings, monkeypatch):
    # given a stage whose process is killed (the OOM killer's SIGKILL) on two dumps
    misbehave_on_mark(monkeypatch, lambda: os.kill(os.getpid(), signal.SIGKILL))
    # when the dumps go through a pool of two
    report, _ = ingest(settings, dumps(tmp_path / "in", marked=(0, 3)))
    # then both end failed with the signal named, and the others are stored by fresh children
    assert sorted(f["source_file"] for f in report.failed) == [SEED[0].name, SEED[3].name]
    assert all("killed by signal SIGKILL" in f["error"] for f in report.failed)
    assert report.processed == len(SEED) - 2
    assert children() == []


def test_a_crash_in_a_child_is_an_internal_error_of_that_dump(tmp_path, settings, monkeypatch):
    # given a stage that raises on one dump
    def boom():
        raise RuntimeError("the stage broke")
    misbehave_on_mark(monkeypatch, boom)
    # when the dumps go through the pool
    report, _ = ingest(settings, dumps(tmp_path / "in", marked=(1,)))
    # then that dump fails with our crash as its reason
    assert [f["source_file"] for f in report.failed] == [SEED[1].name]
    assert "internal error: RuntimeError: the stage broke" in report.failed[0]["error"]
    assert report.processed == len(SEED) - 1


def test_a_child_over_the_time_limit_is_killed_and_its_dump_fails(tmp_path, settings, monkeypatch):
    # given a stage that hangs on one dump, and a time limit of 2 s
    misbehave_on_mark(monkeypatch, lambda: time.sleep(600))
    settings = replace(settings, task_time_limit=2)
    # when the dumps go through the pool
    report, _ = ingest(settings, dumps(tmp_path / "in", marked=(4,)))
    # then that dump fails with the limit named, and the run did not wait for the hang
    assert [f["source_file"] for f in report.failed] == [SEED[4].name]
    assert "INGEST_TASK_TIME_LIMIT=2" in report.failed[0]["error"]
    assert report.processed == len(SEED) - 1
    assert children() == []


def test_an_interrupted_pool_puts_the_dumps_it_held_back_in_the_queue(tmp_path, settings, monkeypatch):
    # given dumps registered, two of them slow to prepare
    misbehave_on_mark(monkeypatch, lambda: time.sleep(3))
    folder = dumps(tmp_path / "in", marked=(1, 2))
    store = Store(settings.store_url_or_default())
    ids = [store.register(p, settings.max_dump_bytes, settings.pipeline_version).dump_id
           for p in sorted(folder.iterdir())]
    outcomes = []

    def ctrl_c(outcome):
        outcomes.append(outcome)
        raise KeyboardInterrupt
    # when Ctrl-C arrives as the first dump is committed
    with pytest.raises(KeyboardInterrupt):
        with Pool(Pipeline(settings, store), 2) as pool:
            pool.run(ids, ctrl_c)
    # then the children are gone, the first dump is done, and no dump is left held by a lease
    assert children() == []
    states = store.states(ids)
    assert states[outcomes[0].dump_id] == "done"
    assert set(states.values()) <= {"done", "queued"}
    assert [store.dump(i)["attempts"] for i in ids if states[i] == "queued"] == \
           [0] * sum(s == "queued" for s in states.values())
    # and the next run takes the rest
    monkeypatch.undo()
    report, _ = ingest(settings, folder)
    assert report.processed == sum(s == "queued" for s in states.values())
    assert not report.failed


def test_one_process_means_no_pool(tmp_path, settings, monkeypatch):
    # given INGEST_EMBEDDED_PROCESSES=1
    started = []
    monkeypatch.setattr(Pool, "__enter__", lambda self: started.append(self) or self)
    report, _ = ingest(replace(settings, embedded_processes=1), dumps(tmp_path / "in"))
    # then everything ran in this process
    assert report.processed == len(SEED) and started == []


def test_a_fresh_child_builds_its_own_pipeline_when_not_forked(tmp_path, settings, monkeypatch):
    # given a process with another thread running (a web server's), so children cannot be forked
    import threading
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        report, store = ingest(settings, dumps(tmp_path / "in"))
    finally:
        stop.set()
        thread.join()
    # then the fork server's children open the store themselves, and store the same
    assert report.processed == len(SEED) and not report.failed
    assert exported(store)[SEED[1].name] == SEED[0].name
    shutil.rmtree(tmp_path / "in")


def test_a_child_killed_before_its_results_left_fails_only_the_dump_it_was_preparing(tmp_path, settings, monkeypatch):
    # given children whose results leave slowly (as when the writer is busy and the pipe full),
    # and a stage whose process is killed on dump 4, when it has prepared others not yet sent
    misbehave_on_mark(monkeypatch, lambda: os.kill(os.getpid(), signal.SIGKILL))
    send = Outbox._send_all

    def slow(self):
        time.sleep(1.0)
        send(self)
    monkeypatch.setattr(Outbox, "_send_all", slow)
    # when the dumps go through a pool of two
    report, store = ingest(settings, dumps(tmp_path / "in", marked=(4,)))
    # then only that dump fails; the ones prepared before it are prepared again and stored
    assert [f["source_file"] for f in report.failed] == [SEED[4].name]
    assert "killed by signal SIGKILL" in report.failed[0]["error"]
    assert report.processed == len(SEED) - 1
    assert sorted(exported(store)) == sorted(s.name for n, s in enumerate(SEED) if n != 4)
    assert children() == []
