"""The dump lifecycle under leases, on SQLite and the real PostgreSQL: every transition is
conditional, only the lease holder finishes or fails, dead workers' dumps come back."""
import pytest

from tasks.errors import LeaseLost
from tasks.policy import Policy
from tasks.stages import dedup
from tasks.store.lifecycle import Lease, Refused, brief
from tests.store.test_store import OTHER, WIRE, draft

LIVE = Policy(max_attempts=3, lease_seconds=3600, reap_interval=1)
DEAD = Policy(max_attempts=3, lease_seconds=-1, reap_interval=1, resend_grace=-1)   # every lease expired


def queued(store, tmp_path, name="a.txt", text=WIRE) -> str:
    (tmp_path / name).write_text(text)
    return store.register(tmp_path / name, 100_000, "v").dump_id


def test_a_claimed_dump_is_refused_to_another_worker_and_only_its_holder_finishes_it(store, tmp_path):
    dump_id = queued(store, tmp_path)
    lease = store.claim(dump_id, "task-1", "tok1", LIVE)
    assert isinstance(lease, Lease) and lease.attempt == 1
    # a second delivery (another task) while the lease is fresh is refused
    other = store.claim(dump_id, "task-2", "tok2", LIVE)
    assert isinstance(other, Refused) and "fresh" in other.reason
    # an attempt without the lease can neither fail nor finish it
    assert not store.fail(dump_id, "late failure", "tok2")
    with pytest.raises(LeaseLost):
        store.save_articles(dump_id, "a.txt", [draft(WIRE)], dedup.decide, "v", token="tok2")
    assert store.dump(dump_id)["state"] == "processing" and store.articles_of(dump_id) == []
    # the holder finishes it; a late fail of any token cannot overwrite done
    store.save_articles(dump_id, "a.txt", [draft(WIRE)], dedup.decide, "v", token="tok1")
    assert not store.fail(dump_id, "late failure", "tok1")
    assert store.dump(dump_id)["state"] == "done"
    assert isinstance(store.claim(dump_id, "task-3", "tok3", LIVE), Refused)


def test_claim_many_takes_queued_dumps_and_applies_the_lease_rules_to_the_others(store, tmp_path):
    # given two queued dumps, one held by a fresh lease, one done, and an id that is not stored
    a, b = queued(store, tmp_path, "a.txt", WIRE), queued(store, tmp_path, "b.txt", OTHER)
    held, done = queued(store, tmp_path, "c.txt", WIRE + " C."), queued(store, tmp_path, "d.txt", OTHER + " D.")
    store.claim(held, "task-x", "x", LIVE)
    store.claim(done, "task-y", "y", LIVE)
    store.save_articles(done, "d.txt", [draft(OTHER + " D.")], dedup.decide, "v", token="y")
    # when they are claimed in one go, a listed twice
    ids = [a, b, held, done, "0" * 16, a]
    got = store.claim_many([(i, f"task-{n}", f"tok{n}") for n, i in enumerate(ids)], LIVE)
    # then the queued ones are leased to their tokens, counted as an attempt; the others refused
    assert [type(g).__name__ for g in got] == ["Lease", "Lease", "Refused", "Refused", "Refused", "Refused"]
    assert (got[0].token, got[0].attempt, got[0].source_file, got[1].token) == ("tok0", 1, "a.txt", "tok1")
    assert "fresh" in got[2].reason and got[3].state == "done" and "took it first" in got[5].reason
    assert store.dump(a)["lease"] == "tok0" and store.dump(b)["state"] == "processing"
    assert store.dump(held)["lease"] == "x" and store.dump(held)["attempts"] == 1
    # and a lease taken so is the holder's own: it finishes the dump
    store.save_articles(a, "a.txt", [draft(WIRE)], dedup.decide, "v", token="tok0")
    assert store.dump(a)["state"] == "done"


def test_a_retry_resumes_its_own_lease_without_counting_an_attempt(store, tmp_path):
    dump_id = queued(store, tmp_path)
    store.claim(dump_id, "task-1", "tok1", LIVE)
    again = store.claim(dump_id, "task-1", "tok1", LIVE)
    assert isinstance(again, Lease) and store.dump(dump_id)["attempts"] == 1


