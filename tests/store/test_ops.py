"""The operators' queries: failures grouped by kind, queue age, throughput, stories guard."""
import os
import time
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from tasks import heartbeat
from tasks.store import Store
from tasks.store import ops


def store_with(tmp_path, reasons: list[str], queued: int = 1) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'ingest.db'}")
    for i, reason in enumerate(reasons + [None] * queued):
        path = tmp_path / f"d{i}.txt"
        path.write_text(f"dump {i}")
        reg = store.register(path, 1_000_000, "test")
        if reason:
            lease = store.claim(reg.dump_id)
            assert store.fail(reg.dump_id, reason, lease.token)
    return store


def test_failures_are_grouped_into_a_few_kinds(tmp_path):
    store = store_with(tmp_path, [
        "the dump is empty (0 bytes or only whitespace): check the scraper that wrote it",
        "the dump holds only whitespace: check the scraper that wrote it",
        "processing took longer than 9 s, the soft limit (90% of INGEST_TASK_TIME_LIMIT=10 s): raise it",
        "the dump is 30,000,000 bytes, above the limit of 20,000,000: split it",
        "the dump is not text in any charset we know (binary junk?): check the scraper",
        "no article found: the dump holds no article (an index page?)",
        "internal error: ValueError: boom; fix the cause, then `ingest requeue x`",
        "something nobody foresaw",
    ])
    with store.engine.connect() as conn:
        kinds = ops.failed_by_reason(conn)
    assert {k: n for k, n in kinds.items() if n} == {"empty": 2, "time_limit": 1, "too_large": 1, "undecodable": 1,
                                                       "no_article": 1, "crashed": 1, "other": 1}


def test_queue_age_and_throughput(tmp_path):
    store = store_with(tmp_path, ["the dump is empty"], queued=1)
    later = datetime.now(timezone.utc) + timedelta(seconds=90)
    with store.engine.connect() as conn:
        assert 89 <= ops.oldest_queued_seconds(conn, now=later) <= 95
        slots = ops.finished_per_minute(conn, 10)
    assert len(slots) == 10 and sum(s["failed"] for s in slots) == 1 and slots[-1]["failed"] == 1


def test_stories_are_counted_only_when_the_store_has_them(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'bare.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE articles (seq INTEGER PRIMARY KEY, id TEXT)")
        assert ops.stories_count(conn) is None
        conn.exec_driver_sql("CREATE TABLE stories (id TEXT PRIMARY KEY)")
        conn.exec_driver_sql("INSERT INTO stories VALUES ('s-1'), ('s-2')")
        assert ops.stories_count(conn) == 2


def test_a_heartbeat_ages_and_a_dead_process_file_is_forgotten(tmp_path):
    beats = heartbeat.Pacer(tmp_path, "watcher", seconds=60)
    beats.maybe_beat()
    beats.maybe_beat()   # paced: one write per interval
    (found,) = heartbeat.read_all(tmp_path)
    assert found.name == "watcher" and found.pid == os.getpid() and found.age < 5
    assert heartbeat.read_all(tmp_path, now=time.time() + 100)[0].age > 99
    dead = heartbeat.file_for(tmp_path, "worker-old@host")
    dead.write_text('{"name": "worker-old@host", "pid": 999999999, "host": "%s", "time": 0}'
                    % __import__("socket").gethostname())
    heartbeat.forget_dead(tmp_path, "worker-")
    assert not dead.exists() and heartbeat.file_for(tmp_path, "watcher").exists()
