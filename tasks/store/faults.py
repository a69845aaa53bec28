"""What the store's database errors mean to a person: one line naming the store and what to do."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy.exc import DatabaseError, OperationalError

from tasks.errors import StoreError


def describe(exc: BaseException, where: str) -> str:
    """A one-line reason for a database error on the store at `where`."""
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
    lowered = detail.lower()
    if "file is not a database" in lowered or "malformed" in lowered:
        return (f"the store file {where} is damaged or not a SQLite database ({detail}): restore it from a "
                f"backup, or move it away to start an empty store")
    if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered:
        return (f"cannot write the store {where} ({detail}): check that its folder exists and is writable "
                f"by this user (INGEST_DATA_DIR), or set INGEST_STORE_URL")
    if isinstance(exc, OperationalError):
        return f"cannot reach the store at {where}: {detail}. Start the database or fix INGEST_STORE_URL"
    return f"the store at {where} failed: {detail}"


@contextmanager
def store_errors(where: str):
    """Turn database and file-system errors into a StoreError with a one-line reason."""
    try:
        yield
    except DatabaseError as exc:
        raise StoreError(describe(exc, where)) from exc
    except PermissionError as exc:
        raise StoreError(f"cannot write the store {where}: {exc.strerror} on {exc.filename}: make the "
                         f"folder writable by this user (INGEST_DATA_DIR), or set INGEST_STORE_URL") from exc
