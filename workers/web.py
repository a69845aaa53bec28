"""`ingest serve`: the HTTP face of the product for Prometheus, orchestrators and people.

- `/metrics`: Prometheus text format: store-backed gauges computed at each scrape, plus the
  workers' own counters and stage histograms read from the multiprocess folder.
- `/healthz`: 200 while this process runs. `/readyz`: 200 when the store and the broker
  answer, else 503 with the reasons as JSON.
- `/`: a status page (server-rendered, Jinja2 autoescaped, refreshes itself; no JavaScript).
  With INGEST_WEB_TOKEN set it offers "requeue" on failures, as a POST carrying the token.

Flask routes and renders; gunicorn (gthread: one process, a few threads) serves, in
`workers/serve.py`. Nothing here keeps state between requests but the Store's engine.
"""
from __future__ import annotations

import hmac
import logging
import time

from flask import Flask, Response, abort, jsonify, redirect, render_template, request, url_for

from config.settings import Settings
from tasks.store import Store
from tasks.store import ops
from workers import metrics_view, probes

log = logging.getLogger(__name__)
REFRESH_SECONDS = 10
FAILURES_SHOWN = 20
ARTICLES_SHOWN = 20


def create_app(settings: Settings, store: Store) -> Flask:
    app = Flask(__name__)
    app.config.update(INGEST_SETTINGS=settings, INGEST_STORE=store)
    registry = metrics_view.registry(settings, store)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():
        checks = probes.readiness(settings, store)
        ready = all(c.ok for c in checks)
        return jsonify(ready=ready, checks=[c.as_dict() for c in checks]), 200 if ready else 503

    @app.get("/metrics")
    def metrics():
        body, content_type = metrics_view.render(registry, request.headers.get("Accept", ""))
        return Response(body, content_type=content_type)

    @app.get("/")
    def status_page():
        refresh = request.args.get("refresh", REFRESH_SECONDS, type=int)   # ?refresh=0: hold still
        return render_template("status.html", **_page(settings, store),
                               refresh=min(max(refresh, 0), 3600), requeue_enabled=bool(settings.web_token),
                               message=request.args.get("message", ""))

    @app.post("/requeue")
    def requeue():
        if not settings.web_token:
            abort(404)
        given = request.form.get("token", "")
        if not hmac.compare_digest(given.encode(), settings.web_token.encode()):
            abort(403)
        dump_id = request.form.get("dump_id", "")
        requeued = store.requeue([dump_id], only_failed=True).ids if dump_id else []
        if requeued:
            from rich.console import Console
            from workers.runner import dispatch
            dispatch(settings, store, requeued, Console(quiet=True))
            log.info("dump %s requeued from the status page", dump_id, extra={"dump_id": dump_id})
        message = f"requeued {dump_id}" if requeued else f"{dump_id} is not a failed dump"
        return redirect(url_for("status_page", message=message), code=303)

    return app


def _page(settings: Settings, store: Store) -> dict:
    started = time.perf_counter()
    with store.engine.connect() as conn:
        from tasks.store import dumps, articles
        counts = dumps.counts(conn)
        totals = articles.totals(conn)
        page = {
            "counts": counts, "totals": totals,
            "oldest_queued": ops.oldest_queued_seconds(conn),
            "throughput": ops.finished_per_minute(conn, 10),
            "reasons": ops.failed_by_reason(conn),
            "failures": dumps.recent_failures(conn, FAILURES_SHOWN),
            "latest": ops.latest_articles(conn, ARTICLES_SHOWN),
            "stories": ops.stories_count(conn),
        }
    page["depth"] = probes.queue_depth(settings)
    page["embedded"] = settings.embedded
    page["heartbeats"] = probes.heartbeat_checks(settings)
    page["store_url"] = store.safe_url
    page["seconds"] = time.perf_counter() - started
    page["token"] = settings.web_token
    return page
