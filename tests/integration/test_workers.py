"""Real Celery workers on the real Redis, writing to the real PostgreSQL."""
import re

import pytest

from tests.conftest import SEEDS
from tests.integration.corpus import write_clusters
from tests.integration.processes import environment, export, ingest, start_worker


@pytest.fixture
def production(tmp_path, redis_url, pg_url, queue_name):
    env = environment(tmp_path, redis_url, pg_url, queue_name)
    workers = []
    yield env, workers
    for w in workers:
        w.stop()


def test_two_workers_share_the_work_and_dedup_stays_right(production, tmp_path):
    env, workers = production
    # given two workers on the same Redis and PostgreSQL
    workers += [start_worker("w1", env, tmp_path), start_worker("w2", env, tmp_path)]
    # when `ingest run` enqueues 5 clusters of 6 near-duplicate dumps each
    clusters = write_clusters(tmp_path / "dumps", copies=5)
    done = ingest(env, tmp_path, "run", str(tmp_path / "dumps"))
    # then all are stored, both workers took some, and each cluster has exactly one original
    assert done.returncode == 0, done.stdout + done.stderr
    articles = export(env, tmp_path)
    assert len(articles) == len(clusters)
    for w in workers:
        assert "succeeded" in w.output(), w.output()[-2000:]
    originals = [a for a in articles if a["status"] == "original"]
    by_id = {a["id"]: a for a in articles}
    roots = {clusters[a["source_file"]]: set() for a in articles}
    for a in articles:
        roots[clusters[a["source_file"]]].add(a["duplicate_of"] or a["id"])
    assert all(len(r) == 1 for r in roots.values()), roots
    # the seeds' own story: 000 and 001 are one cluster, so 5 clusters give 4 originals
    assert len(originals) == 4, [(a["source_file"], a["duplicate_of"] and by_id[a["duplicate_of"]]["source_file"]) for a in articles]


def test_second_run_with_workers_is_idempotent_and_status_reports(production, tmp_path):
    env, workers = production
    workers.append(start_worker("w1", env, tmp_path))
    assert ingest(env, tmp_path, "run", str(SEEDS)).returncode == 0
    again = ingest(env, tmp_path, "run", str(SEEDS))
    assert again.returncode == 0 and "Nothing new" in again.stdout
    status = ingest(env, tmp_path, "status")
    assert status.returncode == 0 and "queue waiting" in status.stdout and "dumps done" in status.stdout
    assert len(export(env, tmp_path)) == 5


def test_requeue_with_workers_reprocesses(production, tmp_path):
    env, workers = production
    workers.append(start_worker("w1", env, tmp_path))
    assert ingest(env, tmp_path, "run", str(SEEDS)).returncode == 0
    first = {a["id"]: a["updated_at"] for a in export(env, tmp_path)}
    assert "requeued 5" in ingest(env, tmp_path, "requeue", "--all").stdout
    import time
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        after = {a["id"]: a["updated_at"] for a in export(env, tmp_path)}
        if all(after[i] != first[i] for i in first):
            break
        time.sleep(0.5)
    assert all(after[i] != first[i] for i in first)


def test_run_without_a_reachable_broker_says_what_to_do(tmp_path, pg_url):
    env = environment(tmp_path, "redis://127.0.0.1:1/0", pg_url, "q")
    done = ingest(env, tmp_path, "run", str(SEEDS), timeout=120)
    assert done.returncode != 0 and "cannot reach the broker" in done.stderr


def test_run_with_no_worker_hints_and_times_out(tmp_path, redis_url, pg_url, queue_name, monkeypatch):
    import workers.runner
    monkeypatch.setattr(workers.runner, "STALL_HINT_SECONDS", 1)
    from click.testing import CliRunner
    from workers.cli import cli
    env = environment(tmp_path, redis_url, pg_url, queue_name, INGEST_RUN_TIMEOUT="3")
    for key, value in env.items():
        if key.startswith("INGEST_"):
            monkeypatch.setenv(key, value)
    result = CliRunner().invoke(cli, ["run", str(SEEDS)])
    assert result.exit_code == 1
    assert "is a worker running" in result.output and "still pending (timed out)" in result.output


def test_a_pool_process_past_the_memory_bound_is_replaced_and_no_dump_is_lost(tmp_path, redis_url, pg_url, queue_name):
    # given a worker whose pool processes are bounded at 1 MB: every one passes it in its first task
    env = environment(tmp_path, redis_url, pg_url, queue_name, INGEST_WORKER_MAX_MEMORY_MB="1")
    worker = start_worker("w1", env, tmp_path)
    try:
        # when `ingest run` sends it the five seeds
        done = ingest(env, tmp_path, "run", str(SEEDS))
        # then every dump is stored, and its one pool process was replaced after each task
        assert done.returncode == 0, done.stdout + done.stderr
        assert len(export(env, tmp_path)) == 5
        ran_in = set(re.findall(r"ForkPoolWorker-\d+\[(\d+)\]\S* celery.app.trace: Task \S+ succeeded", worker.output()))
        assert len(ran_in) == 5, worker.output()[-2000:]
    finally:
        worker.stop()
