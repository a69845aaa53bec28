"""`ingest requeue` and `ingest run` around leases, on the embedded default: a dump a live
attempt holds is left alone, a stuck one comes back, --classify only re-classifies."""
import json

import pytest
from click.testing import CliRunner

from config import load
from tasks.policy import Policy
from tasks.store import Store
from tests.workers.test_cli import exported
from workers.cli import cli

WIRE = ("Russian Foreign Minister Sergei Lavrov on Saturday met with North Korean leader Kim Jong Un during "
        "his visit to the secretive country and key Moscow ally. Russian and North Korean state media "
        "announced the visit earlier, saying Lavrov would stay until Sunday. It is the latest in a series of "
        "high-profile trips by top Moscow officials as both countries deepen military and political ties.")


@pytest.fixture
def ingest(env):
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "wire.txt").write_text(WIRE)
    (tmp_path / "in" / "copy.txt").write_text(WIRE + "\n\nThe visit lasted two days.")
    return tmp_path / "in"


def held_by_another_worker(path) -> tuple[Store, str]:
    store = Store(load().store_url_or_default())
    dump_id = store.register(path, 1_000_000, "v").dump_id
    store.claim(dump_id, "worker-elsewhere", "tok", Policy.from_settings(load()))
    return store, dump_id


def test_run_never_takes_a_dump_a_live_worker_holds(ingest, folder):
    # given a dump another worker is processing right now (fresh lease)
    store, dump_id = held_by_another_worker(folder / "wire.txt")
    # when `ingest run` sees it
    result = ingest("run", str(folder))
    # then it is left to its worker: still processing under the same lease, reported pending
    assert store.dump(dump_id)["state"] == "processing" and store.dump(dump_id)["lease"] == "tok"
    assert "still pending" in result.output
    # and requeue leaves it alone as well
    assert "being processed right now" in ingest("requeue", dump_id).output
    assert store.dump(dump_id)["lease"] == "tok"


def test_requeue_stuck_takes_back_a_dump_whose_worker_died(ingest, folder):
    # given a dump whose worker died long ago (its lease expired)
    store, dump_id = held_by_another_worker(folder / "wire.txt")
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE dumps SET claimed_at = '2000-01-01 00:00:00'")
    # when the stuck dumps are requeued
    result = ingest("requeue", "--stuck")
    # then it is processed again, here, and done
    assert "requeued 1" in result.output, result.output
    assert store.dump(dump_id)["state"] == "done" and store.dump(dump_id)["attempts"] == 2
    assert len(store.articles_of(dump_id)) == 1


def test_requeue_classify_changes_topics_only(ingest, folder, tmp_path, monkeypatch):
    # given two dumps stored, one a near duplicate of the other
    assert ingest("run", str(folder)).exit_code == 0
    before = {a["id"]: a for a in exported(ingest, tmp_path)}
    assert sorted(a["status"] for a in before.values()) == ["duplicate", "original"]
    # and a user model trained since (labels of their own), with a dedup rule that would now
    # call nothing a duplicate if the dumps were cleaned and deduplicated again
    records = [{"text": f"{t} number {i}", "labels": [label]} for i in range(3)
               for t, label in (("The foreign minister met the ambassador at the summit", "diplomacy"),
                                ("Shares fell as the central bank raised interest rates", "markets"))]
    (tmp_path / "mine.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    assert ingest("topics", "train", str(tmp_path / "mine.jsonl")).exit_code == 0
    monkeypatch.setenv("INGEST_NEAR_DUP_THRESHOLD", "2")
    # when everything is re-classified
    assert "requeued 2" in ingest("requeue", "--classify", "--all").output
    # then the topics come from the new model, and nothing else changed
    after = {a["id"]: a for a in exported(ingest, tmp_path)}
    assert after.keys() == before.keys()
    for aid, a in after.items():
        assert a["classifier"].startswith("trained") and a["topics"][0]["label"] == "diplomacy"
        for field in ("text", "title", "status", "duplicate_of", "created_at"):
            assert a[field] == before[aid][field]
