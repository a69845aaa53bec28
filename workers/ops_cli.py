"""`ingest serve` and `ingest health`: the commands a platform's probes and scrapers run."""
from __future__ import annotations

import json
import sys

import click

from tasks.store import Store
from workers.context import Context


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (0.0.0.0: every interface).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="Port to bind.")
@click.pass_obj
def serve(obj: Context, host, port):
    """Serve /metrics (Prometheus), /healthz, /readyz and a status page at / over HTTP.

    The status page is read-only; with INGEST_WEB_TOKEN set it offers "requeue" on failed
    dumps (a POST carrying the token). See README "Operating it".
    """
    from workers.serve import serve as run_server
    from workers.web import create_app
    settings = obj.settings
    run_server(lambda: create_app(settings, Store(settings.store_url_or_default(), check_schema=False)), host, port)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks as one JSON object.")
@click.pass_obj
def health(obj: Context, as_json):
    """Exit 0 when the store, the broker and the long-running processes are healthy, else 1.

    Checks: the store and the broker answer; every heartbeat (watcher, workers) is younger than
    INGEST_HEARTBEAT_MAX_AGE; no dump has waited queued longer than INGEST_MAX_QUEUED_AGE.
    """
    from workers.probes import health as checks_of
    store = Store(obj.settings.store_url_or_default(), check_schema=False)
    checks = checks_of(obj.settings, store)
    healthy = all(c.ok for c in checks)
    if as_json:
        click.echo(json.dumps({"healthy": healthy, "checks": [c.as_dict() for c in checks]}))
    else:
        for c in checks:
            click.echo(f"{'ok  ' if c.ok else 'FAIL'} {c.name}: {c.detail}")
    sys.exit(0 if healthy else 1)
