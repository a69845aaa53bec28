"""What the store's database errors mean to a person: one line naming the store and what to do."""
from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from typing import Callable, TypeVar

from sqlalchemy.exc import DatabaseError, InterfaceError, OperationalError

from tasks.errors import StoreError
from tasks.policy import STORE_TRIES, store_retry_delay

log = logging.getLogger(__name__)
T = TypeVar("T")


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
def store_errors(where: str, opening: bool = False):
    """Turn database errors into a StoreError with a one-line reason; when `opening` the
    store, file-system permission errors too (anything else may be a dump's file)."""
    try:
        yield
    except (DatabaseError, InterfaceError) as exc:
        raise StoreError(describe(exc, where)) from exc
    except PermissionError as exc:
        if not opening:
            raise
        raise StoreError(f"cannot write the store {where}: {exc.strerror} on {exc.filename}: make the "
                         f"folder writable by this user (INGEST_DATA_DIR), or set INGEST_STORE_URL") from exc


def is_transient(exc: BaseException) -> bool:
    """A connection error worth retrying: the server is down, restarted or killed our session,
    SQLite is busy, a lock or statement timed out. Not: a damaged or read-only file."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc, "connection_invalidated", False):
        return True
    detail = str(getattr(exc, "orig", exc)).lower()
    return not any(word in detail for word in ("readonly", "read-only", "unable to open", "no such table",
                                               "not a database", "malformed", "disk i/o"))


def retrying(once: Callable[[], T], where: str, tries: int = STORE_TRIES) -> T:
    """Run one store transaction, again after a transient error (backoff and jitter); a
    StoreError with a one-line reason once the tries are spent or the error is not transient."""
    for attempt in range(tries):
        try:
            with store_errors(where):
                return once()
        except StoreError as exc:
            if attempt + 1 == tries or not is_transient(exc.__cause__):
                raise
            log.warning("store call failed (%s); retrying", exc)
            time.sleep(store_retry_delay(attempt))
    raise AssertionError("unreachable")
