"""The store's schema under Alembic: head matches schema.py, a 0.1.0 store upgrades in place
keeping every article, a store behind head is refused with what to do."""
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tasks.errors import StoreBehind
from tasks.store import Store, migrate
from tasks.store.schema import metadata

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "store" / "store-0.1.0.sql"
INGEST = Path(sys.executable).parent / "ingest"


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    return f"sqlite:///{tmp_path}/s.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")


def old_store(tmp_path: Path) -> Path:
    """A store as release 0.1.0 made it (create_all, no version table), with its articles."""
    db = tmp_path / "data" / "ingest.db"
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as conn:
        conn.executescript(FIXTURE.read_text())
    return db


def rows(db: Path, query: str) -> list:
    with sqlite3.connect(db) as conn:
        return conn.execute(query).fetchall()


def test_a_fresh_store_is_created_at_head_and_matches_the_schema(url):
    # given an empty database, when the store is opened
    store = Store(url)
    # then it is at the one head, and the migrations made exactly what schema.py declares
    with store.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == migrate.head()
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    store.close()


def test_a_0_1_0_store_is_refused_then_upgraded_keeping_every_article(tmp_path, env):
    # given a store made by release 0.1.0 with its articles
    db = old_store(tmp_path)
    before = rows(db, "SELECT id, status, duplicate_of, text FROM articles ORDER BY seq")
    shingles = rows(db, "SELECT count(*) FROM shingles")
    assert len(before) == 4
    # when a command runs on it, it is refused with what to do
    status = subprocess.run([INGEST, "status"], capture_output=True, text=True)
    assert status.returncode != 0 and "run `ingest migrate`" in status.stderr
    assert "Traceback" not in status.stderr and len(status.stderr.strip().splitlines()) == 1
    # when it is migrated
    done = subprocess.run([INGEST, "migrate"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"from revision {migrate.BASELINE} to {migrate.head()}" in done.stdout
    # then every article, its links and its index are kept, and the commands work again
    assert rows(db, "SELECT id, status, duplicate_of, text FROM articles ORDER BY seq") == before
    assert rows(db, "SELECT count(*) FROM shingles") == shingles
    assert rows(db, "PRAGMA foreign_key_check") == []
    exported = subprocess.run([INGEST, "export"], capture_output=True, text=True)
    assert exported.returncode == 0 and len(exported.stdout.splitlines()) == 4
    # and a second migrate is a no-op
    again = subprocess.run([INGEST, "migrate"], capture_output=True, text=True)
    assert "up to date" in again.stdout


def test_sqlite_never_reuses_the_seq_of_a_deleted_newest_article(tmp_path, env):
    # given an upgraded 0.1.0 store whose newest article is deleted
    db = old_store(tmp_path)
    subprocess.run([INGEST, "migrate"], check=True, capture_output=True)
    newest = rows(db, "SELECT max(seq) FROM articles")[0][0]
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("DELETE FROM articles WHERE seq = ?", (newest,))
        conn.execute("INSERT INTO articles (id, dump_id, record_index, source_file, text, topics, status, "
                     "exact_hash, sample_size, pipeline_version, created_at, updated_at) SELECT 'x-0', "
                     "dump_id, 0, 'x', 't', '[]', 'original', 'h', 0, 'v', created_at, updated_at "
                     "FROM articles LIMIT 1")
    # then the next article gets a new seq
    assert rows(db, "SELECT seq FROM articles WHERE id = 'x-0'")[0][0] > newest


def test_a_store_behind_head_is_refused_by_the_store_and_the_worker(tmp_path, env):
    # given a store stamped at the baseline (behind head)
    db = old_store(tmp_path)
    with pytest.raises(StoreBehind, match="ingest migrate"):
        Store(f"sqlite:///{db}")
    # when a worker starts on it, it refuses with the same one line
    worker = subprocess.run([Path(sys.executable).parent / "celery", "-A", "tasks.app", "worker", "--pool=solo"],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert worker.returncode != 0
    assert "run `ingest migrate`" in worker.stderr
