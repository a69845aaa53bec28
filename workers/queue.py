"""Sending dump ids to the Celery queue, and reading its depth from Redis."""
from __future__ import annotations

from celery import Celery
from kombu.exceptions import OperationalError as KombuOperationalError

from config.settings import Settings
from tasks.app import make_app
from tasks.errors import BrokerError

TASK_NAME = "ingest.process_dump"


class Queue:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.app: Celery = make_app(settings)

    def submit(self, dump_ids: list[str]) -> None:
        try:
            with self.app.producer_or_acquire() as producer:
                for dump_id in dump_ids:
                    self.app.send_task(TASK_NAME, args=[dump_id], queue=self.settings.queue, producer=producer,
                                       retry_policy={"max_retries": 3, "interval_start": 0.5})
        except (KombuOperationalError, OSError) as exc:
            raise BrokerError(f"cannot reach the broker at {self.settings.broker_url}: {exc}. "
                              f"Start Redis or fix INGEST_BROKER_URL; the dumps are kept as queued, "
                              f"`ingest requeue --all` sends them again") from exc

    def depth(self) -> dict[str, int]:
        """Tasks waiting in the queue, and tasks delivered but not yet acknowledged."""
        try:
            with self.app.connection_for_read() as conn:
                client = conn.default_channel.client
                return {"waiting": int(client.llen(self.settings.queue)), "unacked": int(client.hlen("unacked"))}
        except Exception as exc:  # depth is informative: report, never crash `status`
            raise BrokerError(f"cannot read the queue at {self.settings.broker_url}: {exc}") from exc
