"""One Settings object, read once from the environment.

Every process (CLI, watcher, Celery worker) calls `load()` at its start and passes the
object down; nothing reads os.environ anywhere else.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from config import defaults
from config.validate import platform_url, validate
from tasks.errors import ConfigError

PIPELINE_VERSION = "0.1.0"


@dataclass(frozen=True)
class Settings:
    inbox: Path = Path(defaults.INBOX)
    data_dir: Path = Path(defaults.DATA_DIR)
    store_url: str = ""
    broker_url: str = defaults.BROKER_URL
    queue: str = defaults.QUEUE
    max_dump_bytes: int = defaults.MAX_DUMP_BYTES
    task_time_limit: int = defaults.TASK_TIME_LIMIT
    visibility_timeout: int = defaults.VISIBILITY_TIMEOUT
    settle_seconds: float = defaults.SETTLE_SECONDS
    rescan_seconds: float = defaults.RESCAN_SECONDS
    archive_dir: Path | None = None     # the watcher moves ended dumps' files here
    run_timeout: float = defaults.RUN_TIMEOUT
    near_dup_threshold: float = defaults.NEAR_DUP_THRESHOLD
    max_attempts: int = defaults.MAX_ATTEMPTS
    reap_interval: float = defaults.REAP_INTERVAL
    embedded_processes: int = defaults.EMBEDDED_PROCESSES
    story_cache: int = defaults.STORY_CACHE
    worker_max_memory_mb: int = defaults.WORKER_MAX_MEMORY_MB
    pipeline_version: str = PIPELINE_VERSION
    # operations (see README "Operating it")
    log_format: str = defaults.LOG_FORMAT
    web_token: str = ""
    heartbeat_seconds: float = defaults.HEARTBEAT_SECONDS
    heartbeat_max_age: float = defaults.HEARTBEAT_MAX_AGE
    max_queued_age: float = defaults.MAX_QUEUED_AGE
    # topics: adapt to the stream (a model self-trained on the store's confident labels)
    topics_adapt: bool = defaults.TOPICS_ADAPT
    topics_adapt_min: int = defaults.TOPICS_ADAPT_MIN

    @property
    def embedded(self) -> bool:
        """True when no broker is configured: `ingest run` processes in-process."""
        return not self.broker_url

    @property
    def processes(self) -> int:
        """How many processes an embedded run prepares dumps in (INGEST_EMBEDDED_PROCESSES;
        0: one per CPU this process may use). 1: all in this process, no pool."""
        if self.embedded_processes > 0:
            return self.embedded_processes
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

    @property
    def model_path(self) -> Path:
        """Where `ingest topics train` writes the user's topic model."""
        return self.data_dir / "models" / "topics.npz"

    @property
    def adapted_model_path(self) -> Path:
        """Where the model self-trained on the store's confident labels is kept (`ingest topics adapt`)."""
        return self.data_dir / "models" / "topics-adapted.npz"

    @property
    def soft_time_limit(self) -> float:
        """When a task is asked to stop (and its dump fails with that reason): 90% of the hard
        limit, and at least 1 s before it, so the task has time to record the failure before
        it is killed; never under 1 s."""
        share = round(self.task_time_limit * defaults.SOFT_LIMIT_SHARE, 1)
        return max(1.0, min(share, self.task_time_limit - 1.0))

    @property
    def metrics_dir(self) -> Path:
        """prometheus-client's multiprocess folder, shared by the workers and `ingest serve`."""
        return self.data_dir / "metrics"

    @property
    def heartbeat_dir(self) -> Path:
        return self.data_dir / "heartbeats"

    @property
    def embedded_story_cache(self) -> int:
        """Stories each process of an embedded run keeps: a run is one batch job, not a process
        that lives for months, and its writer reads back every story its pool's children name
        (they send ids, not summaries), so it trades memory for speed."""
        return max(self.story_cache, defaults.EMBEDDED_STORY_CACHE)

    def store_url_or_default(self) -> str:
        return self.store_url or f"sqlite:///{(self.data_dir / 'ingest.db').resolve()}"


def _number(env: dict, name: str, default, kind=int):
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{name}={raw!r} is not {what}: set it to one, or unset it") from None


def _flag(env: dict, name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={raw!r} is not on or off: set it to 1 or 0, or unset it")


def load(env: dict | None = None) -> Settings:
    """Build the settings from INGEST_* variables (default: os.environ)."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("INGEST_DATA_DIR") or defaults.DATA_DIR)
    settings = Settings(
        inbox=Path(env.get("INGEST_INBOX") or defaults.INBOX),
        data_dir=data_dir,
        store_url=platform_url(env, "INGEST_STORE_URL", "DATABASE_URL"),
        broker_url=platform_url(env, "INGEST_BROKER_URL", "REDIS_URL") or defaults.BROKER_URL,
        queue=env.get("INGEST_QUEUE") or defaults.QUEUE,
        max_dump_bytes=_number(env, "INGEST_MAX_DUMP_BYTES", defaults.MAX_DUMP_BYTES),
        task_time_limit=_number(env, "INGEST_TASK_TIME_LIMIT", defaults.TASK_TIME_LIMIT),
        visibility_timeout=_number(env, "INGEST_VISIBILITY_TIMEOUT", defaults.VISIBILITY_TIMEOUT),
        settle_seconds=_number(env, "INGEST_SETTLE_SECONDS", defaults.SETTLE_SECONDS, float),
        rescan_seconds=_number(env, "INGEST_RESCAN_SECONDS", defaults.RESCAN_SECONDS, float),
        archive_dir=Path(env["INGEST_ARCHIVE_DIR"]) if env.get("INGEST_ARCHIVE_DIR") else None,
        run_timeout=_number(env, "INGEST_RUN_TIMEOUT", defaults.RUN_TIMEOUT, float),
        near_dup_threshold=_number(env, "INGEST_NEAR_DUP_THRESHOLD", defaults.NEAR_DUP_THRESHOLD, float),
        max_attempts=_number(env, "INGEST_MAX_ATTEMPTS", defaults.MAX_ATTEMPTS),
        reap_interval=_number(env, "INGEST_REAP_INTERVAL", defaults.REAP_INTERVAL, float),
        embedded_processes=_number(env, "INGEST_EMBEDDED_PROCESSES", defaults.EMBEDDED_PROCESSES),
        story_cache=_number(env, "INGEST_STORY_CACHE", defaults.STORY_CACHE),
        worker_max_memory_mb=_number(env, "INGEST_WORKER_MAX_MEMORY_MB", defaults.WORKER_MAX_MEMORY_MB),
        log_format=(env.get("INGEST_LOG_FORMAT") or defaults.LOG_FORMAT).strip().lower(),
        web_token=env.get("INGEST_WEB_TOKEN", ""),
        heartbeat_seconds=_number(env, "INGEST_HEARTBEAT_SECONDS", defaults.HEARTBEAT_SECONDS, float),
        heartbeat_max_age=_number(env, "INGEST_HEARTBEAT_MAX_AGE", defaults.HEARTBEAT_MAX_AGE, float),
        max_queued_age=_number(env, "INGEST_MAX_QUEUED_AGE", defaults.MAX_QUEUED_AGE, float),
        topics_adapt=_flag(env, "INGEST_TOPICS_ADAPT", defaults.TOPICS_ADAPT),
        topics_adapt_min=_number(env, "INGEST_TOPICS_ADAPT_MIN", defaults.TOPICS_ADAPT_MIN),
    )
    validate(settings)
    return settings
