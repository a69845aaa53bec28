"""The fault-injection suite: the Procfile's own worker (x2) and watcher on a Redis of the
test's own and a fresh PostgreSQL schema, fed a few hundred dumps in bursts (some
malformed), while a worker is killed -9, Redis restarts, PostgreSQL sessions are killed, the
watcher restarts and one file is written with a pause half-way. In the end every good dump
is exactly one article, every bad one is failed with its reason, nothing is lost, doubled or
left processing, and `ingest status` agrees."""
import re
import threading
import time

import pytest

from tests.integration.faultkit import Deployment, corpus, drop, good, judge, slow_write

N_DUMPS = 240
BAD_SHARE = 0.08
MAX_BYTES = 100_000


@pytest.fixture
def deployment(tmp_path, pg_url, redis_url):   # the fixtures check the servers are there (CI fails if not)
    d = Deployment.up(tmp_path, n_workers=2, INGEST_TASK_TIME_LIMIT="20", INGEST_REAP_INTERVAL="2",
                      INGEST_MAX_DUMP_BYTES=str(MAX_BYTES), INGEST_CONCURRENCY="2")
    yield d
    d.down()


def status_counts(output: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"dumps (\w+)\s*│\s*(\d+)", output)}


@pytest.mark.timeout(600)
def test_nothing_is_lost_or_doubled_under_faults(deployment):
    d = deployment
    inbox = d.folder / "inbox"
    dumps = corpus(N_DUMPS, BAD_SHARE, MAX_BYTES)
    bursts = [dumps[i::4] for i in range(4)]
    paused = good(99_999, __import__("random").Random(1))
    writer = None
    for k, burst in enumerate(bursts):
        for dump in burst:
            drop(inbox, dump)
        d.wait_busy()            # break something while dumps are in flight
        if k == 0:
            assert d.kill_busy_worker(), "no worker was caught mid-task"
        elif k == 1:
            d.restart_redis()
            writer = threading.Thread(target=slow_write, args=(inbox, paused, 3.0))
            writer.start()
        elif k == 2:
            d.kill_pg_sessions()
            time.sleep(0.5)
            d.kill_pg_sessions()
            d.restart_watcher()
    writer.join()
    sent = dumps + [paused]
    took = d.wait_settled({x.name for x in sent}, timeout=300)
    dump_rows, article_rows = d.rows()
    verdict = judge(sent, dump_rows, article_rows)
    # then every good dump is one article, every bad one failed with its reason
    assert took >= 0, f"not settled: {verdict}"
    assert verdict.lost == [] and verdict.duplicated == [] and verdict.wrong == []
    assert verdict.stuck == 0 and verdict.dangling == 0
    assert verdict.retried >= 1          # the killed worker's dump was claimed again
    assert verdict.dumps == len(sent)
    assert verdict.articles == sum(x.bad is None for x in sent)
    assert sum(x.bad is not None for x in sent) >= 0.05 * len(sent)
    # and `ingest status` agrees with the store
    status = d.ingest("status", "--failures", "0")
    assert status.returncode == 0, status.stderr
    counts = status_counts(status.stdout)
    assert counts["done"] == sum(x.bad is None for x in sent) and counts["processing"] == 0
    assert counts["failed"] == sum(x.bad is not None for x in sent) and counts["queued"] == 0
    assert len(d.faults) >= 5, d.faults
