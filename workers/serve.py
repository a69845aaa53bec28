"""Run the web app (workers/web.py) under gunicorn, from `ingest serve`.

gunicorn is a production HTTP server (graceful SIGTERM, worker restarts, request timeouts);
one process with a few threads is enough for scrapes, probes and a status page, and keeps
the store's connection pool small."""
from __future__ import annotations

import logging

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

THREADS = 4


class _Server(BaseApplication):
    def __init__(self, factory, options: dict):
        self.factory, self.options = factory, options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.factory()


class _RootLogger(glogging.Logger):
    """gunicorn's lines go through the root logger: the process's format (text or JSON)."""

    def setup(self, cfg):
        for found in (self.error_log, self.access_log):
            found.handlers = []
            found.propagate = True
        self.error_log.setLevel(logging.INFO)


def serve(factory, host: str, port: int) -> None:
    """Serve the WSGI app that `factory()` builds (after the fork, in gunicorn's worker)."""
    _Server(factory, {"bind": f"{host}:{port}", "workers": 1, "worker_class": "gthread", "threads": THREADS,
                      "timeout": 60, "graceful_timeout": 10, "logger_class": _RootLogger, "proc_name": "ingest-serve"}).run()
