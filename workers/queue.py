"""Sending dump ids to the Celery queue, and reading what is on it from Redis."""
from __future__ import annotations

import base64
import json
import time

from celery import Celery
from kombu.exceptions import OperationalError as KombuOperationalError

from config.settings import Settings
from tasks.app import make_app
from tasks.errors import BrokerError
from tasks.policy import lease_margin

TASK_NAME = "ingest.process_dump"
BATCH_TASK_NAME = "ingest.process_dumps"
BATCH = 8            # dumps per message at most: a large run pays the broker's round trip once per 8
MIN_MESSAGES = 16    # but never fewer messages than this, so a small run still spreads over every worker
UNACKED = "unacked"             # kombu's Redis hash of delivered, unacknowledged messages
UNACKED_INDEX = "unacked_index"  # and the time each was delivered


class Queue:
    def __init__(self, settings: Settings, app: Celery | None = None):
        self.settings = settings
        self.app: Celery = app or make_app(settings)

    def submit(self, dump_ids: list[str]) -> None:
        """Send the dumps: one id per message, or with many of them short batches
        (tasks/jobs.py process_dumps), each message's time limits the sum of its dumps'."""
        s = self.settings
        try:
            with self.app.producer_or_acquire() as producer:
                for batch in batches(dump_ids, s):
                    name, args = (TASK_NAME, batch) if len(batch) == 1 else (BATCH_TASK_NAME, [batch])
                    self.app.send_task(name, args=args, queue=s.queue, producer=producer,
                                       time_limit=s.task_time_limit * len(batch),
                                       soft_time_limit=s.soft_time_limit * len(batch),
                                       retry_policy={"max_retries": 3, "interval_start": 0.5})
        except (KombuOperationalError, OSError) as exc:
            raise BrokerError(f"cannot reach the broker at {self.settings.broker_url}: {exc}. "
                              f"Start Redis or fix INGEST_BROKER_URL; the dumps are kept as queued, "
                              f"and the workers' reaper (or `ingest requeue --stuck`) sends them again") from exc

    def depth(self) -> dict[str, int]:
        """Tasks waiting in the queue, and tasks delivered but not yet acknowledged."""
        try:
            with self.app.connection_for_read() as conn:
                client = conn.default_channel.client
                return {"waiting": int(client.llen(self.settings.queue)), "unacked": int(client.hlen(UNACKED))}
        except Exception as exc:  # depth is informative: report, never crash `status`
            raise BrokerError(f"cannot read the queue at {self.settings.broker_url}: {exc}") from exc

    def on_queue(self, stale_after: float) -> set[str]:
        """The dump ids of every message waiting on our queue, or delivered to a worker less
        than `stale_after` seconds ago and not yet acknowledged (read in one Redis transaction).
        A delivery older than that belongs to a dead worker: Redis would hand it back only
        after the visibility timeout, so it does not count."""
        try:
            with self.app.connection_for_read() as conn:
                pipe = conn.default_channel.client.pipeline(transaction=True)
                pipe.lrange(self.settings.queue, 0, -1)
                pipe.hgetall(UNACKED)
                pipe.zrangebyscore(UNACKED_INDEX, time.time() - stale_after, "+inf")
                waiting, unacked, fresh = pipe.execute()
        except Exception as exc:
            raise BrokerError(f"cannot read the queue at {self.settings.broker_url}: {exc}") from exc
        ids = {i for raw in waiting for i in _dump_ids(json.loads(raw))}
        for tag in set(fresh) & set(unacked):
            message, _exchange, routing_key = json.loads(unacked[tag])
            if routing_key == self.settings.queue:
                ids.update(_dump_ids(message))
        return ids


def batches(dump_ids: list[str], settings: Settings) -> list[list[str]]:
    """The dump ids in messages of at most BATCH, in order; one each when there are few (fewer
    than MIN_MESSAGES * 2), and never so many per message that its time limit could outlast
    the broker's visibility timeout (Redis would hand a running batch out again)."""
    size = min(BATCH, len(dump_ids) // MIN_MESSAGES,
               int(settings.visibility_timeout // (settings.task_time_limit + lease_margin(settings.task_time_limit))))
    size = max(1, size)
    return [dump_ids[k:k + size] for k in range(0, len(dump_ids), size)]


def _dump_ids(message: dict) -> list[str]:
    """The dump ids a Celery (protocol 2) message carries (see dump_ids)."""
    try:
        body = message["body"]
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args, kwargs, _embed = json.loads(body)
    except (KeyError, ValueError, TypeError):
        return []
    return dump_ids(args, kwargs)


def dump_ids(args, kwargs) -> list[str]:
    """The dump ids of a task's arguments: `process_dump`'s first argument or `dump_id`,
    `process_dumps`' list (first argument or `dump_ids`)."""
    try:
        found = kwargs.get("dump_ids") or kwargs.get("dump_id") or (args[0] if args else None)
    except (AttributeError, TypeError, IndexError, KeyError):
        return []
    if isinstance(found, str):
        return [found]
    return [i for i in found if isinstance(i, str)] if isinstance(found, list) else []
