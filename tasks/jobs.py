"""The Celery task: thin. It gets a dump id, runs the pipeline, returns a small summary.

The Pipeline (with its store engine and classifier) is built lazily once per worker
*process*, after the prefork, never shared across a fork.

A dump that ends `failed` ends the task in Celery's FAILURE state (a `task-failed` event that
Flower and celery-exporter count) by raising `DumpFailed`, an *expected* exception
(`throws`): Celery logs it as one INFO line, without a traceback.
"""
from __future__ import annotations

import logging
import os
import signal

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import task_prerun, worker_init, worker_process_init
from sqlalchemy.exc import InterfaceError, OperationalError

from config import load
from tasks.app import app
from tasks.errors import DumpFailed, LeaseLost, StoreError
from tasks import metrics
from tasks.pipeline import Outcome, Pipeline
from tasks.policy import new_token, task_retry_delay
from tasks.store.lifecycle import brief

log = logging.getLogger(__name__)
TRANSIENT = (StoreError, OperationalError, InterfaceError)


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
        print(f"Error: {exc}", file=sys.stderr, flush=True)   # the CLI's one-line format
        raise SystemExit(2) from None
    from tasks.warmup import warm_up
    log.info("stages warmed up in %.2f s (before the pool forks)", warm_up())


@worker_process_init.connect
def _fresh_process(**_):
    """Never reuse a parent's engine after fork; build this process's pipeline now, outside
    any task's time limit (a store that is down is retried lazily, by the first task)."""
    PipelineTask._pipeline = None
    _die_on_cold_shutdown()
    try:
        PipelineTask._pipeline = Pipeline.from_settings(load())
    except Exception:
        log.warning("could not open the store at process start; the first task retries", exc_info=True)
        return
    try:   # the topic model and the story term weights, outside any task's time limit too
        PipelineTask._pipeline.classifier()
        PipelineTask._pipeline.story_rules()
    except Exception:
        log.warning("could not load the topic model at process start; each dump will fail with "
                    "the reason until it is fixed", exc_info=True)


def _die_on_cold_shutdown() -> None:
    """With REMAP_SIGTERM=SIGQUIT, billiard stops pool processes with SIGQUIT but has them
    ignore it, so a process busy in C code (a long parse) held the cold shutdown for ~40 s.
    By then the task's message is already back on the queue: exit at once."""
    if os.environ.get("REMAP_SIGTERM") == "SIGQUIT":
        signal.signal(signal.SIGQUIT, lambda *_: os._exit(1))


class SoftLimit(BaseException):
    """The soft time limit, raised as a BaseException so that no library's `except Exception`
    (htmldate's, trafilatura's) swallows it and lets the hard limit kill the process."""


def _raise_soft_limit(signum, frame):
    raise SoftLimit()


@task_prerun.connect
def _soft_limit_reaches_the_task(**_):
    """billiard installs its soft-limit handler after worker_process_init; replace it per task."""
    try:
        signal.signal(signal.SIGUSR1, _raise_soft_limit)
    except (AttributeError, ValueError):   # no SIGUSR1, or not the main thread (solo/threads pool)
        pass


@app.task(base=PipelineTask, bind=True, name="ingest.process_dump", throws=(DumpFailed,))
def process_dump(self, dump_id: str, lease: str | None = None) -> dict:
    """Process one dump. `lease` is set only on a retry: the token this task's claim took."""
    token = lease or new_token()
    try:
        outcome = self.pipeline.process(dump_id, holder=self.request.id, token=token)
    except LeaseLost as exc:   # the reaper took the dump back: another attempt owns it now
        log.warning("%s", exc)
        return {"dump_id": dump_id, "state": "skipped", "error": str(exc)}
    except TRANSIENT as exc:
        # The store is unreachable: never acknowledge the dump away. Retry (a new message,
        # same task id) for as long as it takes, with capped backoff, keeping the lease.
        delay = task_retry_delay(self.request.retries)
        log.warning("dump %s: store unreachable (%s); retrying in %.0f s", dump_id, brief(str(exc), 300), delay)
        raise self.retry(exc=exc, countdown=delay, max_retries=None, args=(),
                         kwargs={"dump_id": dump_id, "lease": token})
    except (SoftLimit, SoftTimeLimitExceeded):
        s = self.pipeline.settings
        self.pipeline.store.fail(dump_id, f"processing took longer than {s.soft_time_limit:g} s, the soft limit "
                                          f"(90% of INGEST_TASK_TIME_LIMIT={s.task_time_limit} s, less 1 s for "
                                          f"short ones): raise INGEST_TASK_TIME_LIMIT, then `ingest requeue {dump_id}`",
                                 token)
        metrics.observe(Outcome(dump_id, "failed"))
        raise DumpFailed(f"dump {dump_id} failed: over the soft time limit ({s.soft_time_limit:g} s)") from None
    except Exception as exc:
        self.pipeline.fail_unexpected(dump_id, exc, token)
        raise
    metrics.observe(outcome)
    if outcome.state == "failed":
        raise DumpFailed(f"dump {dump_id} failed: {outcome.error}")
    return outcome.as_dict()
