"""tasks/store/engine.py: how SQLite connections are set up."""
from tasks.store.engine import WAL_CHECKPOINT_PAGES, make_engine


def test_given_a_sqlite_store_when_a_connection_opens_then_it_is_in_wal_mode_with_rarer_checkpoints(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/s.db")
    try:
        with engine.connect() as conn:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            pages = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    finally:
        engine.dispose()
    assert mode == "wal"
    assert pages == WAL_CHECKPOINT_PAGES and pages > 1000   # SQLite's default is 1,000 pages
