"""Log lines for every process (the `ingest` CLI, the watcher, Celery workers, `ingest serve`).

`INGEST_LOG_FORMAT=text` (default): one timestamped line per record, never wrapped.
`INGEST_LOG_FORMAT=json`: one JSON object per line, with `time` (UTC, ISO 8601), `level`,
`logger`, `process` (name and pid), `message`, and when known `dump_id`, `task_id`,
`outcome`, `articles`, `duplicates`, `error` and `stages` (seconds per pipeline stage).

Celery workers use the same setup: `setup_logging` is connected in tasks/app.py, so Celery's
own loggers (task received / succeeded / raised) go through these formatters too.
"""
from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

TEXT_FORMAT = "%(asctime)s %(levelname)s %(processName)s[%(process)d] %(name)s: %(message)s"
FIELDS = ("dump_id", "task_id", "outcome", "articles", "duplicates", "error", "stages", "path", "reason")


def _task_id(record: logging.LogRecord) -> str | None:
    data = getattr(record, "data", None)   # Celery's tracer puts the task's context here
    if isinstance(data, dict) and data.get("id"):
        return str(data["id"])
    if "celery" in sys.modules:
        from celery import current_task
        if current_task and current_task.request and current_task.request.id:
            return current_task.request.id
    return None


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "logger": record.name,
               "process": f"{record.processName}[{record.process}]", "message": record.getMessage()}
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                doc[name] = value
        doc.setdefault("task_id", _task_id(record))
        if doc["task_id"] is None:
            del doc["task_id"]
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Timestamped, and a traceback stays on following lines; nothing is wrapped."""

    def __init__(self):
        super().__init__(TEXT_FORMAT)

    def formatTime(self, record, datefmt=None):  # noqa: N802 (logging's name)
        return datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")


def setup(log_format: str, level: int | str = logging.INFO, stream=None) -> None:
    """Configure the root logger once for this process: one handler, our formatter."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)
    for noisy in ("alembic.runtime.migration",):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
