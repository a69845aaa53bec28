"""The real `ingest watch` process under the faults an operator meets: a broker that goes
away and comes back, dumps stranded `queued`, an inbox deleted and re-created, a writer that
pauses mid-file, and a SIGTERM in the middle of a big rescan."""
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tasks.store import Store
from tests.conftest import SEEDS
from tests.integration.processes import BIN, Proc, environment, start_watcher, start_worker, wait_for_articles

SEED = sorted(SEEDS.glob("*.txt"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A redis-server of the test's own, on a free port, that the test may stop and start."""

    def __init__(self, folder: Path):
        self.port, self.folder, self.proc = free_port(), folder, None
        folder.mkdir(exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "yes", "--dir", str(self.folder)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path):
    redis = OwnRedis(tmp_path / "redis")
    redis.start()
    yield redis
    redis.stop()


def embedded_env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_")}
    env.update(INGEST_DATA_DIR=str(tmp_path / "data"), INGEST_INBOX=str(tmp_path / "inbox"),
               PYTHONUNBUFFERED="1", COLUMNS="200", **extra)
    return env


def test_a_broker_outage_keeps_the_file_and_sends_it_once_the_broker_is_back(tmp_path, own_redis, pg_url):
    env = environment(tmp_path, own_redis.url, pg_url, "ingest", INGEST_SETTLE_SECONDS="0.5")
    (tmp_path / "inbox").mkdir()
    procs = [start_worker("w1", env, tmp_path)]
    try:
        watcher = start_watcher(env, tmp_path)
        procs.append(watcher)
        # when the broker goes down and a file arrives
        own_redis.stop()
        shutil.copy(SEED[2], tmp_path / "inbox" / SEED[2].name)
        watcher.wait_for("retrying with backoff", timeout=30)
        time.sleep(3)
        # then the watcher is still alive and waits
        assert watcher.handle.poll() is None
        # and once the broker is back, the dump is sent and stored
        own_redis.start()
        articles = wait_for_articles(env, tmp_path, 1, timeout=60)
        assert [a["source_file"] for a in articles] == [SEED[2].name]
        watcher.wait_for("reachable again", timeout=10)
    finally:
        for p in procs:
            p.stop()


def test_a_dump_left_queued_with_no_message_is_sent_again(tmp_path, redis_url, pg_url, queue_name):
    # given a dump registered as queued whose message never reached the queue (a watcher killed
    # between register and send)
    env = environment(tmp_path, redis_url, pg_url, queue_name, INGEST_RESCAN_SECONDS="1")
    (tmp_path / "elsewhere").mkdir()
    shutil.copy(SEED[3], tmp_path / "elsewhere" / SEED[3].name)
    store = Store(pg_url)
    reg = store.register(tmp_path / "elsewhere" / SEED[3].name, 10**8, "0")
    store.close()
    assert reg.state == "queued"
    time.sleep(2.5)     # older than twice the rescan interval
    procs = [start_worker("w1", env, tmp_path)]
    try:
        procs.append(start_watcher(env, tmp_path))
        # then the watcher's periodic pass sends it, and the worker stores it
        articles = wait_for_articles(env, tmp_path, 1, timeout=30)
        assert [a["dump_id"] for a in articles] == [reg.dump_id]
        assert "sent again 1 dump(s)" in procs[1].output()
    finally:
        for p in procs:
            p.stop()


def test_an_inbox_deleted_and_created_again_is_watched_again(tmp_path):
    env = embedded_env(tmp_path, INGEST_SETTLE_SECONDS="0.3")
    watcher = start_watcher(env, tmp_path)
    try:
        inbox = tmp_path / "inbox"
        shutil.rmtree(inbox)
        watcher.wait_for("is gone", timeout=10)
        inbox.mkdir()
        watcher.wait_for("created again", timeout=10)
        shutil.copy(SEED[2], inbox / SEED[2].name)
        assert [a["source_file"] for a in wait_for_articles(env, tmp_path, 1, timeout=30)] == [SEED[2].name]
    finally:
        watcher.stop()


def test_a_writer_pausing_3_s_mid_file_gives_one_whole_article_with_the_default_settle(tmp_path):
    env = embedded_env(tmp_path)        # the default INGEST_SETTLE_SECONDS
    watcher = start_watcher(env, tmp_path)
    try:
        data = SEED[4].read_bytes()
        with (tmp_path / "inbox" / SEED[4].name).open("wb") as f:
            f.write(data[: len(data) // 2])
            f.flush()
            time.sleep(3)
            f.write(data[len(data) // 2:])
        articles = wait_for_articles(env, tmp_path, 1, timeout=30)
        time.sleep(1)
        assert len(articles) == 1 and "biweekly flights" in articles[0]["text"]
        assert watcher.output().count("-> dump") == 1
    finally:
        watcher.stop()


def test_sigterm_stops_the_watcher_within_a_second_or_two_even_mid_rescan(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = SEED[2].read_text()
    for i in range(400):
        (inbox / f"{i:05d}.txt").write_text(f"{text}\nrecord {i}\n")
    env = embedded_env(tmp_path, INGEST_SETTLE_SECONDS="0")
    watcher = Proc([str(BIN / "ingest"), "watch"], env, tmp_path / "watch.log", tmp_path)
    watcher.wait_for("00005.txt -> dump", timeout=60)      # busy taking the backlog, warmed up
    started = time.monotonic()
    os.killpg(watcher.handle.pid, signal.SIGTERM)
    watcher.handle.wait(timeout=10)
    # "a second or two": the dump in hand is finished first; 3 s leaves room for a loaded CI machine
    assert time.monotonic() - started < 3.0
    assert "watcher stopped" in watcher.output()


def test_a_file_rewritten_in_place_supersedes_its_earlier_version(tmp_path):
    env = embedded_env(tmp_path, INGEST_SETTLE_SECONDS="0.3")
    watcher = start_watcher(env, tmp_path)
    try:
        path = tmp_path / "inbox" / "story.txt"
        shutil.copy(SEED[2], path)
        (first,) = wait_for_articles(env, tmp_path, 1, timeout=30)
        # when the file is rewritten with new content
        shutil.copy(SEED[4], path)
        watcher.wait_for("supersedes the earlier version", timeout=30)
        time.sleep(1)
        # then one article for the file: the latest
        from tests.integration.processes import export
        (article,) = export(env, tmp_path)
        assert article["dump_id"] != first["dump_id"] and "biweekly flights" in article["text"]
    finally:
        watcher.stop()


def test_archive_moves_ended_dumps_files_out_of_the_inbox_keeping_their_paths(tmp_path):
    archive = tmp_path / "archive"
    env = embedded_env(tmp_path, INGEST_SETTLE_SECONDS="0.3", INGEST_ARCHIVE_DIR=str(archive))
    inbox = tmp_path / "inbox"
    (inbox / "2026" / "12").mkdir(parents=True)
    shutil.copy(SEED[2], inbox / "before.txt")                 # there before the watcher starts
    watcher = start_watcher(env, tmp_path)
    try:
        shutil.copy(SEED[3], inbox / "2026" / "12" / "good.txt")
        (inbox / "2026" / "12" / "empty.txt").write_bytes(b"")      # fails: empty
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(list(archive.rglob("*.txt"))) < 3:
            time.sleep(0.2)
        assert sorted(str(p.relative_to(archive)) for p in archive.rglob("*.txt")) == \
            ["2026/12/empty.txt", "2026/12/good.txt", "before.txt"]
        assert list(inbox.rglob("*.txt")) == []
    finally:
        watcher.stop()
    # and a restart over the emptied inbox, and the archived dumps, stores nothing twice
    from tests.integration.processes import export
    assert len(export(env, tmp_path)) == 2


class Cuttable:
    """A TCP proxy to PostgreSQL that the test can cut and restore: a store outage without
    touching the machine's server."""

    def __init__(self, target: tuple[str, int]):
        import threading
        self.target, self.port, self.threading = target, free_port(), threading
        self.listener, self.conns, self.lock = None, [], threading.Lock()

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self.threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                self.threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)    # wakes the accept() (a close alone does not)
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for s in self.conns:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass
            self.conns.clear()


def test_a_store_outage_keeps_the_file_and_stores_it_once_the_store_is_back(tmp_path, pg_url):
    proxy = Cuttable(("127.0.0.1", 5432))
    proxy.start()
    store_url = pg_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    assert store_url != pg_url
    env = embedded_env(tmp_path, INGEST_STORE_URL=store_url, INGEST_SETTLE_SECONDS="0.3")
    watcher = start_watcher(env, tmp_path)
    try:
        # when the store becomes unreachable and a file arrives
        proxy.cut()
        shutil.copy(SEED[2], tmp_path / "inbox" / SEED[2].name)
        watcher.wait_for("retrying with backoff", timeout=60)
        time.sleep(2)
        assert watcher.handle.poll() is None
        # then once it is back, the file is stored
        proxy.start()
        watcher.wait_for("reachable again", timeout=60)
        store = Store(pg_url)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list(store.export()):
            time.sleep(0.5)
        assert [a["source_file"] for a in store.export()] == [SEED[2].name]
        store.close()
    finally:
        watcher.stop()
        proxy.cut()
