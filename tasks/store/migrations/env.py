"""Alembic environment of the store. `tasks/store/migrate.py` runs it with a connection of its
own (under the store's migration lock); the `alembic` command line (see README.md here) runs
it against INGEST_STORE_URL."""
from __future__ import annotations

from alembic import context

from tasks.store.schema import metadata


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:   # the alembic command line, for developers writing a revision
    from config import load
    from tasks.store.engine import make_engine
    engine = make_engine(load().store_url_or_default())
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()
