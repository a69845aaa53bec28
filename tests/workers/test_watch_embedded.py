"""`ingest watch` with nothing configured: files dropped in the inbox are processed in-process."""
import os
import shutil

from tests.conftest import SEEDS
from tests.integration.processes import Proc, BIN, wait_for_articles


def test_embedded_watcher_processes_dropped_files(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_")}
    env.update(INGEST_DATA_DIR=str(tmp_path / "data"), INGEST_INBOX=str(tmp_path / "inbox"),
               INGEST_SETTLE_SECONDS="0.3", PYTHONUNBUFFERED="1")
    watcher = Proc([str(BIN / "ingest"), "watch"], env, tmp_path / "watch.log", tmp_path)
    try:
        watcher.wait_for("watching")
        for seed in sorted(SEEDS.glob("*.txt"))[:2]:
            shutil.copy(seed, tmp_path / "inbox" / seed.name)
        articles = wait_for_articles(env, tmp_path, 2, timeout=30)
        assert sorted(a["source_file"] for a in articles) == [s.name for s in sorted(SEEDS.glob("*.txt"))[:2]]
        assert articles[1]["duplicate_of"] == articles[0]["id"]   # 001 is 000's story
    finally:
        watcher.stop()
    assert "watcher stopped" in watcher.output()
