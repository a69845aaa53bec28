"""Pipeline.prepare then Pipeline.commit (and commit_batch, the embedded pool's writer) over a
real SQLite store: the same articles as `process`, several dumps in one transaction, and a
dump whose lease was taken back left to the attempt that owns it."""
from config.settings import Settings
from tasks.pipeline import Pipeline
from tasks.policy import Policy
from tasks.store import Store
from tests.conftest import SEEDS

SEED = sorted(SEEDS.glob("*.txt"))


def setup(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/s.db")
    ids = [store.register(p, 1_000_000, "t").dump_id for p in SEED]
    return Pipeline(Settings(data_dir=tmp_path / "data"), store), store, ids


def links(store: Store) -> dict[str, str | None]:
    rows = list(store.export())
    file_of = {a["id"]: a["source_file"] for a in rows}
    return {a["source_file"]: file_of.get(a["duplicate_of"]) for a in rows}


def test_a_batch_commits_what_one_by_one_commits(tmp_path):
    # given the seeds (001 is 000's story), prepared, once committed one by one, once as a batch
    one, one_store, ids = setup(tmp_path / "one")
    for i in ids:
        assert one.commit(one.prepare(i)).state == "done"
    many, store, ids = setup(tmp_path / "many")
    prepared = [many.prepare(i) for i in ids]
    # when the batch is committed
    outcomes = many.commit_batch(prepared)
    # then every dump is done, in order, and the duplicate found inside the batch is linked
    assert [o.dump_id for o in outcomes] == ids and {o.state for o in outcomes} == {"done"}
    assert links(store) == links(one_store)
    assert links(store)[SEED[1].name] == SEED[0].name
    assert all("store" in o.stages for o in outcomes)


def test_a_dump_whose_lease_was_taken_back_is_skipped_and_the_others_are_stored(tmp_path):
    # given three prepared dumps, the second taken over by another attempt meanwhile
    pipeline, store, ids = setup(tmp_path)
    prepared = [pipeline.prepare(i) for i in ids[2:5]]
    expired = Policy(max_attempts=3, lease_seconds=-1, reap_interval=1)
    store.reap(expired)                                    # every lease is old: all queued again
    other = store.claim(ids[3], "another-worker", "another-token")
    for p in (prepared[0], prepared[2]):                   # ours taken again with our own tokens
        store.claim(p.dump_id, "us", p.token)
    # when the batch is committed
    outcomes = pipeline.commit_batch(prepared)
    # then the dump held by the other attempt is left to it, the others are done
    assert [o.state for o in outcomes] == ["done", "skipped", "done"]
    assert store.dump(ids[3])["state"] == "processing" and store.dump(ids[3])["lease"] == other.token


def test_a_batch_that_cannot_be_saved_together_is_saved_dump_by_dump(tmp_path, monkeypatch):
    # given a store whose batch write fails for more than one dump at a time
    pipeline, store, ids = setup(tmp_path)
    real = store.save_batch

    def one_at_a_time(batch, *args, **kwargs):
        if len(batch) > 1:
            raise RuntimeError("the batch write broke")
        return real(batch, *args, **kwargs)
    monkeypatch.setattr(store, "save_batch", one_at_a_time)
    # when a batch is committed, then each dump is still stored, alone
    outcomes = pipeline.commit_batch([pipeline.prepare(i) for i in ids])
    assert [o.state for o in outcomes] == ["done"] * len(ids)
    assert len(list(store.export())) == len(ids)
