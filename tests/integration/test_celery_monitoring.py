"""The Procfile's worker line as Celery's tooling sees it: two workers on one host are two
nodes, task events are on without remote enabling, and a failed dump is a Celery FAILURE
(a task-failed event) logged without a traceback."""
import json
import socket
import subprocess
import threading
import time

from tests.integration.processes import BIN, Proc, environment, ingest

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def procfile(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {name}: line in the Procfile")


def start_procfile_worker(env: dict, tmp, label: str) -> Proc:
    """Run the Procfile's worker line as Procfile runners do (`sh -c`), in the test's folder."""
    env = {**env, "PATH": f"{BIN}:{env['PATH']}"}
    return Proc(["sh", "-c", procfile("worker")], env, tmp / f"{label}.log", tmp)


def collect_events(env: dict, hostnames: set[str], seen: list, receivers: list) -> None:
    """Capture our workers' events on one subscription until `receivers[0].should_stop`
    (a fresh subscription per poll would miss what is published in between)."""
    from celery import Celery
    app = Celery(broker=env["INGEST_BROKER_URL"])
    with app.connection() as conn:
        def keep(event):
            if event.get("hostname") in hostnames:
                seen.append(event)
        recv = app.events.Receiver(conn, handlers={"*": keep})
        receivers.append(recv)
        recv.capture(limit=None, timeout=None, wakeup=False)


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_procfile_workers_are_distinct_nodes_with_events_and_failures_counted(tmp_path, redis_url, pg_url,
                                                                                queue_name):
    env = environment(tmp_path, redis_url, pg_url, queue_name, INGEST_CONCURRENCY="1", INGEST_LOG_FORMAT="json")
    workers = [start_procfile_worker(env, tmp_path, f"w{i}") for i in (1, 2)]
    try:
        for w in workers:
            w.wait_for("ready.")
        host = socket.gethostname()
        names = {f"worker-{w.handle.pid}@{host}" for w in workers}
        # when celery inspect ping asks, then both answer under their own names
        ping = subprocess.run([str(BIN / "celery"), "-A", "tasks.app", "inspect", "ping", "--timeout", "5"],
                              env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert all(f" {n}: OK" in ping.stdout for n in names), ping.stdout + ping.stderr
        # when a good and a bad dump are processed, then events arrive with no remote enabling
        seen, receivers = [], []
        listener = threading.Thread(target=collect_events, args=(env, names, seen, receivers), daemon=True)
        listener.start()
        assert wait_until(lambda: any(e["type"] == "worker-heartbeat" for e in seen), 30), "no worker events"
        dumps = tmp_path / "dumps"
        dumps.mkdir()
        (dumps / "good.txt").write_text("Council approves budget\n\n" + "The council approved the budget "
                                        "for the coming year after a long debate about roads and schools. " * 5)
        (dumps / "empty.txt").write_bytes(b"")
        done = ingest(env, tmp_path, "run", str(dumps), timeout=120)
        assert done.returncode == 1, done.stdout + done.stderr
        wait_until(lambda: {"task-succeeded", "task-failed"} <= {e["type"] for e in seen}, 15)
        receivers[0].should_stop = True
        kinds = [e["type"] for e in seen]
        assert "task-received" in kinds and "task-succeeded" in kinds and "task-failed" in kinds, kinds
        failed = next(e for e in seen if e["type"] == "task-failed")
        assert "DumpFailed" in failed["exception"] and "empty" in failed["exception"].lower()
        logs = "".join(w.output() for w in workers)
        assert "raised expected: DumpFailed" in logs and "Traceback" not in logs, logs[-3000:]
        # and every line the workers wrote is one JSON object; a dump's line has its task and timings
        lines = [json.loads(line) for line in logs.splitlines() if line.strip()]
        by_outcome = {line["outcome"]: line for line in lines if "outcome" in line}
        assert set(by_outcome) == {"done", "failed"}
        assert by_outcome["done"]["task_id"] and set(by_outcome["done"]["stages"]) == {"clean", "classify", "dedup", "stories", "store"}
        assert "empty" in by_outcome["failed"]["error"].lower() and by_outcome["failed"]["task_id"]
        print(json.dumps(by_outcome["done"]), json.dumps(by_outcome["failed"]), sep="\n")
    finally:
        for w in workers:
            w.stop()
