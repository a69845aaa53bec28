"""Fixtures shared by the store tests: a Store on SQLite and on the real PostgreSQL."""
import pytest

from tasks.store import Store


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    url = f"sqlite:///{tmp_path}/s.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    s = Store(url)
    yield s
    s.close()
