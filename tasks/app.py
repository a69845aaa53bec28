"""The Celery app. Run workers with `celery -A tasks.app worker` (see the Procfile).

Settings chosen so that no work is lost: a task is acknowledged only after it finished
(late acks), put back if its worker dies mid-task, one task prefetched at a time, and a
Redis visibility timeout longer than any task may run.
"""
from __future__ import annotations

from celery import Celery

from config import load
from config.settings import Settings


def make_app(settings: Settings) -> Celery:
    app = Celery("ingest", broker=settings.broker_url or "memory://", include=["tasks.jobs"])
    app.conf.update(
        task_serializer="json", accept_content=["json"], result_serializer="json",
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=settings.task_time_limit,
        task_soft_time_limit=max(1, settings.task_time_limit - 10),
        broker_transport_options={"visibility_timeout": settings.visibility_timeout},
        broker_connection_retry_on_startup=True,
        task_default_queue=settings.queue,
        worker_hijack_root_logger=False,
    )
    return app


app = make_app(load())
