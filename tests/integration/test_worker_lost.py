"""A worker process killed in the middle of a task loses nothing: the task is put back
(late acks + task_reject_on_worker_lost) and done by the next process. One killed by the hard
time limit fails its dump in flight at once, with that reason (workers/timeouts.py)."""
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
    # then it ends failed on its first attempt, kept, with a reason that says what to do: the soft
    # limit's, or (when the page's parse held the process in C code past the soft limit, as on a
    # loaded machine) the hard limit's, recorded by the worker's main process
    assert run.returncode == 1, run.stdout + run.stderr
    (failure,) = store.recent_failures()
    assert ("2 s, the soft limit (90% of INGEST_TASK_TIME_LIMIT=3 s" in failure["error"]
            or "ran past INGEST_TASK_TIME_LIMIT=3 s, the hard time limit" in failure["error"]), failure["error"]
    assert f"raise INGEST_TASK_TIME_LIMIT, then `ingest requeue {failure['id']}`" in failure["error"]
    assert store.dump(failure["id"])["attempts"] == 1


def hang(pids: list[int]) -> None:
    """SIGSTOP: the process runs no signal handler any more, as when stuck inside one long C call."""
    assert pids, "no pool process to hang"
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)


@pytest.mark.parametrize("worker_and_store", [{"INGEST_TASK_TIME_LIMIT": "3"}], indirect=True)
def test_a_dump_hung_past_the_hard_limit_fails_with_that_reason_at_once(tmp_path, slow_dump, worker_and_store):
    env, worker, store = worker_and_store
    run = subprocess.Popen([str(BIN / "ingest"), "run", str(slow_dump)], env=env, cwd=tmp_path,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # when the pool process is hung while it processes the dump: the soft limit cannot reach it
    wait_for_state(store, "processing")
    hang(pool_children(worker.handle.pid))
    # then the hard limit kills it, and the worker's main process fails the dump with that reason,
    # on this first attempt (not after its lease expired and it crashed its worker 3 times)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 1, out + err
    assert "Hard time limit (3s) exceeded" in worker.output(), worker.output()[-2000:]
    (failure,) = store.recent_failures()
    assert "ran past INGEST_TASK_TIME_LIMIT=3 s, the hard time limit" in failure["error"], failure["error"]
    assert f"raise INGEST_TASK_TIME_LIMIT, then `ingest requeue {failure['id']}`" in failure["error"]
    assert store.dump(failure["id"])["attempts"] == 1
    # and the workers' metrics count it as failed
    assert 'ingest_worker_dumps_total{outcome="failed"} 1.0' in worker_metrics(tmp_path / "data" / "metrics")


def worker_metrics(folder) -> str:
    from prometheus_client import CollectorRegistry, generate_latest, multiprocess
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(folder))
    return generate_latest(registry).decode()


def batch_around(store: Store, folder, env: dict, **limits) -> list[str]:
    """One message carrying three dumps: a short one, the slow page, another short one."""
    text = ("The harbour reopened on Monday after a week of repairs to the sea wall, and the first ferries "
            "left on time. ") * 4
    (folder / "before.txt").write_text("Harbour reopens\n\n" + text)
    (folder / "after.txt").write_text("Ferries return\n\n" + text.replace("harbour", "port"))
    ids = [store.register(folder / name, 10_000_000, "t").dump_id for name in ("before.txt", "minutes.html", "after.txt")]
    queue = Queue(Settings(broker_url=env["INGEST_BROKER_URL"], queue=env["INGEST_QUEUE"]))
    queue.app.send_task(BATCH_TASK_NAME, args=[ids], queue=env["INGEST_QUEUE"], **limits)
    return ids


def wait_for_processing(store: Store, dump_id: str, ids: list[str]) -> None:
    deadline = time.monotonic() + 60
    while store.dump(dump_id)["state"] != "processing":
        assert time.monotonic() < deadline, [store.dump(i)["state"] for i in ids]
        time.sleep(0.05)


def wait_until_ended(store: Store, ids: list[str], timeout: float = 180) -> list[str]:
    deadline = time.monotonic() + timeout
    while any(store.dump(i)["state"] not in ("done", "failed") for i in ids):
        assert time.monotonic() < deadline, [(store.dump(i)["state"], store.dump(i)["error"]) for i in ids]
        time.sleep(0.2)
    return [store.dump(i)["state"] for i in ids]


@pytest.mark.parametrize("worker_and_store", [{"INGEST_TASK_TIME_LIMIT": "3"}], indirect=True)
def test_a_batch_hung_past_the_hard_limit_fails_the_dump_in_flight_and_loses_no_other(tmp_path, slow_dump,
                                                                                      worker_and_store):
    env, worker, store = worker_and_store
    # given a batch's message, with its time limits the sum of its three dumps' (as workers/queue.py sends it)
    ids = batch_around(store, slow_dump, env, time_limit=9, soft_time_limit=6)
    # when its pool process hangs while the slow page (the second) is processed
    wait_for_processing(store, ids[1], ids)
    hang(pool_children(worker.handle.pid))
    # then the page fails with the hard limit's reason, the dump before it stays done, and the one
    # after it, which the acknowledged message no longer carries, is sent again and done
    assert wait_until_ended(store, ids) == ["done", "failed", "done"]
    assert "ran past INGEST_TASK_TIME_LIMIT=3 s, the hard time limit" in store.dump(ids[1])["error"]
    # and each dump was processed once
    assert [store.dump(i)["attempts"] for i in ids] == [1, 1, 1]
    assert len(list(store.export())) == 2


def test_a_worker_killed_mid_batch_loses_nothing_and_charges_only_the_dump_in_flight(tmp_path, slow_dump,
                                                                                      worker_and_store):
    env, worker, store = worker_and_store
    # given one message carrying three dumps: a short one, the slow page, another short one
    ids = batch_around(store, slow_dump, env)
    # when the worker's pool process is killed while the slow page (the second) is processed
    wait_for_processing(store, ids[1], ids)
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
