"""Opening a store that is at head costs one query, not Alembic's import: the head is read
from the revision files' own lines, and Alembic still decides whenever the two could differ."""
import subprocess
import sys

import pytest
from sqlalchemy import text

from tasks.errors import StoreBehind
from tasks.store import Store, migrate


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    return f"sqlite:///{tmp_path}/s.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")


def test_the_head_read_from_the_files_is_alembics():
    assert migrate.written_head() == migrate.head()


def test_a_store_at_head_opens_without_loading_alembic(url):
    # given a store created at head
    Store(url).close()
    # when another process opens it
    probe = (f"import sys; from tasks.store import Store; s = Store({url!r}); s.counts(); "
             f"print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    # then it works, and Alembic was never imported
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_store_behind_head_is_still_refused(url):
    # given a store whose version row says it is one revision behind
    store = Store(url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    store.close()
    # when it is opened, then the cheap check does not accept it and Alembic refuses it
    with pytest.raises(StoreBehind, match="ingest migrate"):
        Store(url)


def test_an_empty_store_is_still_created(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/fresh.db")
    with store.engine.connect() as conn:
        assert migrate.at_head(conn)
    store.close()


def test_a_revision_file_the_reader_cannot_follow_leaves_the_decision_to_alembic(tmp_path, monkeypatch):
    # given a migrations folder with a merge revision (a tuple of down revisions)
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "0001_a.py").write_text('revision = "0001"\ndown_revision = None\n')
    (versions / "0002_b.py").write_text('revision = "0002"\ndown_revision = ("0001", "0001b")\n')
    monkeypatch.setattr(migrate, "MIGRATIONS", tmp_path)
    migrate.written_head.cache_clear()
    try:
        # then no head is read from the files
        assert migrate.written_head() is None
    finally:
        migrate.written_head.cache_clear()
