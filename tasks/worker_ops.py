"""What a Celery worker process exposes to its operators, hooked on Celery's signals: its log
format (tasks/logs.py) for Celery's own lines too, and no banner when logs are JSON."""
from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timezone

from celery.signals import celeryd_init, setup_logging

from config import load
from tasks import logs


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
