"""The workers' own metrics, in prometheus-client's multiprocess mode.

Every pool process writes its counters and histograms to files under
`$INGEST_DATA_DIR/metrics` (PROMETHEUS_MULTIPROC_DIR, set by the worker's main process before
the pool forks, see tasks/worker_ops.py); `ingest serve` on the same host adds them up at each
scrape. prometheus_client is imported only here, after that variable is set, and the metric
objects are made once per process (prometheus-client keys its files by pid, so they are safe
across the prefork)."""
from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from tasks.timing import STAGES

# seconds: from a short text dump to a page at the time limit
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)


def use_folder(folder: Path) -> None:
    """Point prometheus-client at the shared folder; call before it is first imported."""
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(folder))


@cache
def _metrics():
    from prometheus_client import Counter, Histogram
    return {
        "dumps": Counter("ingest_worker_dumps", "Dumps processed by the workers, by outcome", ["outcome"]),
        "articles": Counter("ingest_worker_articles", "Articles stored by the workers, by status", ["status"]),
        "stage": Histogram("ingest_stage_seconds", "Seconds spent per dump in each pipeline stage", ["stage"],
                           buckets=BUCKETS),
    }


def observe(outcome) -> None:
    """Count one processed dump (a tasks.pipeline.Outcome) and time its stages."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return   # not a worker set up for metrics (an embedded run): nothing to expose
    m = _metrics()
    m["dumps"].labels(outcome.state).inc()
    if outcome.articles:
        m["articles"].labels("duplicate").inc(outcome.duplicates)
        m["articles"].labels("original").inc(outcome.articles - outcome.duplicates)
    for stage in STAGES:
        if stage in outcome.stages:
            m["stage"].labels(stage).observe(outcome.stages[stage])
