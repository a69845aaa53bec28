"""`ingest health` as a probe runs it, against a real watcher and worker on Redis and
PostgreSQL; and the worker's own metrics reaching /metrics through the multiprocess folder."""
import json
import os
import signal
import time

from tests.integration.processes import environment, ingest, start_watcher, start_worker

FAST = {"INGEST_HEARTBEAT_SECONDS": "0.5", "INGEST_HEARTBEAT_MAX_AGE": "3", "INGEST_SETTLE_SECONDS": "0.3"}


def health(env, tmp) -> tuple[int, dict]:
    done = ingest(env, tmp, "health", "--json", timeout=60)
    return done.returncode, json.loads(done.stdout)


def wait_for_health(env, tmp, healthy: bool, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        code, report = health(env, tmp)
        if (code == 0) == healthy:
            return report
        assert time.monotonic() < deadline, f"health stayed {report} for {timeout} s"
        time.sleep(0.5)


def test_health_fails_while_the_watcher_is_stopped_and_passes_once_it_resumes(tmp_path, redis_url, pg_url,
                                                                              queue_name):
    env = environment(tmp_path, redis_url, pg_url, queue_name, **FAST)
    worker = start_worker("w1", env, tmp_path)
    watcher = start_watcher(env, tmp_path)
    try:
        # given both running, when health is asked, then it passes with both heartbeats
        report = wait_for_health(env, tmp_path, True, 30)
        names = {c["name"] for c in report["checks"]}
        assert {"store", "broker", "queue age", "heartbeat watcher"} <= names
        assert any(n.startswith("heartbeat worker-w1@") for n in names), names
        # when the watcher is stopped (SIGSTOP), then health fails within a minute, naming it
        os.kill(watcher.handle.pid, signal.SIGSTOP)
        started = time.monotonic()
        report = wait_for_health(env, tmp_path, False, 60)
        assert time.monotonic() - started < 60
        failing = [c for c in report["checks"] if not c["ok"]]
        assert [c["name"] for c in failing] == ["heartbeat watcher"], failing
        assert "INGEST_HEARTBEAT_MAX_AGE" in failing[0]["detail"]
        # when it resumes, then health passes again
        os.kill(watcher.handle.pid, signal.SIGCONT)
        wait_for_health(env, tmp_path, True, 30)
    finally:
        os.kill(watcher.handle.pid, signal.SIGCONT)
        watcher.stop()
        worker.stop()
    # a process that stops cleanly takes its heartbeat with it
    assert not list((tmp_path / "data" / "heartbeats").glob("*.beat"))


def test_health_fails_when_the_broker_does_not_answer(tmp_path, pg_url, queue_name):
    env = environment(tmp_path, "redis://127.0.0.1:1/0", pg_url, queue_name)
    from tasks.store import Store
    Store(pg_url).close()   # a store at this release's schema
    code, report = health(env, tmp_path)
    assert code == 1
    assert [c["name"] for c in report["checks"] if not c["ok"]] == ["broker"]


def test_worker_metrics_reach_metrics_through_the_multiprocess_folder(tmp_path, redis_url, pg_url, queue_name,
                                                                      seeds_dir):
    env = environment(tmp_path, redis_url, pg_url, queue_name)
    worker = start_worker("w1", env, tmp_path, concurrency=2)
    try:
        done = ingest(env, tmp_path, "run", str(seeds_dir), timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    finally:
        worker.stop()
    from config import load
    from tasks.store import Store
    from workers.web import create_app
    settings = load(env)
    store = Store(pg_url)
    try:
        body = create_app(settings, store).test_client().get("/metrics").get_data(as_text=True)
    finally:
        store.close()
    assert 'ingest_worker_dumps_total{outcome="done"} 5.0' in body
    assert 'ingest_worker_articles_total{status="duplicate"} 1.0' in body
    for stage in ("clean", "dedup", "classify", "store"):
        assert f'ingest_stage_seconds_count{{stage="{stage}"}} 5.0' in body
    assert 'ingest_dumps{state="done"} 5.0' in body and "ingest_queue_waiting 0.0" in body
