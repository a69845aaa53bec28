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
    assert rows(db, "SELECT count(*) FROM shingles")[0][0] > 0
    assert len(before) == 4
    # when a command runs on it, it is refused with what to do
    status = subprocess.run([INGEST, "status"], capture_output=True, text=True)
    assert status.returncode != 0 and "run `ingest migrate`" in status.stderr
    assert "Traceback" not in status.stderr and len(status.stderr.strip().splitlines()) == 1
    # when it is migrated
    done = subprocess.run([INGEST, "migrate"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"from revision {migrate.BASELINE} to {migrate.head()}" in done.stdout
    # then every article and its links are kept, every original is in the new index, and the commands work again
    assert rows(db, "SELECT id, status, duplicate_of, text FROM articles ORDER BY seq") == before
    assert rows(db, "SELECT count(*) FROM dedup_sketches") == [(3,)]
    assert "shingles" not in {name for (name,) in rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
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


def test_an_old_stores_originals_are_found_by_a_near_duplicate_after_the_upgrade(tmp_path, env):
    # given a 0.1.0 store with its articles (the index in the old `shingles` table), migrated
    db = old_store(tmp_path)
    subprocess.run([INGEST, "migrate"], check=True, capture_output=True)
    # when a lightly edited copy of one of its originals arrives
    inbox = Path(env["INGEST_INBOX"])
    inbox.mkdir(parents=True)
    storm = rows(db, "SELECT text FROM articles WHERE id = '3bb0a921c9ba61f0-0'")[0][0]
    (inbox / "storm-again.txt").write_text(storm.replace("Tuesday morning", "Tuesday afternoon"))
    run = subprocess.run([INGEST, "run", str(inbox)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    # then it is stored as a near duplicate of that original
    status, duplicate_of, kind = rows(db, "SELECT status, duplicate_of, dup_kind FROM articles "
                                          "WHERE source_file = 'storm-again.txt'")[0]
    assert (status, duplicate_of, kind) == ("duplicate", "3bb0a921c9ba61f0-0", "near")


def test_a_store_taken_back_to_0006_and_upgraded_again_keeps_deduping(url, tmp_path):
    # given a store at head with an original, downgraded to 0006 (the index back in `shingles`)
    from alembic import command
    from tasks.stages import dedup
    from tasks.stages.model import Extracted, Topic
    from tasks.store.articles import Draft
    text = " ".join(f"word{i} filler{i % 7}" for i in range(120))
    store = Store(url)

    def save(name: str, body: str):
        (tmp_path / name).write_text(body)
        reg = store.register(tmp_path / name, 10_000, "v")
        store.claim(reg.dump_id)
        d = Draft(0, Extracted(title="t", paragraphs=(body,)), (Topic("politics", 0.9),), "test",
                  dedup.fingerprint(body))
        return reg.dump_id, store.save_articles(reg.dump_id, name, [d], dedup.decide, "v")[0]

    original, _ = save("a.txt", text)
    with store.engine.begin() as conn:
        command.downgrade(migrate._config(conn), "0006")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM shingles").scalar() > 0
    # when it is upgraded and a near duplicate of the original arrives
    assert store.migrate().after == migrate.head()
    _, verdict = save("b.txt", text.replace("word3 ", "changed "))
    # then the upgrade indexed the original, and the copy is found
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM dedup_sketches").scalar() == 1
    assert verdict.duplicate_of == f"{original}-0" and verdict.kind == "near"
    store.close()
