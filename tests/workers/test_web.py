"""`ingest serve`'s app as Prometheus, a probe and a person meet it (Flask's test client over
a store filled by a real embedded run)."""
import re

import pytest

from config import load
from tasks.store import Store
from workers.runner import run
from workers.console import console
from workers.web import create_app


@pytest.fixture
def store_after_run(env, seeds_dir):
    """The seeds ingested embedded, plus one dump that fails with markup in its name."""
    (seeds_dir / "<i>bad<script>.txt").write_bytes(b"")
    settings = load()
    store = Store(settings.store_url_or_default())
    run(settings, [seeds_dir], console(stderr=True), store)
    yield settings, store
    store.close()


def client(settings, store):
    return create_app(settings, store).test_client()


def test_metrics_show_the_store_gauges(store_after_run):
    body = client(*store_after_run).get("/metrics").get_data(as_text=True)
    assert 'ingest_dumps{state="done"} 5.0' in body and 'ingest_dumps{state="failed"} 1.0' in body
    assert 'ingest_articles{status="duplicate"} 1.0' in body and 'ingest_articles{status="original"} 4.0' in body
    assert 'ingest_failed_by_reason{reason="empty"} 1.0' in body
    assert re.search(r"^ingest_oldest_queued_seconds 0\.0$", body, re.M)
    assert re.search(r"^ingest_queue_waiting 0\.0$", body, re.M)


def test_healthz_and_readyz_answer_when_the_store_does(store_after_run):
    c = client(*store_after_run)
    assert c.get("/healthz").status_code == 200
    ready = c.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["ready"] is True


def test_readyz_is_503_with_the_reason_when_the_broker_does_not_answer(store_after_run):
    settings, store = store_after_run
    down = settings.__class__(**{**settings.__dict__, "broker_url": "redis://127.0.0.1:1/0"})
    ready = client(down, store).get("/readyz")
    assert ready.status_code == 503
    broker = next(c for c in ready.get_json()["checks"] if c["name"] == "broker")
    assert not broker["ok"] and "127.0.0.1:1" in broker["detail"]


def test_the_page_escapes_what_it_shows_and_is_read_only_without_a_token(store_after_run):
    page = client(*store_after_run).get("/").get_data(as_text=True)
    assert "&lt;i&gt;bad&lt;script&gt;.txt" in page and "<i>bad" not in page
    assert 'http-equiv="refresh"' in page and "<script" not in page
    assert "requeue" not in page
    assert client(*store_after_run).post("/requeue", data={"dump_id": "x", "token": "x"}).status_code == 404


def test_with_a_token_a_failure_can_be_requeued_by_a_post_carrying_it(store_after_run):
    settings, store = store_after_run
    settings = settings.__class__(**{**settings.__dict__, "web_token": "s3cret"})
    c = client(settings, store)
    assert "requeue" in c.get("/").get_data(as_text=True)
    (failure,) = store.recent_failures()
    assert c.post("/requeue", data={"dump_id": failure["id"], "token": "wrong"}).status_code == 403
    done = c.post("/requeue", data={"dump_id": failure["id"], "token": "s3cret"})
    assert done.status_code == 303 and "requeued" in done.headers["Location"]
    # embedded: processed again at once, and still failed for the same reason (nothing lost)
    # (a requeue starts the dump's attempts afresh: they count claims towards INGEST_MAX_ATTEMPTS)
    again = store.dump(failure["id"])
    assert again["attempts"] == 1 and again["finished_at"] > failure["updated_at"]


def test_the_stories_gauge_follows_the_store(store_after_run):
    settings, store = store_after_run
    body = client(settings, store).get("/metrics").get_data(as_text=True)
    from tasks.store import ops
    with store.engine.connect() as conn:
        stories = ops.stories_count(conn)
    if stories is None:   # a store from before stories: no gauge rather than a false 0
        assert "ingest_stories" not in body
    else:
        assert re.search(rf"^ingest_stories {float(stories)}$", body, re.M)
