"""The Celery app. Run workers with `celery -A tasks.app worker` (see the Procfile).

Settings chosen so that no work is lost: a task is acknowledged only after it finished
(late acks), put back if its worker dies mid-task, one task prefetched at a time, and a
Redis visibility timeout longer than any task may run.
"""
from __future__ import annotations

import sys

from celery import Celery

from config import load
from config.settings import Settings
from tasks.errors import ConfigError
from tasks.policy import SHUTDOWN_GRACE_SECONDS


def make_app(settings: Settings) -> Celery:
    app = Celery("ingest", broker=settings.broker_url or "memory://", include=["tasks.jobs"])
    app.conf.update(
        task_serializer="json", accept_content=["json"], result_serializer="json",
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # A hard time limit acknowledges the message (Celery's default, said here because
        # workers/timeouts.py relies on it: it fails the dump in flight and re-sends the rest).
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        task_time_limit=settings.task_time_limit,
        task_soft_time_limit=settings.soft_time_limit,
        broker_transport_options={"visibility_timeout": settings.visibility_timeout},
        broker_connection_retry_on_startup=True,
        task_default_queue=settings.queue,
        worker_hijack_root_logger=False,
        # Graceful stop (README "Production"): with REMAP_SIGTERM=SIGQUIT, SIGTERM starts a
        # soft shutdown: running tasks get this long to finish, then they are put back.
        worker_soft_shutdown_timeout=SHUTDOWN_GRACE_SECONDS,
        worker_enable_soft_shutdown_on_idle=True,
        # A pool process whose resident memory passed the bound is replaced once its task is
        # done (nothing is lost: the task finished and was acknowledged): one huge dump's parse,
        # or a slow leak in a parser, does not keep a worker large for the months it runs.
        worker_max_memory_per_child=settings.worker_max_memory_mb * 1024 or None,   # KiB
    )
    app.steps["worker"].add(_reaper_step())
    return app


def _reaper_step():
    from workers.reaper import ReaperStep   # the worker's reaper thread (workers/reaper.py)
    return ReaperStep


def _settings_or_exit() -> Settings:
    """`celery worker` stops on a bad setting with the CLI's one-line error, not a traceback."""
    try:
        return load()
    except ConfigError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        raise SystemExit(2) from None


app = make_app(_settings_or_exit())

from tasks import worker_ops  # noqa: E402,F401  (logging and heartbeat hooks on Celery's signals)
