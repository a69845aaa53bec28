"""Checks on every setting, so that each process (CLI, watcher, worker, web) stops at its start
with the same one-line `ConfigError` naming the variable and what to set it to.

Platform conventions: `DATABASE_URL` and `REDIS_URL` (Heroku, Render, Dokku, ...) are read
when the `INGEST_*` variable is unset, and a `postgres://` URL means PostgreSQL.
"""
from __future__ import annotations

from tasks.errors import ConfigError

BROKER_SCHEMES = ("redis", "rediss", "redis+socket", "sentinel")
STORE_DIALECTS = ("sqlite", "postgresql")
LOG_FORMATS = ("text", "json")


def platform_url(env, name: str, fallback: str) -> str:
    """`name` if set, else the platform's `fallback`; `postgres://` becomes `postgresql://`."""
    url = (env.get(name) or env.get(fallback) or "").strip()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    return url


def validate(s) -> None:
    """Raise ConfigError for the first setting out of range (see config/defaults.py)."""
    _positive("INGEST_MAX_DUMP_BYTES", s.max_dump_bytes)
    if s.task_time_limit < 2:
        raise ConfigError(f"INGEST_TASK_TIME_LIMIT={s.task_time_limit} is too short: give at least 2 seconds "
                          f"(the soft limit, 90% of it, lets a dump fail cleanly before the hard one)")
    if s.visibility_timeout <= s.task_time_limit:
        raise ConfigError(f"INGEST_VISIBILITY_TIMEOUT={s.visibility_timeout} must be longer than "
                          f"INGEST_TASK_TIME_LIMIT={s.task_time_limit}, or Redis redelivers tasks still running")
    for name, value in (("INGEST_SETTLE_SECONDS", s.settle_seconds), ("INGEST_RUN_TIMEOUT", s.run_timeout)):
        if value < 0:
            raise ConfigError(f"{name}={value} is negative: give 0 or more seconds")
    if not 0 < s.near_dup_threshold <= 2:
        raise ConfigError(f"INGEST_NEAR_DUP_THRESHOLD={s.near_dup_threshold} is out of range: give a number "
                          f"in (0, 2] (containment + Jaccard)")
    for name, value in (("INGEST_HEARTBEAT_SECONDS", s.heartbeat_seconds),
                        ("INGEST_HEARTBEAT_MAX_AGE", s.heartbeat_max_age),
                        ("INGEST_MAX_QUEUED_AGE", s.max_queued_age)):
        _positive(name, value)
    if s.heartbeat_max_age <= s.heartbeat_seconds:
        raise ConfigError(f"INGEST_HEARTBEAT_MAX_AGE={s.heartbeat_max_age} must be longer than "
                          f"INGEST_HEARTBEAT_SECONDS={s.heartbeat_seconds}, or healthy processes look dead")
    _positive("INGEST_STORY_CACHE", s.story_cache)
    if s.worker_max_memory_mb < 0:
        raise ConfigError(f"INGEST_WORKER_MAX_MEMORY_MB={s.worker_max_memory_mb} is negative: give the megabytes a "
                          f"worker's pool process may reach before it is replaced, or 0 (never replaced)")
    if s.embedded_processes < 0:
        raise ConfigError(f"INGEST_EMBEDDED_PROCESSES={s.embedded_processes} is negative: give 0 (one per CPU), "
                          f"1 (no pool) or more")
    if not s.queue or any(c.isspace() for c in s.queue):
        raise ConfigError(f"INGEST_QUEUE={s.queue!r} is not a queue name: give a word without spaces")
    if s.log_format not in LOG_FORMATS:
        raise ConfigError(f"INGEST_LOG_FORMAT={s.log_format!r} is not one of {', '.join(LOG_FORMATS)}")
    if s.topics_adapt_min < 50:
        raise ConfigError(f"INGEST_TOPICS_ADAPT_MIN={s.topics_adapt_min} is too few: a model self-trained on "
                          f"fewer than 50 articles learns noise; give 50 or more (default 500)")
    _check_store(s.store_url)
    _check_broker(s.broker_url)


def _positive(name: str, value) -> None:
    if value <= 0:
        raise ConfigError(f"{name}={value} must be more than 0")


def _check_store(url: str) -> None:
    if not url:
        return
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError
    try:
        dialect = make_url(url).get_backend_name()
    except ArgumentError:
        raise ConfigError(f"INGEST_STORE_URL (or DATABASE_URL) {_shown(url)!r} is not a database URL: give e.g. "
                          f"postgresql://user@host/db, or unset it for the SQLite file") from None
    if dialect not in STORE_DIALECTS:
        raise ConfigError(f"INGEST_STORE_URL (or DATABASE_URL) {_shown(url)!r} uses {dialect!r}: "
                          f"give a postgresql:// or sqlite:/// URL")


def _check_broker(url: str) -> None:
    if url and url.split("://", 1)[0] not in BROKER_SCHEMES:
        raise ConfigError(f"INGEST_BROKER_URL (or REDIS_URL) {_shown(url)!r} is not a Redis URL: give e.g. "
                          f"redis://host:6379/0, or unset it to run embedded")


def _shown(url: str) -> str:
    """The URL with any password replaced, for error messages."""
    head, sep, rest = url.partition("://")
    if sep and "@" in rest:
        cred, _, host = rest.rpartition("@")
        user = cred.split(":", 1)[0]
        return f"{head}://{user}:***@{host}" if ":" in cred else url
    return url
