"""Shared fixtures. Server-backed fixtures talk to the real Redis and PostgreSQL of this machine;
when a server is missing they skip locally but FAIL when CI is set."""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
PG_URL = os.environ.get("INGEST_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("INGEST_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _missing(what: str, exc: Exception):
    message = f"{what} is not reachable ({exc}); .ci/run starts it, or see README 'Tests'"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def seeds_dir(tmp_path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def env(tmp_path, monkeypatch) -> dict:
    """An embedded configuration in a fresh temp folder, set in os.environ."""
    for key in list(os.environ):
        if key.startswith("INGEST_"):
            monkeypatch.delenv(key)
    values = {"INGEST_DATA_DIR": str(tmp_path / "data"), "INGEST_INBOX": str(tmp_path / "inbox")}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


@pytest.fixture
def pg_url():
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    import sqlalchemy as sa
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:
        admin.dispose()
        _missing(f"PostgreSQL at {PG_URL}", exc)
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def redis_url():
    import redis
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except Exception as exc:
        _missing(f"Redis at {REDIS_URL}", exc)
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def queue_name():
    """A queue of the test's own, deleted from Redis afterwards."""
    name = f"ingest-test-{uuid.uuid4().hex[:8]}"
    yield name
    import redis
    try:
        client = redis.Redis.from_url(REDIS_URL)
        client.delete(name)
        client.close()
    except redis.RedisError:
        pass
