"""What `/metrics` exposes: gauges read from the store at each scrape, and the workers' own
counters and histograms (prometheus-client multiprocess files, see tasks/metrics.py)."""
from __future__ import annotations

import logging

from prometheus_client import CollectorRegistry, exposition
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from config.settings import Settings
from tasks.store import Store
from tasks.store import ops
from workers import probes

log = logging.getLogger(__name__)
STATES = ("queued", "processing", "done", "failed")


class StoreCollector:
    """The store-backed gauges. A store that does not answer gives `ingest_store_up 0` and no
    other store gauge (never stale numbers)."""

    def __init__(self, settings: Settings, store: Store):
        self.settings, self.store = settings, store

    def collect(self):
        up = GaugeMetricFamily("ingest_store_up", "1 when the store answered this scrape")
        try:
            families = list(self._from_store())
            up.add_metric([], 1)
        except Exception:  # noqa: BLE001 - a scrape must answer even when the store does not
            log.warning("the store did not answer a /metrics scrape", exc_info=True)
            families = []
            up.add_metric([], 0)
        yield up
        yield from families
        yield from self._from_broker()

    def _from_store(self):
        from tasks.store import articles, dumps
        with self.store.engine.connect() as conn:
            counts, totals = dumps.counts(conn), articles.totals(conn)
            oldest, reasons, stories = ops.oldest_queued_seconds(conn), ops.failed_by_reason(conn), ops.stories_count(conn)
        yield _labelled("ingest_dumps", "Dumps in the store, by state", "state", {s: counts.get(s, 0) for s in STATES})
        yield _labelled("ingest_articles", "Articles in the store, by status", "status",
                        {s: totals.get(s, 0) for s in ("original", "duplicate")})
        yield _gauge("ingest_oldest_queued_seconds", "Seconds the longest-waiting queued dump has waited", oldest)
        yield _labelled("ingest_failed_by_reason", "Failed dumps, by kind of reason", "reason", reasons)
        if stories is not None:
            yield _gauge("ingest_stories", "Stories (groups of articles about one event) in the store", stories)

    def _from_broker(self):
        depth = probes.queue_depth(self.settings)
        if depth is not None:
            yield _gauge("ingest_queue_waiting", "Tasks waiting on the broker's queue", depth["waiting"])
            yield _gauge("ingest_queue_unacked", "Tasks delivered to a worker and not yet acknowledged", depth["unacked"])
        elif self.settings.embedded:
            yield _gauge("ingest_queue_waiting", "Tasks waiting on the broker's queue", 0)


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc)
    family.add_metric([], value)
    return family


def _labelled(name: str, doc: str, label: str, values: dict) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=[label])
    for key, value in values.items():
        family.add_metric([key], value)
    return family


def registry(settings: Settings, store: Store) -> CollectorRegistry:
    found = CollectorRegistry(auto_describe=False)
    found.register(StoreCollector(settings, store))
    settings.metrics_dir.mkdir(parents=True, exist_ok=True)
    MultiProcessCollector(found, path=str(settings.metrics_dir))
    return found


def render(found: CollectorRegistry, accept: str) -> tuple[bytes, str]:
    encoder, content_type = exposition.choose_encoder(accept)
    return encoder(found), content_type
