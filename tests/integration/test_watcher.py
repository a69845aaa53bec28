"""The real watcher process with a real worker: files dropped into the inbox get stored."""
import shutil
import time

from tests.conftest import SEEDS
from tests.integration.processes import environment, export, start_watcher, start_worker, wait_for_articles


def test_watcher_takes_new_files_once_and_not_half_written_ones(tmp_path, redis_url, pg_url, queue_name):
    env = environment(tmp_path, redis_url, pg_url, queue_name, INGEST_SETTLE_SECONDS="1.0")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    # given a file that arrived while the watcher was down
    shutil.copy(seeds[0], inbox / seeds[0].name)
    procs = [start_worker("w1", env, tmp_path)]
    try:
        procs.append(start_watcher(env, tmp_path))
        # when more files arrive: via a temporary name, and one written slowly in two halves
        for seed in seeds[1:4]:
            shutil.copy(seed, inbox / (seed.name + ".part"))
            (inbox / (seed.name + ".part")).rename(inbox / seed.name)
        slow = seeds[4].read_bytes()
        with (inbox / seeds[4].name).open("wb") as f:
            f.write(slow[: len(slow) // 2])
            f.flush()
            time.sleep(0.6)
            f.write(slow[len(slow) // 2:])
        # then all five are stored, the slow one whole
        articles = wait_for_articles(env, tmp_path, 5)
        assert sorted(a["source_file"] for a in articles) == [s.name for s in seeds]
        slow_article = next(a for a in articles if a["source_file"] == seeds[4].name)
        assert "biweekly flights" in slow_article["text"]
        # and a file seen again (rewritten with the same bytes) enqueues nothing new
        (inbox / seeds[1].name).write_bytes(seeds[1].read_bytes())
        time.sleep(2.5)
        assert len(export(env, tmp_path)) == 5
        assert procs[1].output().count("enqueued") == 5
        # while the same bytes under another name are kept, as an exact duplicate
        shutil.copy(seeds[2], inbox / "copy-of-002.txt")
        articles = wait_for_articles(env, tmp_path, 6)
        copy = next(a for a in articles if a["source_file"] == "copy-of-002.txt")
        original = next(a for a in articles if a["source_file"] == seeds[2].name)
        assert copy["status"] == "duplicate" and copy["duplicate_of"] == original["id"]
    finally:
        for p in procs:
            p.stop()
