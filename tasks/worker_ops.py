"""What a Celery worker process exposes to its operators, hooked on Celery's signals: its log
format (tasks/logs.py) for Celery's own lines too, no banner when logs are JSON, the folder of
its metrics (tasks/metrics.py) and its heartbeat file (tasks/heartbeat.py)."""
from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timezone

from celery.signals import celeryd_init, setup_logging, worker_ready, worker_shutdown

from config import load
from tasks import heartbeat, logs


@setup_logging.connect
def _logging(loglevel=None, **_):
    """Celery's own loggers and ours share the format of every other process."""
    logs.setup(load().log_format, loglevel or "INFO")


@celeryd_init.connect
def _early_logging(instance=None, **_):
    """Before Celery's first words (its privilege warning, its banner): our format already."""
    log_format = load().log_format
    logs.setup(log_format, "INFO")
    if log_format == "json" and instance is not None:
        instance.quiet = True   # the ASCII banner would be the only non-JSON output
        import celery.apps.worker
        celery.apps.worker.safe_say = _json_say


def _json_say(msg, f=sys.__stderr__):
    """What Celery prints from its signal handlers ("Warm shutdown"), as a JSON line. Written
    directly, as Celery's own safe_say does: no logging lock inside a signal handler."""
    doc = {"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), "level": "warning",
           "logger": "celery.apps.worker", "process": f"MainProcess[{os.getpid()}]", "message": str(msg)}
    try:
        print(json.dumps(doc), file=f, flush=True)
    except Exception:  # noqa: BLE001 - as Celery's: saying must never abort a shutdown
        pass


@celeryd_init.connect
def _metrics_folder(**_):
    """Before the pool forks: every pool process writes its metrics under the data folder."""
    from tasks import metrics
    metrics.use_folder(load().metrics_dir)


@worker_ready.connect
def _start_heartbeat(sender=None, **_):
    """Beat from the worker's own event loop (its timer): a stuck main loop stops beating."""
    settings = load()
    name = f"worker-{sender.hostname}"
    heartbeat.forget_dead(settings.heartbeat_dir, "worker-")
    heartbeat.beat(settings.heartbeat_dir, name)
    sender.timer.call_repeatedly(settings.heartbeat_seconds, heartbeat.beat, (settings.heartbeat_dir, name),
                                 priority=0)


@worker_shutdown.connect
def _stop_heartbeat(sender=None, **_):
    if sender is not None:
        heartbeat.remove(load().heartbeat_dir, f"worker-{sender.hostname}")
