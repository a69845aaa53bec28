"""A production-like deployment to break on purpose: a Redis of its own (restartable), a fresh
PostgreSQL schema whose sessions can be killed, and the Procfile's own `worker` and `watcher`
commands as processes. Used by tests/integration/test_faults.py (CI-sized) and bench/soak.py
(long). Nothing here touches the machine's shared Redis or PostgreSQL servers beyond one
schema of its own."""
from __future__ import annotations

import gzip
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
PG_URL = os.environ.get("INGEST_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {name!r} line in the Procfile")


class RedisServer:
    """redis-server on a free port, with an append-only file (the README's production advice)."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        folder.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--maxmemory-policy", "noeviction"],
            stdout=(self.folder / "redis.log").open("a"), stderr=subprocess.STDOUT, start_new_session=True)
        import redis
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port).ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def restart(self, down_seconds: float = 1.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()


class PgSchema:
    """A fresh schema on the machine's PostgreSQL; our sessions carry an application_name, so
    they (and only they) can be terminated."""

    def __init__(self):
        self.schema = f"faults_{uuid.uuid4().hex[:8]}"
        self.admin = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
        with self.admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {self.schema}"))

    @property
    def url(self) -> str:
        return f"{PG_URL}?application_name={self.schema}&options=-csearch_path%3D{self.schema}"

    def kill_sessions(self) -> int:
        with self.admin.begin() as conn:
            return len(conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                            "WHERE application_name = :a"), {"a": self.schema}).all())

    def drop(self) -> None:
        self.kill_sessions()
        with self.admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {self.schema} CASCADE"))
        self.admin.dispose()


class Process:
    """One Procfile command, in a process group of its own."""

    def __init__(self, name: str, command: str, env: dict, folder: Path):
        self.name, self.command, self.env, self.folder = name, command, env, folder
        self.log = folder / f"{name}.log"
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self, ready: str | None = None, timeout: float = 90) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        self.proc = subprocess.Popen(["sh", "-c", f"exec env {self.command}"], env=self.env, cwd=self.folder,
                                     stdout=self.log.open("a"), stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self.starts += 1
        if ready:
            deadline = time.monotonic() + timeout
            while ready not in self.log.read_text(errors="replace")[offset:]:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"{self.name} did not start:\n{self.log.read_text(errors='replace')[-3000:]}")
                time.sleep(0.1)

    def kill9(self) -> None:
        """SIGKILL to the whole group: the worker's main process and its pool, as a node dies."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout: float = 40) -> float:
        """SIGTERM to the group, as a Procfile platform does; returns the seconds it took."""
        if self.proc is None or self.proc.poll() is not None:
            return 0.0
        started = time.monotonic()
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        return time.monotonic() - started


# --- the dumps --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Dump:
    name: str
    data: bytes
    bad: str | None = None      # None: a good dump (one article); else what its reason must say


def good(i: int, rng: random.Random) -> Dump:
    """A dump holding one article, unique by its first paragraph, in one of four forms."""
    base = SEEDS[i % len(SEEDS)].read_text(encoding="utf8")
    body = f"Bulletin {i}: report number {i} of the series, filed at hour {i % 24} by desk {rng.randint(1, 99)}.\n\n" + base
    form = i % 4
    if form == 0:
        return Dump(f"g{i:05d}.txt", body.encode())
    if form == 1:
        paras = "".join(f"<p>{p}</p>\n" for p in body.split("\n") if p.strip())
        page = f"<html><head><title>Dump {i}</title></head><body><article>{paras}</article></body></html>"
        return Dump(f"g{i:05d}.html", page.encode())
    if form == 2:
        return Dump(f"g{i:05d}.json", json.dumps({"text": body, "url": f"https://example.org/{i}"}).encode())
    return Dump(f"g{i:05d}.txt.gz", gzip.compress(body.encode()))


