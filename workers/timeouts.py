"""What a worker's main process does when Celery's hard time limit kills a pool process.

The soft limit is a signal that Python handles only between bytecodes: a dump stuck inside one
long call of a C library (lxml's XPath over a very large page) does not see it, and the hard
limit kills its pool process. Billiard then, in the worker's main process, hands the task a
TimeLimitExceeded (`Request.on_failure`) and calls `Request.on_timeout(soft=False, ...)`, and
only then kills the process. With task_acks_late and acks_on_failure_or_timeout (tasks/app.py)
the message is acknowledged there: a timeout is final, not a lost worker, so
task_reject_on_worker_lost does not put it back, and nothing is processed twice.

`TimeLimitRequest` (the tasks' custom Request, Celery's "Requests and custom requests") then
records what happened, at once (tasks/policy.py has the rules, the store the transitions):
- the dump the task held (processing, held by its task id) ends `failed` with the hard limit's
  reason on this first attempt, instead of waiting for its lease to expire and crashing its
  worker INGEST_MAX_ATTEMPTS times (a batch's dump held for less than its own soft limit is not
  to blame: it is queued again);
- of a batch (ingest.process_dumps), the dumps not started are sent again, since the message is
  gone; those finished stay done.
If the store or the broker cannot be reached now, the reaper does the same later (workers/reaper.py:
an expired lease is taken back, a queued dump on no queue is sent again).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from celery.worker.request import Request

from config import load
from config.settings import Settings
from tasks import metrics
from tasks.outcome import Outcome
from tasks.store import Store
from workers.queue import Queue, dump_ids

log = logging.getLogger(__name__)


class TimeLimitRequest(Request):
    def on_timeout(self, soft, timeout):
        super().on_timeout(soft, timeout)
        if not soft:
            _record(self)


@dataclass(frozen=True)
class HardLimitReport:
    failed: list[str]       # the dump(s) in flight: failed with the hard limit's reason
    resent: list[str]       # the message's dumps not started (or not to blame): sent again


def after_hard_limit(store: Store, queue, task_id: str, dump_ids: list[str], settings: Settings) -> HardLimitReport:
    """Record the hard limit on the dumps task `task_id` held, and send again those of its
    message (`dump_ids`) still queued. `queue` is a workers.queue.Queue."""
    timed_out = store.time_out(task_id, settings)
    states = store.states(dump_ids)
    unstarted = [dump_id for dump_id in dump_ids if states.get(dump_id) == "queued"]
    if unstarted:
        queue.submit(unstarted)
    for dump_id in timed_out.failed:
        log.warning("dump %s failed: it ran past the hard time limit (INGEST_TASK_TIME_LIMIT=%s s) and its "
                    "worker process was killed", dump_id, settings.task_time_limit)
    if unstarted:
        log.warning("task %s: %d dump(s) of its message not started before the hard time limit sent again",
                    task_id, len(unstarted))
    return HardLimitReport(timed_out.failed, unstarted)


def _record(request: Request) -> None:
    """Runs in the worker's main loop: one short transaction and one send (a dump's worst case)."""
    settings = load()
    try:
        store = Store(settings.store_url_or_default(), check_schema=False, pooled=False)
        try:
            report = after_hard_limit(store, Queue(settings, request.task.app), request.id,
                                      dump_ids(request.args or [], request.kwargs or {}), settings)
        finally:
            store.close()
        for dump_id in report.failed:   # counted as the pool process would have (tasks/metrics.py)
            metrics.observe(Outcome(dump_id, "failed", error="over the hard time limit"))
    except Exception:   # noqa: BLE001 - never break the worker's loop; the reaper catches up
        log.exception("task %s: could not record the hard time limit on its dumps; the reaper will take "
                      "them back once their lease expires", request.id)
