"""Starting real `celery worker` and `ingest watch` processes for the integration tests."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


class Proc:
    def __init__(self, args: list[str], env: dict, log: Path, cwd: Path):
        self.log = log
        self.handle = subprocess.Popen(args, env=env, cwd=cwd, stdout=log.open("w"), stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if self.handle.poll() is not None:
                raise AssertionError(f"process exited {self.handle.returncode}:\n{self.output()[-3000:]}")
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not seen in {timeout}s:\n{self.output()[-3000:]}")

    def stop(self) -> None:
        if self.handle.poll() is None:
            os.killpg(self.handle.pid, signal.SIGTERM)
            try:
                self.handle.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.handle.pid, signal.SIGKILL)
                self.handle.wait()


def environment(tmp: Path, broker: str, store: str, queue: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_")}
    env.update({"INGEST_BROKER_URL": broker, "INGEST_STORE_URL": store, "INGEST_QUEUE": queue,
                "INGEST_DATA_DIR": str(tmp / "data"), "INGEST_INBOX": str(tmp / "inbox"),
                "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def start_worker(name: str, env: dict, tmp: Path, concurrency: int = 1) -> Proc:
    args = [str(BIN / "celery"), "-A", "tasks.app", "worker", "--loglevel=INFO", f"--concurrency={concurrency}",
            "-n", f"{name}@%h", "--queues", env["INGEST_QUEUE"], "--without-gossip", "--without-mingle"]
    worker = Proc(args, env, tmp / f"{name}.log", tmp)
    worker.wait_for("ready.")
    return worker


def start_watcher(env: dict, tmp: Path) -> Proc:
    watcher = Proc([str(BIN / "ingest"), "watch"], env, tmp / "watcher.log", tmp)
    watcher.wait_for("watching")
    return watcher


def ingest(env: dict, tmp: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "ingest"), *args], env=env, cwd=tmp, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def export(env: dict, tmp: Path) -> list[dict]:
    done = ingest(env, tmp, "export")
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def wait_for_articles(env: dict, tmp: Path, count: int, timeout: float = 90) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        articles = export(env, tmp)
        if len(articles) >= count or time.monotonic() > deadline:
            return articles
        time.sleep(0.5)