def bad(i: int, rng: random.Random, max_bytes: int) -> Dump:
    """A malformed dump, one of the kinds that must end `failed` with a reason."""
    kind = i % 6
    if kind == 0:
        return Dump(f"b{i:05d}.txt", b"", bad="empty")
    if kind == 1:
        whole = json.dumps({"text": "The council met on Tuesday. " * 40}).encode()
        return Dump(f"b{i:05d}.json", whole[: len(whole) // 2], bad="JSON")
    if kind == 2:
        packed = gzip.compress(("Storm warning for the coast tonight. " * 200 + str(i)).encode())
        return Dump(f"b{i:05d}.txt.gz", packed[: len(packed) // 2], bad="truncated")
    if kind == 3:
        return Dump(f"b{i:05d}.html", f"<html><body><nav>Home | Login {i}</nav></body></html>".encode(),
                    bad="no article")
    if kind == 4:
        return Dump(f"b{i:05d}.txt", (f"{i} " + "x" * (max_bytes + 10)).encode(), bad="INGEST_MAX_DUMP_BYTES")
    return Dump(f"b{i:05d}.json", ("[" * 100_000).encode(), bad="")


def corpus(n: int, bad_share: float, max_bytes: int, seed: int = 7) -> list[Dump]:
    rng = random.Random(seed)
    n_bad = max(1, round(n * bad_share))
    dumps = [good(i, rng) for i in range(n - n_bad)] + [bad(i, rng, max_bytes) for i in range(n_bad)]
    rng.shuffle(dumps)
    return dumps


def drop(inbox: Path, dump: Dump) -> None:
    """Write a dump into the inbox as a careful writer does: a temporary name, then a rename."""
    tmp = inbox / f".{dump.name}.part"
    tmp.write_bytes(dump.data)
    tmp.rename(inbox / dump.name)


def slow_write(inbox: Path, dump: Dump, pause: float) -> None:
    """Write a dump in place, pausing half-way with the file open (a slow network copy)."""
    half = len(dump.data) // 2
    with (inbox / dump.name).open("wb") as f:
        f.write(dump.data[:half])
        f.flush()
        os.fsync(f.fileno())
        time.sleep(pause)
        f.write(dump.data[half:])


# --- the deployment ---------------------------------------------------------------------------

@dataclass
class Deployment:
    folder: Path
    redis: RedisServer
    pg: PgSchema
    env: dict
    workers: list[Process] = field(default_factory=list)
    watcher: Process | None = None
    faults: list[str] = field(default_factory=list)

    @classmethod
    def up(cls, folder: Path, n_workers: int = 2, **settings: str) -> "Deployment":
        redis = RedisServer(folder / "redis")
        redis.start()
        pg = PgSchema()
        env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_")}
        env.update({"INGEST_BROKER_URL": redis.url, "INGEST_STORE_URL": pg.url,
                    "INGEST_INBOX": str(folder / "inbox"), "INGEST_DATA_DIR": str(folder / "data"),
                    "INGEST_QUEUE": "ingest", "PYTHONUNBUFFERED": "1", "PATH": f"{BIN}:{os.environ['PATH']}"})
        env.update(settings)
        (folder / "inbox").mkdir(parents=True, exist_ok=True)
        deployment = cls(folder, redis, pg, env)
        migrate = subprocess.run(["sh", "-c", f"exec env {procfile('release')}"], env=env, cwd=folder,
                                 capture_output=True, text=True, timeout=120)
        assert migrate.returncode == 0, migrate.stderr
        for k in range(n_workers):
            worker = Process(f"worker{k}", procfile("worker"), env, folder)
            worker.start("ready.")
            deployment.workers.append(worker)
        deployment.watcher = Process("watcher", procfile("watcher"), env, folder)
        deployment.watcher.start("watching")
        return deployment

    def down(self) -> None:
        for proc in self.workers + [self.watcher]:
            if proc is not None:
                proc.stop(timeout=30)
        self.redis.stop()
        self.pg.drop()

    # faults
    def kill_worker(self, k: int = 0) -> None:
        self.workers[k].kill9()
        self.faults.append(f"kill -9 worker{k}")
        self.workers[k].start("ready.")

    def kill_busy_worker(self, timeout: float = 60) -> bool:
        """kill -9 the worker that holds a dump right now (mid-task), then restart it; True if
        one was caught mid-task (else worker 0 is killed anyway)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            holders = self.holders()
            for k, worker in enumerate(self.workers):
                text = worker.log.read_text(errors="replace")
                if any(f"[{h}] received" in text for h in holders):
                    self.kill_worker(k)
                    return True
            time.sleep(0.05)
        self.kill_worker(0)
        return False

    def wait_busy(self, timeout: float = 60) -> None:
        """Wait until some dump is being processed (a fault then hits work in flight)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.holders():
            time.sleep(0.05)

    def holders(self) -> list[str]:
        engine = sa.create_engine(self.pg.url.replace("postgresql://", "postgresql+psycopg://"))
        try:
            with engine.connect() as conn:
                return list(conn.execute(sa.text("SELECT holder FROM dumps WHERE state = 'processing'")).scalars())
        except sa.exc.OperationalError:
            return []
        finally:
            engine.dispose()

    def restart_redis(self) -> None:
        self.redis.restart()
        self.faults.append("restart redis")

    def kill_pg_sessions(self) -> None:
        n = self.pg.kill_sessions()
        self.faults.append(f"pg_terminate_backend x{n}")

    def restart_watcher(self) -> None:
        self.watcher.stop()
        self.watcher.start("watching")
        self.faults.append("restart watcher")

    # observing
    def ingest(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "ingest"), *args], env=self.env, cwd=self.folder, capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def rows(self) -> tuple[list, list]:
        """(dumps: source_file, state, error), (articles: id, dump_id, source_file, status, duplicate_of)."""
        engine = sa.create_engine(self.pg.url.replace("postgresql://", "postgresql+psycopg://"))
        try:
            with engine.connect() as conn:
                dumps = conn.execute(sa.text("SELECT id, source_file, state, error, attempts FROM dumps")).all()
                articles = conn.execute(sa.text("SELECT id, dump_id, source_file, status, duplicate_of "
                                                "FROM articles")).all()
        finally:
            engine.dispose()
        return dumps, articles

    def wait_settled(self, names: set[str], timeout: float) -> float:
        """Wait until every file is a dump in a final state; returns the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            try:
                dumps, _ = self.rows()
            except sa.exc.OperationalError:
                time.sleep(0.5)
                continue
            final = {d.source_file for d in dumps if d.state in ("done", "failed")}
            if names <= final and not any(d.state in ("queued", "processing") for d in dumps):
                return time.monotonic() - started
            time.sleep(0.5)
        return -1.0


@dataclass
class Verdict:
    dumps: int
    articles: int
    failures: dict[str, int]          # reason (first words) -> count
    lost: list[str]                   # files with no final dump, or good ones without an article
    duplicated: list[str]             # files with more than one dump or article
    wrong: list[str]                  # bad ones not failed with their reason, good ones failed
    stuck: int                        # dumps left queued or processing
    dangling: int                     # duplicate_of pointing to no article
    retried: int                      # dumps claimed more than once (a fault hit them mid-task)


def judge(sent: list[Dump], dumps: list, articles: list) -> Verdict:
    by_file: dict[str, list] = {}
    for d in dumps:
        by_file.setdefault(d.source_file, []).append(d)
    arts: dict[str, list] = {}
    for a in articles:
        arts.setdefault(a.source_file, []).append(a)
    lost, duplicated, wrong, failures = [], [], [], {}
    for dump in sent:
        rows = by_file.get(dump.name, [])
        if not rows:
            lost.append(dump.name)
            continue
        if len(rows) > 1:
            duplicated.append(dump.name)
        row = rows[-1]
        if dump.bad is None:
            n = len(arts.get(dump.name, []))
            if row.state != "done" or n == 0:
                (wrong if row.state == "failed" else lost).append(f"{dump.name}: {row.state} {row.error}")
            elif n > 1:
                duplicated.append(dump.name)
        else:
            if row.state != "failed" or dump.bad.lower() not in (row.error or "").lower() \
                    or "internal error" in (row.error or ""):
                wrong.append(f"{dump.name}: {row.state} {row.error!r} (expected failed: {dump.bad})")
            key = " ".join((row.error or "").split()[:4])
            failures[key] = failures.get(key, 0) + 1
    ids = {a.id for a in articles}
    return Verdict(dumps=len(dumps), articles=len(articles), failures=failures, lost=lost, duplicated=duplicated,
                   wrong=wrong, stuck=sum(d.state in ("queued", "processing") for d in dumps),
                   dangling=sum(1 for a in articles if a.duplicate_of and a.duplicate_of not in ids),
                   retried=sum(d.attempts > 1 for d in dumps))
