#!/usr/bin/env python3
"""How long a worker takes to stop on SIGTERM in the middle of a task, and what becomes of
the task. Runs the Procfile's own `worker` line on the local Redis (a queue of its own) and a
SQLite store in a temp folder.

    python bench/sigterm.py                 # both ways a platform sends SIGTERM
    python bench/sigterm.py --slow-seconds 60

`group`: SIGTERM to every process of the worker (Heroku, honcho, `kill -TERM -PGID`);
`main`: SIGTERM to the main process only (Kubernetes, systemd with KillMode=mixed). For each,
prints the seconds from SIGTERM to exit, then restarts the worker and checks the dump ends
done (its attempts).
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tasks.store import Store          # noqa: E402


def procfile(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    raise SystemExit(f"no {name} line in the Procfile")


def slow_page(paragraphs: int) -> str:
    body = "".join(f"<p>Paragraph {i}: the council met again on Tuesday to discuss the budget, the roads and "
                   f"the new school, and residents asked many questions about taxes and services.</p>\n"
                   for i in range(paragraphs))
    return f"<html><head><title>Council minutes</title></head><body><article>{body}</article></body></html>"


def start(env: dict, log: Path) -> subprocess.Popen:
    cmd = procfile("worker")
    return subprocess.Popen(["sh", "-c", f"exec env {cmd}"], env=env, cwd=ROOT, stdout=log.open("a"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def wait(predicate, timeout: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")


def one(mode: str, redis: str, paragraphs: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"sigterm-{mode}-"))
    queue = f"bench-sigterm-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_")}
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    env.update(INGEST_BROKER_URL=redis, INGEST_QUEUE=queue, INGEST_DATA_DIR=str(tmp / "data"),
               INGEST_CONCURRENCY="1", PYTHONUNBUFFERED="1", INGEST_REAP_INTERVAL="2")
    os.environ.update({k: v for k, v in env.items() if k.startswith("INGEST_")})
    from config import load
    from workers.queue import Queue
    settings = load()
    store = Store(settings.store_url_or_default())
    log = tmp / "worker.log"
    worker = start(env, log)
    wait(lambda: "ready." in log.read_text(errors="replace"), 120, "the worker to start")
    page = tmp / "minutes.html"
    page.write_text(slow_page(paragraphs))
    dump_id = store.register(page, 50_000_000, settings.pipeline_version).dump_id
    Queue(settings).submit([dump_id])
    wait(lambda: store.dump(dump_id)["state"] == "processing", 120, "the dump to be claimed")
    time.sleep(1.0)
    sent = time.monotonic()
    if mode == "group":
        os.killpg(worker.pid, signal.SIGTERM)
    else:
        os.kill(worker.pid, signal.SIGTERM)
    worker.wait(timeout=120)
    stopped = time.monotonic() - sent
    state_after_stop = store.dump(dump_id)["state"]
    worker = start(env, log)
    took = wait(lambda: store.dump(dump_id)["state"] in ("done", "failed"), 600, "the dump to finish")
    row = store.dump(dump_id)
    os.killpg(worker.pid, signal.SIGTERM)
    worker.wait(timeout=120)
    import redis as redis_client
    redis_client.Redis.from_url(redis).delete(queue)
    return {"mode": mode, "stop_seconds": round(stopped, 1), "state_at_stop": state_after_stop,
            "final": row["state"], "attempts": row["attempts"], "redone_in_s": round(took, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default=os.environ.get("INGEST_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--paragraphs", type=int, default=60_000, help="size of the slow dump")
    parser.add_argument("--mode", choices=("group", "main", "both"), default="both")
    args = parser.parse_args()
    print(f"Procfile worker: {procfile('worker')}")
    for mode in ("group", "main") if args.mode == "both" else (args.mode,):
        r = one(mode, args.redis, args.paragraphs)
        print(f"SIGTERM to {r['mode']:5}: stopped in {r['stop_seconds']:5.1f} s (dump {r['state_at_stop']} at stop); "
              f"after restart: {r['final']} on attempt {r['attempts']}, {r['redone_in_s']} s later")


if __name__ == "__main__":
    main()
