"""The reaper: takes back dumps whose worker died, and re-sends dumps no queue holds.

Every worker runs it in a thread of its main process (a Celery bootstep, no beat needed),
every INGEST_REAP_INTERVAL seconds with jitter; `ingest requeue --stuck` runs one pass by
hand. Each pass:

1. every `processing` dump whose lease expired (tasks/policy.py) is queued again, or failed
   once it has crashed its worker INGEST_MAX_ATTEMPTS times;
2. every `queued` dump older than the resend grace that is on no queue (not waiting, not
   delivered) is sent again: a message lost with a Redis restart, a send that failed, a
   task acknowledged by a hard time limit.

Several workers may reap at once: each change is a conditional update, so one of them wins
each dump; a message sent twice is harmless (the second claim is refused).
"""
from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field

from celery import bootsteps

from config import load
from tasks.errors import IngestError
from tasks.policy import Policy
from tasks.store import Store

log = logging.getLogger(__name__)


@dataclass
class ReapReport:
    taken_back: list[str] = field(default_factory=list)   # expired leases, queued again
    crashed: list[str] = field(default_factory=list)      # failed: crashed their worker too often
    resent: list[str] = field(default_factory=list)       # queued dumps sent again

    @property
    def to_send(self) -> list[str]:
        return self.taken_back + self.resent


def reap_once(store: Store, policy: Policy, queue=None, send: bool = True) -> ReapReport:
    """One pass. With a queue (workers/queue.Queue) the dumps to run are sent to it (unless
    send is False); without one (embedded), the caller processes `report.to_send` itself."""
    reaped = store.reap(policy)
    report = ReapReport(taken_back=reaped.requeued, crashed=reaped.crashed)
    candidates = [c for c in store.unsent(policy) if c[0] not in set(report.taken_back)]
    if candidates:
        present = queue.on_queue(stale_after=policy.lease_seconds) if queue is not None else set()
        report.resent = store.mark_resent([c for c in candidates if c[0] not in present])
    if queue is not None and send and report.to_send:
        queue.submit(report.to_send)
    if report.to_send or report.crashed:
        log.warning("reaper: %d expired lease(s) taken back, %d re-sent, %d failed after crashing their worker",
                    len(report.taken_back), len(report.resent), len(report.crashed))
    return report


class ReaperStep(bootsteps.StartStopStep):
    """Runs the reaper in a daemon thread of the worker's main process."""
    requires = {"celery.worker.components:Pool"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self, worker):
        self.thread = threading.Thread(target=self._loop, args=(worker.app,), name="ingest-reaper", daemon=True)
        self.thread.start()

    def stop(self, worker):
        self.stopping.set()

    def _loop(self, app) -> None:
        from workers.queue import Queue
        settings = load()
        policy = Policy.from_settings(settings)
        store = None
        while not self.stopping.wait(policy.reap_interval * random.uniform(0.5, 1.0)):
            try:
                # no pooled connection is held between passes: the pool forks children
                store = store or Store(settings.store_url_or_default(), check_schema=False, pooled=False)
                reap_once(store, policy, Queue(settings, app))
            except IngestError as exc:
                log.warning("reaper pass skipped: %s", exc)
            except Exception:
                log.exception("reaper pass failed")
