"""The Celery tasks: thin. `process_dump` gets a dump id, runs the pipeline, returns a small
summary; `process_dumps` does the same for a short batch of ids, one dump after the other.

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
from contextlib import contextmanager

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import task_prerun, worker_init, worker_process_init
from sqlalchemy.exc import InterfaceError, OperationalError

from config import load
from tasks.app import app
from tasks.errors import DumpFailed, LeaseLost, StoreError
from tasks import metrics
from tasks.pipeline import Outcome, Pipeline
from tasks.policy import SOFT_LIMIT_REPEAT_SECONDS, new_token, soft_limit_reason, task_retry_delay
from tasks.store.lifecycle import brief

log = logging.getLogger(__name__)
TRANSIENT = (StoreError, OperationalError, InterfaceError)


class PipelineTask(Task):
    _pipeline: Pipeline | None = None
    # In the worker's main process: a dump killed by the hard time limit fails with that reason at once
    Request = "workers.timeouts:TimeLimitRequest"

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


def _alarm_soft_limit(signum, frame):
    """A batch dump's soft limit. An exception raised from a signal handler is lost when it lands
    in a finalizer or a weakref callback (the garbage collector prints it as "ignored"), so the
    alarm fires again until the dump stops (see _stop_alarm)."""
    signal.setitimer(signal.ITIMER_REAL, SOFT_LIMIT_REPEAT_SECONDS)
    raise SoftLimit()


def _stop_alarm() -> None:
    try:
        signal.setitimer(signal.ITIMER_REAL, 0)
    except (AttributeError, ValueError):   # no setitimer, or not the main thread
        pass


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
        outcome = _process(self, dump_id, token)
    except TRANSIENT as exc:
        raise _retry(self, exc, dump_id, {"dump_id": dump_id, "lease": token}) from None
    if outcome.state == "failed":
        raise DumpFailed(f"dump {dump_id} failed: {outcome.error}")
    return outcome.as_dict()


@app.task(base=PipelineTask, bind=True, name="ingest.process_dumps", throws=(DumpFailed,))
def process_dumps(self, dump_ids: list[str], leases: dict | None = None) -> list[dict]:
    """Process several dumps (workers/queue.py sends a large run in short batches: one message,
    one round trip of the broker, for several dumps), one after the other, each exactly as
    `process_dump` does: its own claim, lease, soft time limit and commit. So a worker that dies
    mid-batch charges the crash to the dump in flight only: those finished stay done, those
    not started stay queued, and the message, acknowledged only once every dump is finished,
    comes back. `leases` is set only on a retry: {dump id: token} of the dump in flight."""
    leases, outcomes, crashes = leases or {}, [], []
    for k, dump_id in enumerate(dump_ids):
        token = leases.get(dump_id) or new_token()
        try:
            with _dump_time_limit(self.pipeline.settings.soft_time_limit):
                outcomes.append(_process(self, dump_id, token))
        except TRANSIENT as exc:   # retry from this dump on; those before it are finished
            raise _retry(self, exc, dump_id, {"dump_ids": dump_ids[k:], "leases": {dump_id: token}}) from None
        except Exception as exc:   # a crash of ours: recorded as the dump's reason; the others go on
            crashes.append(exc)
    if crashes:
        raise crashes[0]
    failed = [o for o in outcomes if o.state == "failed"]
    if failed:
        raise DumpFailed("; ".join(f"dump {o.dump_id} failed: {o.error}" for o in failed))
    return [o.as_dict() for o in outcomes]


def _process(task: PipelineTask, dump_id: str, token: str) -> Outcome:
    """One dump's outcome: "skipped" when another attempt owns it now, "failed" with the reason
    when it ran over the soft time limit. A crash of ours is recorded as the dump's reason, then
    raised; a store outage (TRANSIENT) is raised for the task to retry, keeping the lease."""
    try:
        outcome = task.pipeline.process(dump_id, holder=task.request.id, token=token)
    except LeaseLost as exc:   # the reaper took the dump back: another attempt owns it now
        log.warning("%s", exc)
        return Outcome(dump_id, "skipped", error=str(exc))
    except TRANSIENT:
        raise
    except (SoftLimit, SoftTimeLimitExceeded):
        _stop_alarm()   # it fires again until honoured: it is, now
        s = task.pipeline.settings
        task.pipeline.store.fail(dump_id, soft_limit_reason(dump_id, s), token)
        outcome = Outcome(dump_id, "failed", error=f"over the soft time limit ({s.soft_time_limit:g} s)")
    except Exception as exc:
        task.pipeline.fail_unexpected(dump_id, exc, token)
        raise
    metrics.observe(outcome)
    return outcome


def _retry(task: PipelineTask, exc: Exception, dump_id: str, kwargs: dict):
    """The store is unreachable: never acknowledge a dump away. Retry (a new message, same task
    id) for as long as it takes, with capped backoff, keeping the lease."""
    delay = task_retry_delay(task.request.retries)
    log.warning("dump %s: store unreachable (%s); retrying in %.0f s", dump_id, brief(str(exc), 300), delay)
    return task.retry(exc=exc, countdown=delay, max_retries=None, args=(), kwargs=kwargs)


@contextmanager
def _dump_time_limit(seconds: float):
    """The soft time limit of one dump of a batch (the batch's message carries the sum of its
    dumps' limits, see workers/queue.py): SoftLimit raised in the dump that runs over it."""
    try:
        previous = signal.signal(signal.SIGALRM, _alarm_soft_limit)
    except (AttributeError, ValueError):   # no SIGALRM, or not the main thread (solo/threads pool)
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        _stop_alarm()
        signal.signal(signal.SIGALRM, previous)
