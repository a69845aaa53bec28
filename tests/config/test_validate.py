"""Settings as a platform sets them, and the one error format every process gives for a bad one."""
import subprocess

import pytest

from config import load
from tasks.errors import ConfigError
from tests.integration.processes import BIN


def test_platform_urls_are_read_when_the_ingest_ones_are_unset():
    s = load({"DATABASE_URL": "postgres://u:secret@db.example:5432/news", "REDIS_URL": "redis://cache:6379/1"})
    assert s.store_url == "postgresql://u:secret@db.example:5432/news"
    assert s.broker_url == "redis://cache:6379/1" and not s.embedded


def test_the_ingest_variables_win_over_the_platform_ones():
    s = load({"DATABASE_URL": "postgres://a@h/x", "INGEST_STORE_URL": "sqlite:///tmp/x.db",
              "REDIS_URL": "redis://a:6379/0", "INGEST_BROKER_URL": "redis://b:6379/0"})
    assert s.store_url == "sqlite:///tmp/x.db" and s.broker_url == "redis://b:6379/0"


def test_a_heroku_postgres_url_opens_a_store(pg_url):
    from tasks.store import Store
    store = Store(load({"DATABASE_URL": pg_url.replace("postgresql://", "postgres://")}).store_url_or_default())
    try:
        assert store.counts() == {"queued": 0, "processing": 0, "done": 0, "failed": 0}
    finally:
        store.close()


@pytest.mark.parametrize("limit, soft", [(300, 270), (10, 9), (5, 4), (3, 2), (2, 1), (1000, 900)])
def test_the_soft_limit_is_ninety_percent_of_the_hard_one_and_a_second_before_it(limit, soft):
    assert load({"INGEST_TASK_TIME_LIMIT": str(limit)}).soft_time_limit == soft


@pytest.mark.parametrize("env, names", [
    ({"INGEST_TASK_TIME_LIMIT": "1"}, "INGEST_TASK_TIME_LIMIT"),
    ({"INGEST_TASK_TIME_LIMIT": "4000"}, "INGEST_VISIBILITY_TIMEOUT"),
    ({"INGEST_MAX_DUMP_BYTES": "0"}, "INGEST_MAX_DUMP_BYTES"),
    ({"INGEST_STORY_CACHE": "0"}, "INGEST_STORY_CACHE"),
    ({"INGEST_SETTLE_SECONDS": "-1"}, "INGEST_SETTLE_SECONDS"),
    ({"INGEST_NEAR_DUP_THRESHOLD": "3"}, "INGEST_NEAR_DUP_THRESHOLD"),
    ({"INGEST_LOG_FORMAT": "xml"}, "INGEST_LOG_FORMAT"),
    ({"INGEST_HEARTBEAT_MAX_AGE": "1", "INGEST_HEARTBEAT_SECONDS": "5"}, "INGEST_HEARTBEAT_MAX_AGE"),
    ({"INGEST_QUEUE": "my queue"}, "INGEST_QUEUE"),
    ({"INGEST_STORE_URL": "not a url"}, "INGEST_STORE_URL"),
    ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL"),
    ({"INGEST_BROKER_URL": "amqp://guest@h//"}, "INGEST_BROKER_URL"),
])
def test_every_bad_setting_names_its_variable(env, names):
    with pytest.raises(ConfigError, match=names):
        load(env)


def test_a_password_in_a_bad_url_is_not_repeated():
    with pytest.raises(ConfigError) as caught:
        load({"INGEST_STORE_URL": "mysql://user:hunter2@h/db"})
    assert "hunter2" not in str(caught.value) and "user:***@h" in str(caught.value)


def _clean_env(**extra) -> dict:
    import os
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_") and k not in ("DATABASE_URL", "REDIS_URL")}
    return {**env, **extra}


def test_a_bad_setting_is_one_line_from_the_cli_and_from_celery_worker(tmp_path):
    env = _clean_env(INGEST_TASK_TIME_LIMIT="soon", INGEST_DATA_DIR=str(tmp_path))
    cli = subprocess.run([str(BIN / "ingest"), "status"], env=env, capture_output=True, text=True, timeout=60)
    worker = subprocess.run([str(BIN / "celery"), "-A", "tasks.app", "worker"], env=env, capture_output=True,
                            text=True, timeout=60, cwd=tmp_path)
    expected = "Error: INGEST_TASK_TIME_LIMIT='soon' is not a whole number: set it to one, or unset it"
    for done in (cli, worker):
        assert done.returncode != 0
        assert done.stderr.strip() == expected and "Traceback" not in done.stdout + done.stderr


def test_version(tmp_path):
    done = subprocess.run([str(BIN / "ingest"), "--version"], env=_clean_env(), capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("ingest 0.1.0")
