"""The Celery task: thin. It gets a dump id, runs the pipeline, returns a small summary.

The Pipeline (with its store engine and classifier) is built lazily once per worker
*process*, after the prefork, never shared across a fork.
"""
from __future__ import annotations

import logging

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_init, worker_process_init
from sqlalchemy.exc import OperationalError

from config import load
from tasks.app import app
from tasks.errors import StoreError
from tasks.pipeline import Pipeline

log = logging.getLogger(__name__)


class PipelineTask(Task):
    _pipeline: Pipeline | None = None

    @property
    def pipeline(self) -> Pipeline:
        if PipelineTask._pipeline is None:
            PipelineTask._pipeline = Pipeline.from_settings(load())
        return PipelineTask._pipeline


@worker_init.connect
def _check_store(**_):
    """Refuse to start on a store that is behind this release (an empty one is created)."""
    import sys
    from tasks.errors import StoreError
    from tasks.store import Store
    try:
        Store(load().store_url_or_default()).close()
    except StoreError as exc:
        print(f"ingest worker: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None


@worker_process_init.connect
def _fresh_process(**_):
    """Never reuse a parent's engine after fork; build this process's pipeline now, outside
    any task's time limit (a store that is down is retried lazily, by the first task)."""
    PipelineTask._pipeline = None
    try:
        PipelineTask._pipeline = Pipeline.from_settings(load())
    except Exception:
        log.warning("could not open the store at process start; the first task retries", exc_info=True)


@app.task(base=PipelineTask, bind=True, name="ingest.process_dump",
          autoretry_for=(StoreError, OperationalError), retry_backoff=True, max_retries=5)
def process_dump(self, dump_id: str) -> dict:
    try:
        return self.pipeline.process(dump_id).as_dict()
    except (StoreError, OperationalError):
        raise   # the store is down: retried with backoff, then redelivered
    except SoftTimeLimitExceeded:
        limit = self.pipeline.settings.task_time_limit
        self.pipeline.store.fail(dump_id, f"processing took longer than the {limit} s limit: raise "
                                          f"INGEST_TASK_TIME_LIMIT, then `ingest requeue {dump_id}`")
        raise
    except Exception as exc:
        self.pipeline.fail_unexpected(dump_id, exc)
        raise
