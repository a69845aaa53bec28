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

TASK_NAME = "ingest.process_dump"
UNACKED = "unacked"             # kombu's Redis hash of delivered, unacknowledged messages
UNACKED_INDEX = "unacked_index"  # and the time each was delivered


class Queue:
    def __init__(self, settings: Settings, app: Celery | None = None):
        self.settings = settings
        self.app: Celery = app or make_app(settings)

    def submit(self, dump_ids: list[str]) -> None:
        try:
            with self.app.producer_or_acquire() as producer:
                for dump_id in dump_ids:
                    self.app.send_task(TASK_NAME, args=[dump_id], queue=self.settings.queue, producer=producer,
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
        ids = {_dump_id(json.loads(raw)) for raw in waiting}
        for tag in set(fresh) & set(unacked):
            message, _exchange, routing_key = json.loads(unacked[tag])
            if routing_key == self.settings.queue:
                ids.add(_dump_id(message))
        return ids - {None}


def _dump_id(message: dict) -> str | None:
    """The dump id a Celery (protocol 2) message carries: its first argument or `dump_id`."""
    try:
        body = message["body"]
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args, kwargs, _embed = json.loads(body)
        return kwargs.get("dump_id") or (args[0] if args else None)
    except (KeyError, ValueError, TypeError, IndexError):
        return None