def test_the_same_task_redelivered_after_its_worker_died_takes_over_then_gives_up(store, tmp_path):
    dump_id = queued(store, tmp_path)
    # given a task whose worker process died twice (the broker redelivers the same task id)
    for attempt, token in enumerate(("a", "b", "c"), 1):
        lease = store.claim(dump_id, "task-1", token, LIVE)
        assert isinstance(lease, Lease) and lease.attempt == attempt
    # when it comes back a fourth time, the dump ends failed with why
    last = store.claim(dump_id, "task-1", "d", LIVE)
    assert isinstance(last, Refused) and last.state == "failed"
    assert "crashed its worker 3 times" in store.dump(dump_id)["error"]


def test_an_original_that_disappears_hands_over_to_its_earliest_duplicate(store, tmp_path):
    # given an original (record 0 of a dump) with two duplicates in other dumps
    first = queued(store, tmp_path, "a.json", "x")
    store.claim(first, "t", "a", LIVE)
    store.save_articles(first, "a.json", [draft(OTHER, 0), draft(WIRE, 1)], dedup.decide, "v", token="a")
    copies = []
    for name in ("b.txt", "c.txt"):
        dump_id = queued(store, tmp_path, name, name)
        store.claim(dump_id, "t", name, LIVE)
        store.save_articles(dump_id, name, [draft(WIRE)], dedup.decide, "v", token=name)
        copies.append(f"{dump_id}-0")
    assert {store.article(c)["duplicate_of"] for c in copies} == {f"{first}-1"}
    # when the first dump is re-processed and no longer yields record 1
    store.requeue([first], policy=LIVE)
    store.claim(first, "t", "again", LIVE)
    store.save_articles(first, "a.json", [draft(OTHER, 0)], dedup.decide, "v", token="again")
    # then the earliest copy is the original, the other points to it: no link dangles
    heir, other = (store.article(c) for c in copies)
    assert heir["status"] == "original" and heir["duplicate_of"] is None
    assert other["duplicate_of"] == copies[0]
    ids = {a["id"] for a in store.export()}
    assert all(a["duplicate_of"] in ids for a in store.export() if a["duplicate_of"])
    # and the heir is indexed: a later near copy finds it
    late = queued(store, tmp_path, "d.txt", "d")
    store.claim(late, "t", "late", LIVE)
    (verdict,) = store.save_articles(late, "d.txt", [draft(WIRE + " One more sentence here.")], dedup.decide, "v", token="late")
    assert verdict.duplicate_of == copies[0]


def test_a_dump_whose_reprocessing_fails_leaves_the_export(store, tmp_path):
    first = queued(store, tmp_path, "a.txt", WIRE)
    store.claim(first, "t", "a", LIVE)
    store.save_articles(first, "a.txt", [draft(WIRE)], dedup.decide, "v", token="a")
    copy = queued(store, tmp_path, "b.txt", "b")
    store.claim(copy, "t", "b", LIVE)
    store.save_articles(copy, "b.txt", [draft(WIRE)], dedup.decide, "v", token="b")
    # when the original's dump is re-processed and fails
    store.requeue([first], policy=LIVE)
    store.claim(first, "t", "again", LIVE)
    assert store.fail(first, "no article found", "again")
    # then its article is gone from the export, and its copy stands as the original
    (only,) = list(store.export())
    assert only["id"] == f"{copy}-0" and only["status"] == "original" and only["duplicate_of"] is None


def test_an_article_with_a_huge_sample_is_stored_without_parameter_limits(store, tmp_path):
    # given an article of ~200,000 words (a sample of ~50,000 hashes), stored twice
    text = " ".join(f"w{i}" for i in range(200_000))
    ids = []
    for name in ("a.txt", "b.txt"):
        dump_id = queued(store, tmp_path, name, name)
        store.claim(dump_id, "t", name, LIVE)
        verdicts = store.save_articles(dump_id, name, [draft(text)], dedup.decide, "v", token=name)
        ids.append((dump_id, verdicts[0]))
    # then the second is found as a duplicate of the first, no "too many SQL variables"
    assert ids[1][1].duplicate_of == f"{ids[0][0]}-0"


def test_reasons_are_kept_short_and_on_one_line():
    assert brief("a\n b " + "?, " * 1_000_000).startswith("a b ?, ")
    assert len(brief("?, " * 1_000_000)) <= 1000
