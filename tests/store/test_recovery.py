"""Taking dumps back (tasks/store/recovery.py), on SQLite and the real PostgreSQL: the reaper,
`ingest requeue`, the resend of lost messages and the hard time limit's casualties."""
import re

import pytest

from tasks.errors import LeaseLost
from tasks.stages import dedup
from tests.store.test_lifecycle import DEAD, LIVE, queued
from tests.store.test_store import OTHER, WIRE, draft


def test_the_reaper_takes_back_expired_leases_and_fails_repeat_crashers(store, tmp_path):
    young, old = queued(store, tmp_path, "a.txt", WIRE), queued(store, tmp_path, "b.txt", OTHER)
    store.claim(young, "t1", "x", LIVE)
    store.claim(old, "t2", "y", LIVE)
    with store.engine.begin() as conn:   # the second has crashed its worker three times already
        conn.exec_driver_sql(f"UPDATE dumps SET attempts = 3 WHERE id = '{old}'")
    reaped = store.reap(DEAD)
    assert reaped.requeued == [young] and reaped.crashed == [old]
    assert store.dump(young)["state"] == "queued" and store.dump(young)["lease"] is None
    assert store.dump(old)["state"] == "failed" and "crashed its worker 3 times" in store.dump(old)["error"]
    # and the dead attempt's token is worthless now
    assert not store.fail(young, "late", "x")
    # a fresh lease is never reaped
    store.claim(young, "t3", "z", LIVE)
    assert store.reap(LIVE).requeued == []


def test_requeue_leaves_a_dump_with_a_fresh_lease_alone(store, tmp_path):
    busy, done = queued(store, tmp_path, "a.txt", WIRE), queued(store, tmp_path, "b.txt", OTHER)
    store.claim(busy, "t1", "x", LIVE)
    store.claim(done, "t2", "y", LIVE)
    store.save_articles(done, "b.txt", [draft(OTHER)], dedup.decide, "v", token="y")
    result = store.requeue(policy=LIVE)
    assert result.ids == [done] and result.busy == [busy]
    assert store.dump(busy)["lease"] == "x"


def test_queued_dumps_past_the_grace_are_resent_once(store, tmp_path):
    dump_id = queued(store, tmp_path)
    candidates = store.unsent(DEAD)
    assert [c[0] for c in candidates] == [dump_id]
    # two reapers race: only one wins the right to send it
    assert store.mark_resent(candidates) == [dump_id]
    assert store.mark_resent(candidates) == []


def claimed_seconds_ago(store, dump_id: str, seconds: float) -> None:
    from datetime import timedelta
    from sqlalchemy import update
    from tasks.store.dumps import now
    from tasks.store.schema import dumps
    with store.engine.begin() as conn:
        conn.execute(update(dumps).where(dumps.c.id == dump_id).values(claimed_at=now() - timedelta(seconds=seconds)))


def test_the_hard_time_limit_fails_the_dump_its_task_held_and_nothing_else(store, tmp_path):
    from config.settings import Settings
    settings = Settings(task_time_limit=3)      # soft limit 2 s
    # given a dump held for 3.5 s by task-1 (which was done with an earlier one), and one held by task-2
    done, held, other = (queued(store, tmp_path, n, t) for n, t in (("a.txt", WIRE), ("b.txt", OTHER),
                                                                     ("c.txt", WIRE + " C.")))
    store.claim(done, "task-1", "t0", LIVE)
    store.save_articles(done, "a.txt", [draft(WIRE)], dedup.decide, "v", token="t0")
    store.claim(held, "task-1", "t1", LIVE)
    store.claim(other, "task-2", "t2", LIVE)
    claimed_seconds_ago(store, held, 3.5)
    # when the hard limit killed task-1's process
    timed_out = store.time_out("task-1", settings)
    # then its dump in flight ends failed on this first attempt, with what happened and what to do
    assert (timed_out.failed, timed_out.released) == ([held], [])
    row = store.dump(held)
    assert row["state"] == "failed" and row["attempts"] == 1 and row["lease"] is None
    assert "ran past INGEST_TASK_TIME_LIMIT=3 s, the hard time limit" in row["error"]
    # (the time since the claim, 3.5 s when it was set, and more by the time it is read on a loaded machine)
    held_for = re.search(r"after ([0-9.]+) s on this dump", row["error"])
    assert held_for and 3.5 <= float(held_for.group(1)) < 60, row["error"]
    assert f"`ingest requeue {held}`" in row["error"]
    # and the dump it finished, and the one another task holds, are left as they were
    assert store.dump(done)["state"] == "done" and store.dump(other)["lease"] == "t2"
    # and a late attempt of the killed task cannot overwrite the failure
    assert not store.fail(held, "late", "t1")
    with pytest.raises(LeaseLost):
        store.save_articles(held, "b.txt", [draft(OTHER)], dedup.decide, "v", token="t1")


def test_a_batch_dump_just_started_when_the_hard_limit_struck_is_queued_again_uncharged(store, tmp_path):
    from config.settings import Settings
    # given a dump a batch's task claimed 0.5 s ago (its earlier dumps used up the batch's limit)
    dump_id = queued(store, tmp_path)
    store.claim(dump_id, "task-1", "t1", LIVE)
    claimed_seconds_ago(store, dump_id, 0.5)
    # when the hard limit killed that task's process
    timed_out = store.time_out("task-1", Settings(task_time_limit=3))
    # then the dump is not blamed: it is queued again, the attempt not counted
    assert (timed_out.failed, timed_out.released) == ([], [dump_id])
    row = store.dump(dump_id)
    assert row["state"] == "queued" and row["attempts"] == 0 and row["error"] is None
