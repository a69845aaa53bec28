"""A worker process killed in the middle of a task loses nothing: the task is put back
(late acks + task_reject_on_worker_lost) and done by the next process."""
import os
import signal
import subprocess
import time

import pytest

from config.settings import Settings
from tasks.store import Store
from tests.integration.processes import BIN, environment, start_worker
from workers.queue import BATCH_TASK_NAME, Queue


def big_page(paragraphs: int) -> str:
    body = "".join(f"<p>Paragraph {i}: the council met again on Tuesday to discuss the budget, the roads and "
                   f"the new school, and residents asked many questions about taxes and services.</p>\n"
                   for i in range(paragraphs))
    return f"<html><head><title>Council minutes</title></head><body><article>{body}</article></body></html>"


def pool_children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def wait_for_state(store: Store, state: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if store.counts().get(state):
            return store.counts()
        time.sleep(0.05)
    raise AssertionError(f"no dump reached {state!r}: {store.counts()}")


@pytest.fixture
def slow_dump(tmp_path):
    """A folder with one dump that takes the clean stage a few seconds (a 7 MB page)."""
    (tmp_path / "dumps").mkdir()
    (tmp_path / "dumps" / "minutes.html").write_text(big_page(40_000))
    return tmp_path / "dumps"


@pytest.fixture
def worker_and_store(tmp_path, redis_url, pg_url, queue_name, request):
    """A worker on the real Redis and PostgreSQL, with extra settings given by indirect parametrize."""
    env = environment(tmp_path, redis_url, pg_url, queue_name, **getattr(request, "param", {}))
    worker = start_worker("w1", env, tmp_path)
    store = Store(pg_url)
    yield env, worker, store
    store.close()
    worker.stop()


def test_a_killed_worker_process_loses_no_dump(tmp_path, slow_dump, worker_and_store):
    env, worker, store = worker_and_store
    run = subprocess.Popen([str(BIN / "ingest"), "run", str(slow_dump)], env=env, cwd=tmp_path,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # when the dump is being processed, its pool process is killed
    wait_for_state(store, "processing")
    children = pool_children(worker.handle.pid)
    assert children, "no pool process to kill"
    for child in children:
        os.kill(child, signal.SIGKILL)
    # then the task is redelivered and the dump ends done, on a second attempt
    out, err = run.communicate(timeout=240)
    assert run.returncode == 0, out + err
    assert "signal 9" in worker.output() or "WorkerLostError" in worker.output(), worker.output()[-2000:]
    (article,) = list(store.export())
    dump = store.dump(article["dump_id"])
    assert dump["state"] == "done" and dump["attempts"] >= 2


# given workers allowed 3 s per dump (the soft limit fires at 90% of it, and 1 s before: 2 s)
@pytest.mark.parametrize("worker_and_store", [{"INGEST_TASK_TIME_LIMIT": "3"}], indirect=True)
def test_a_dump_over_the_time_limit_fails_with_that_reason(tmp_path, slow_dump, worker_and_store):
    env, worker, store = worker_and_store
    # when a dump takes longer than that
    run = subprocess.run([str(BIN / "ingest"), "run", str(slow_dump)], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    # then it ends failed, kept, with a reason that says what to do
    assert run.returncode == 1
    (failure,) = store.recent_failures()
    assert "2 s, the soft limit (90% of INGEST_TASK_TIME_LIMIT=3 s" in failure["error"]


def test_a_worker_killed_mid_batch_loses_nothing_and_charges_only_the_dump_in_flight(tmp_path, slow_dump,
                                                                                      worker_and_store):
    env, worker, store = worker_and_store
    # given one message carrying three dumps: a short one, the slow page, another short one
    text = ("The harbour reopened on Monday after a week of repairs to the sea wall, and the first ferries "
            "left on time. ") * 4
    (slow_dump / "before.txt").write_text("Harbour reopens\n\n" + text)
    (slow_dump / "after.txt").write_text("Ferries return\n\n" + text.replace("harbour", "port"))
    ids = [store.register(slow_dump / name, 10_000_000, "t").dump_id
           for name in ("before.txt", "minutes.html", "after.txt")]
    queue = Queue(Settings(broker_url=env["INGEST_BROKER_URL"], queue=env["INGEST_QUEUE"]))
    queue.app.send_task(BATCH_TASK_NAME, args=[ids], queue=env["INGEST_QUEUE"])
    # when the worker's pool process is killed while the slow page (the second) is processed
    deadline = time.monotonic() + 60
    while store.dump(ids[1])["state"] != "processing":
        assert time.monotonic() < deadline, [store.dump(i)["state"] for i in ids]
        time.sleep(0.05)
    assert store.dump(ids[0])["state"] == "done" and store.dump(ids[2])["state"] == "queued"
    for child in pool_children(worker.handle.pid):
        os.kill(child, signal.SIGKILL)
    # then the message comes back and every dump ends done
    deadline = time.monotonic() + 180
    while any(store.dump(i)["state"] != "done" for i in ids):
        assert time.monotonic() < deadline, [(store.dump(i)["state"], store.dump(i)["error"]) for i in ids]
        time.sleep(0.2)
    # and only the dump in flight counts the crash: the one before it is not processed again
    assert [store.dump(i)["attempts"] for i in ids] == [1, 2, 1]
    assert len(list(store.export())) == 3
