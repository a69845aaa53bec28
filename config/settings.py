"""One Settings object, read once from the environment.

Every process (CLI, watcher, Celery worker) calls `load()` at its start and passes the
object down; nothing reads os.environ anywhere else.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from config import defaults
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
    run_timeout: float = defaults.RUN_TIMEOUT
    near_dup_threshold: float = defaults.NEAR_DUP_THRESHOLD
    pipeline_version: str = PIPELINE_VERSION

    @property
    def embedded(self) -> bool:
        """True when no broker is configured: `ingest run` processes in-process."""
        return not self.broker_url

    @property
    def model_path(self) -> Path:
        """Where `ingest topics train` writes the user's topic model."""
        return self.data_dir / "models" / "topics.joblib"

    def store_url_or_default(self) -> str:
        return self.store_url or f"sqlite:///{(self.data_dir / 'ingest.db').resolve()}"


def _number(env: dict, name: str, default, kind=int):
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a {kind.__name__}; set it to a number or unset it") from None


def load(env: dict | None = None) -> Settings:
    """Build the settings from INGEST_* variables (default: os.environ)."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("INGEST_DATA_DIR") or defaults.DATA_DIR)
    return Settings(
        inbox=Path(env.get("INGEST_INBOX") or defaults.INBOX),
        data_dir=data_dir,
        store_url=env.get("INGEST_STORE_URL", ""),
        broker_url=env.get("INGEST_BROKER_URL", defaults.BROKER_URL),
        queue=env.get("INGEST_QUEUE") or defaults.QUEUE,
        max_dump_bytes=_number(env, "INGEST_MAX_DUMP_BYTES", defaults.MAX_DUMP_BYTES),
        task_time_limit=_number(env, "INGEST_TASK_TIME_LIMIT", defaults.TASK_TIME_LIMIT),
        visibility_timeout=_number(env, "INGEST_VISIBILITY_TIMEOUT", defaults.VISIBILITY_TIMEOUT),
        settle_seconds=_number(env, "INGEST_SETTLE_SECONDS", defaults.SETTLE_SECONDS, float),
        rescan_seconds=_number(env, "INGEST_RESCAN_SECONDS", defaults.RESCAN_SECONDS, float),
        run_timeout=_number(env, "INGEST_RUN_TIMEOUT", defaults.RUN_TIMEOUT, float),
        near_dup_threshold=_number(env, "INGEST_NEAR_DUP_THRESHOLD", defaults.NEAR_DUP_THRESHOLD, float),
    )
