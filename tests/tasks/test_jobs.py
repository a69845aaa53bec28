"""The Celery tasks run in process (Task.apply) over a real SQLite store: a batch of dumps is
processed one dump after the other, each with its own outcome, so one bad or slow dump never
takes the others of its message with it."""
import time

import pytest
from sqlalchemy.exc import OperationalError

from config import load
from tasks.errors import DumpFailed
from tasks.jobs import PipelineTask, process_dump, process_dumps
from tasks.policy import STORE_TRIES
from tasks.store import Store, faults
from tasks.store.store import Reads
from tests.tasks.test_pipeline import story


@pytest.fixture
def store(env, monkeypatch):
    monkeypatch.setattr(PipelineTask, "_pipeline", None)   # this test's store, not a cached one
    store = Store(load().store_url_or_default())
    yield store
    store.close()


def register(tmp_path, store, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return store.register(path, 10_000_000, "t").dump_id


def big_page(paragraphs: int) -> str:
    body = "".join(f"<p>Paragraph {i}: the council met again on Tuesday to discuss the budget, the roads and "
                   f"the new school, and residents asked many questions about taxes and services.</p>\n"
                   for i in range(paragraphs))
    return f"<html><head><title>Council minutes</title></head><body><article>{body}</article></body></html>"


def test_a_batch_goes_on_past_a_bad_dump_and_its_task_fails_naming_it(tmp_path, store):
    # given three dumps sent in one message, the middle one empty
    ids = [register(tmp_path, store, "a.txt", story(0)), register(tmp_path, store, "empty.txt", ""),
           register(tmp_path, store, "b.txt", story(1))]
    # when the batch task runs
    result = process_dumps.apply(args=[ids])
    # then the good dumps are done, the empty one failed with its reason, each claimed once
    rows = [store.dump(i) for i in ids]
    assert [r["state"] for r in rows] == ["done", "failed", "done"]
    assert [r["attempts"] for r in rows] == [1, 1, 1]
    # and the task fails (a Celery FAILURE, counted by monitoring) naming the failed dump only
    assert isinstance(result.result, DumpFailed)
    assert ids[1] in str(result.result) and ids[0] not in str(result.result)


def test_a_batch_of_good_dumps_returns_each_outcome_and_a_rerun_skips_them(tmp_path, store):
    ids = [register(tmp_path, store, f"{i}.txt", story(i)) for i in range(3)]
    first = process_dumps.apply(args=[ids]).get()
    assert [o["state"] for o in first] == ["done"] * 3 and [o["dump_id"] for o in first] == ids
    # when the same message is delivered again (a redelivery), then nothing is processed twice
    again = process_dumps.apply(args=[ids]).get()
    assert [o["state"] for o in again] == ["skipped"] * 3
    assert len(list(store.export())) == 3


def test_each_dump_of_a_batch_has_its_own_soft_time_limit(tmp_path, store, monkeypatch):
    # given workers allowed 3 s per dump (soft limit 2 s), and a batch: a slow page, then a short dump
    monkeypatch.setenv("INGEST_TASK_TIME_LIMIT", "3")
    slow = register(tmp_path, store, "minutes.html", big_page(40_000))
    quick = register(tmp_path, store, "quick.txt", story(2))
    # when the batch runs
    result = process_dumps.apply(args=[[slow, quick]])
    # then the slow dump fails over its own limit, with the reason, and the next one is done
    assert store.dump(slow)["state"] == "failed"
    assert "2 s, the soft limit (90% of INGEST_TASK_TIME_LIMIT=3 s" in store.dump(slow)["error"]
    assert store.dump(quick)["state"] == "done"
    assert isinstance(result.result, DumpFailed) and "soft time limit" in str(result.result)


def test_one_dump_per_task_still_fails_its_task_with_the_reason(tmp_path, store):
    dump_id = register(tmp_path, store, "empty.txt", "")
    result = process_dump.apply(args=[dump_id])
    assert isinstance(result.result, DumpFailed) and dump_id in str(result.result)
    assert store.dump(dump_id)["state"] == "failed"


def test_a_batch_cut_by_a_store_outage_resumes_at_that_dump_with_its_lease(tmp_path, store, monkeypatch):
    # given three dumps in one message, and the store lost while the second is read, for longer
    # than one store call retries (each read of a prepare runs on one connection: Store.reading)
    ids = [register(tmp_path, store, f"{i}.txt", story(i)) for i in range(3)]
    real_raw, lost = Reads.raw, []

    def raw(self, dump_id):
        if dump_id == ids[1] and len(lost) < STORE_TRIES:
            lost.append(dump_id)
            raise OperationalError("SELECT raw_gz", {}, Exception("server closed the connection"))
        return real_raw(self, dump_id)
    monkeypatch.setattr(Reads, "raw", raw)
    monkeypatch.setattr(faults, "store_retry_delay", lambda attempt: 0.0)
    # when the batch runs (in process, its retry runs at once, from the second dump on)
    process_dumps.apply(args=[ids])
    # then every dump is done, each claimed once: the first not again, the second resumed its lease
    assert lost == [ids[1]] * STORE_TRIES
    assert [(store.dump(i)["state"], store.dump(i)["attempts"]) for i in ids] == [("done", 1)] * 3
    assert len(list(store.export())) == 3


def test_a_batch_dumps_soft_limit_fires_again_when_the_first_one_is_swallowed():
    # given a dump's soft limit of 0.1 s, and code that swallows the first SoftLimit (as a
    # finalizer or weakref callback does: the garbage collector prints it and goes on)
    from tasks.jobs import SoftLimit, _dump_time_limit
    swallowed = []
    # when the dump runs on past its limit
    with pytest.raises(SoftLimit):
        with _dump_time_limit(0.1):
            try:
                while True:
                    pass
            except SoftLimit:
                swallowed.append(1)
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:   # the dump goes on, as if nothing had happened
                pass
    # then the limit fired again and stopped it
    assert swallowed == [1]
