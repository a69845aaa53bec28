"""Every rule of retrying, leasing and giving up, in one place.

- A claim takes a *lease*: a random attempt token, the claimer's id and the claim time. Only
  the holder of the current lease may finish or fail the dump.
- A lease is *expired* once older than the task time limit plus a margin: its worker is dead
  (killed, node gone) or hung past the hard limit. An expired lease, or the same Celery task
  redelivered by the broker after its worker died, is taken over; each takeover counts as a
  crash, and after `max_attempts` claims the dump ends `failed` ("crashed its worker N times").
- A dump that runs over the soft time limit fails with that reason (the task records it). One
  stuck past the hard limit inside a single long call (a C parser the soft limit's signal
  cannot interrupt) has its pool process killed: the worker's main process then fails it at
  once with that reason (workers/timeouts.py), no crash counted and no lease expiry awaited,
  and sends again the dumps of the message it had not started. A dump of a batch held for
  less than its own soft limit when the batch's limit struck is not to blame: it is queued
  again, not charged.
- A task that cannot reach the store retries forever, with capped exponential backoff and
  jitter, carrying its lease token: its dump is never acknowledged away.
- Store calls retry connection errors (PostgreSQL down or restarted, SQLite busy) a few
  times, with backoff and jitter, before they give up.
- The reaper (run by every worker, and by `ingest requeue --stuck`) takes back expired
  leases and re-sends `queued` dumps that are on no queue, every `reap_interval` seconds.
"""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from config.settings import Settings

LEASE_MARGIN_SECONDS = 30      # beyond the hard time limit, before a lease counts as abandoned
                               # (half the limit when that is shorter, at least 5 s)
RESEND_GRACE_SECONDS = 30      # a queued dump younger than this may be on its way to the queue
TASK_BACKOFF_CAP_SECONDS = 60  # a task waiting for the store retries at least this often
SOFT_LIMIT_REPEAT_SECONDS = 0.2  # a batch dump's soft limit fires again this often until it is honoured
STORE_TRIES = 5                # attempts of one store call on a connection error (~8 s in all)
STORE_BACKOFF_SECONDS = 0.25
LOCK_TIMEOUT_SECONDS = 30      # PostgreSQL: wait this long for a store lock, then retry
STATEMENT_TIMEOUT_SECONDS = 120
SHUTDOWN_GRACE_SECONDS = 20    # on SIGTERM (REMAP_SIGTERM=SIGQUIT), a task gets this long to finish,
                               # then it is put back on the queue: within a platform's 30 s grace


@dataclass(frozen=True)
class Policy:
    max_attempts: int
    lease_seconds: float
    reap_interval: float
    resend_grace: float = RESEND_GRACE_SECONDS

    @classmethod
    def from_settings(cls, settings: Settings) -> "Policy":
        return cls(max_attempts=max(1, settings.max_attempts),
                   lease_seconds=settings.task_time_limit + lease_margin(settings.task_time_limit),
                   reap_interval=settings.reap_interval,
                   resend_grace=min(RESEND_GRACE_SECONDS, (settings.task_time_limit + lease_margin(settings.task_time_limit)) / 2))


def lease_margin(time_limit: float) -> float:
    return min(LEASE_MARGIN_SECONDS, max(5.0, time_limit / 2))


def new_token() -> str:
    """A fresh attempt token for a claim."""
    return secrets.token_hex(8)


def backoff(attempt: int, base: float, cap: float) -> float:
    """Capped exponential backoff with full jitter (attempt 0, 1, 2...)."""
    return random.uniform(base / 2, min(cap, base * 2 ** attempt))


def task_retry_delay(retries: int) -> float:
    return backoff(retries, 1.0, TASK_BACKOFF_CAP_SECONDS)


def store_retry_delay(attempt: int) -> float:
    return backoff(attempt, STORE_BACKOFF_SECONDS, 4.0)


def crashed_reason(attempts: int) -> str:
    return (f"crashed its worker {attempts} times (killed, out of memory, or hung past the time limit): "
            f"look at the worker logs, fix the cause, then `ingest requeue` it")


def soft_limit_reason(dump_id: str, settings: Settings) -> str:
    return (f"processing took longer than {settings.soft_time_limit:g} s, the soft limit (90% of "
            f"INGEST_TASK_TIME_LIMIT={settings.task_time_limit} s, less 1 s for short ones): raise "
            f"INGEST_TASK_TIME_LIMIT, then `ingest requeue {dump_id}`")


def hard_limit_reason(dump_id: str, settings: Settings, held_seconds: float) -> str:
    return (f"processing ran past INGEST_TASK_TIME_LIMIT={settings.task_time_limit} s, the hard time limit, "
            f"inside one long call the soft limit could not interrupt (a very large page?), so its worker "
            f"process was killed after {held_seconds:.1f} s on this dump: raise INGEST_TASK_TIME_LIMIT, "
            f"then `ingest requeue {dump_id}`")


def to_blame(held_seconds: float, settings: Settings) -> bool:
    """Is a dump killed by the hard limit while held this long the one that ran over? (A batch's
    message has the sum of its dumps' limits: the dump in flight may have started just now.)"""
    return held_seconds >= settings.soft_time_limit
