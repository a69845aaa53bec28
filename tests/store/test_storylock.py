"""The story lock's part of a write on PostgreSQL (tasks/store/storylock.py): what another
writer could see or overwrite is written only under the lock, after the check; a story changed
meanwhile is placed against again, never overwritten with what was read before."""
import re
import subprocess
import sys

from sqlalchemy import event

from tasks.stages import dedup
from tasks.store import Store, placing, stories, storylock
from tasks.store.writer import DumpWrite
from tests.store.test_placing import claimed, save_batch
from tests.store.test_stories import CRASH, OTHER, RULES, draft

# a third report of the crash that shares no 5-gram with CRASH[1]: no dedup lock in common
THIRD = ("Cessna crash near Lake Tahoe kills four", "Four people were killed when a Cessna 172 went down "
         "near Lake Tahoe on Tuesday after leaving Truckee airport, Placer County deputies said.", "2019-03-12")
SHARED = re.compile(r"^\s*(UPDATE stories|DELETE FROM story_keys)\b|^\s*INSERT INTO stor(ies|y_keys)\b")


def test_a_joined_story_is_written_only_under_the_lock_and_a_new_one_inside_the_savepoint(pg_url, tmp_path, monkeypatch):
    # given a story of one report, and every statement of the next save recorded
    store = Store(pg_url)
    save_batch(store, tmp_path, [CRASH[0]])
    seen, real = [], storylock.locked

    def locked(conn, params):
        seen.append("LOCK")
        return real(conn, params)
    monkeypatch.setattr(storylock, "locked", locked)
    event.listen(store.engine, "before_cursor_execute", lambda conn, cur, sql, *rest: seen.append(sql))
    # when a second report joins it, and a report of another event starts one, in one batch
    (tmp_path / "b").mkdir()
    other = ("Norway raises rates", "Norges Bank raised its key rate to 4.5 percent on Thursday in Oslo.", "2019-03-14")
    b, c = save_batch(store, tmp_path / "b", [CRASH[1], other])
    # then the joined story's row and keys change only after the lock (in its statement), the
    # new story's only after a savepoint, and both stand
    lock_at = seen.index("LOCK")
    assert not [s for s in seen[:lock_at] if SHARED.match(s) and not s.lstrip().startswith("INSERT")]
    inserts = [i for i, s in enumerate(seen[:lock_at]) if SHARED.match(s)]
    assert inserts and min(inserts) > seen.index(f"SAVEPOINT {storylock.SAVEPOINT}")
    assert store.story(b["story_id"])["size"] == 2 and store.story(c["story_id"])["size"] == 1
    store.close()


def test_a_story_joined_by_another_writer_meanwhile_keeps_both_joins(pg_url, tmp_path, monkeypatch):
    # given a story of one report; while a first writer places a second report (after it read
    # the stories, before its lock), another writer commits a third report joining the story
    first, second = Store(pg_url), Store(pg_url)
    (tmp_path / "old").mkdir()
    story_id = save_batch(first, tmp_path / "old", [CRASH[0]])[0]["story_id"]
    dump_id, token = claimed(second, tmp_path, "theirs.txt", THIRD[1])
    theirs = DumpWrite(dump_id, "theirs.txt", [draft(*THIRD)], token=token)
    real_open, raced = placing.Placer.open.__func__, []

    def open_then_race(cls, *args):
        placer = real_open(cls, *args)
        if not raced:   # (the second writer's own open comes here too: race once)
            raced.append(theirs)
            second.save_batch([theirs], dedup.decide, "v", rules=RULES)
        return placer
    monkeypatch.setattr(placing.Placer, "open", classmethod(open_then_race))
    # when the first commits
    mine = save_batch(first, tmp_path, [CRASH[1]])[0]
    # then the story holds all three: the first placed again under the lock, seeing the third
    assert second.articles_of(dump_id)[0]["story_id"] == mine["story_id"] == story_id
    assert first.story(story_id)["size"] == 3 and len(first.stories()) == 1
    first.close()
    second.close()


def test_a_batch_placed_again_after_a_change_is_placed_and_written_under_the_lock(pg_url, tmp_path, monkeypatch):
    # given a first writer placing a second report of a story while another writer commits a
    # third report joining it after the first read the stories (so the first's check fails)
    from sqlalchemy import text
    first, second = Store(pg_url), Store(pg_url)
    (tmp_path / "old").mkdir()
    save_batch(first, tmp_path / "old", [CRASH[0]])
    dump_id, token = claimed(second, tmp_path, "theirs.txt", THIRD[1])
    theirs = DumpWrite(dump_id, "theirs.txt", [draft(*THIRD)], token=token)
    real_open, real_write, opened, held = placing.Placer.open.__func__, placing.Placer.write, [], []

    def open_then_race(cls, conn, *args):
        placer = real_open(cls, conn, *args)
        opened.append(conn)
        if len(opened) == 1:
            second.save_batch([theirs], dedup.decide, "v", rules=RULES)
        return placer

    def write(placer):   # this backend's own grant of the story lock, as the server lists it
        held.append(placer.conn.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() "
            "AND ((classid::int8 << 32) | objid::int8) = :k"), {"k": stories.STORY_LOCK_KEY}).scalar())
        return real_write(placer)
    monkeypatch.setattr(placing.Placer, "open", classmethod(open_then_race))
    monkeypatch.setattr(placing.Placer, "write", write)
    # when the first commits, its savepoint rolled back and its batch placed again
    save_batch(first, tmp_path, [CRASH[1]])
    # then it still held the story lock when it wrote the batch placed again (rolling back to
    # the savepoint releases a lock taken inside it: it must be taken again)
    assert held == [1]
    first.close()
    second.close()


def test_a_story_of_another_event_committed_meanwhile_neither_waits_nor_reorders(pg_url, tmp_path, monkeypatch):
    # given a first writer placing a crash report while another writer commits a report of
    # another event (no key term in common) after the first read the stories
    from sqlalchemy import text
    first, second = Store(pg_url), Store(pg_url)
    dump_id, token = claimed(second, tmp_path, "theirs.txt", OTHER[1])
    theirs = DumpWrite(dump_id, "theirs.txt", [draft(*OTHER)], token=token)
    real_open, opened = placing.Placer.open.__func__, []

    def open_then_race(cls, *args):
        placer = real_open(cls, *args)
        opened.append(placer)
        if len(opened) == 1:
            second.save_batch([theirs], dedup.decide, "v", rules=RULES)
        return placer
    monkeypatch.setattr(placing.Placer, "open", classmethod(open_then_race))
    # when the first commits
    mine = save_batch(first, tmp_path, [CRASH[0]])[0]
    # then its placement stood (no second placement: only the other writer's open came
    # after), and its story's change is ordered after the other's, as it committed
    assert len(opened) == 2
    with first.engine.connect() as conn:
        touched = dict(conn.execute(text("SELECT id, touched FROM stories")).all())
    other_story = second.articles_of(dump_id)[0]["story_id"]
    assert set(touched) == {mine["story_id"], other_story}
    assert touched[mine["story_id"]] > touched[other_story]
    first.close()
    second.close()


def test_the_embedded_default_never_imports_the_postgresql_driver(tmp_path):
    # given a fresh interpreter that loads the CLI and saves on the embedded SQLite store
    code = ("import sys\nfrom workers import cli\nfrom tasks.store import Store\n"
            f"Store('sqlite:///{tmp_path}/store.db')\nprint('psycopg' in sys.modules)")
    # when it has started
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    # then psycopg (~0.1 s of every `ingest` command's start) was not loaded
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_only_the_key_rows_that_change_are_written_under_the_lock(pg_url, tmp_path, monkeypatch):
    # given a story of one report, its key rows as stored, and the lock statement's parameters recorded
    from sqlalchemy import select
    from tasks.store.schema import story_keys
    store = Store(pg_url)
    sid = save_batch(store, tmp_path, [CRASH[0]])[0]["story_id"]

    def rows() -> set[tuple[str, int]]:
        with store.engine.connect() as conn:
            return set(conn.execute(select(story_keys.c.story_id, story_keys.c.hash)).all())
    before, sent, real = rows(), [], storylock.locked
    monkeypatch.setattr(storylock, "locked", lambda conn, params: sent.append(params) or real(conn, params))
    # when a second report joins it
    (tmp_path / "b").mkdir()
    assert save_batch(store, tmp_path / "b", [CRASH[1]])[0]["story_id"] == sid
    # then the statement under the lock deleted only stored rows that went and inserted only
    # rows not stored, and these changes make the rows now stored
    [params] = sent
    gone = set(zip(params["gone_stories"], params["gone_hashes"]))
    fresh = set(zip(params["fresh_stories"], params["fresh_hashes"]))
    assert fresh and gone <= before and not fresh & before
    assert rows() == (before - gone) | fresh
    store.close()


def test_the_commit_goes_with_the_lock_s_statement(pg_url, tmp_path, monkeypatch):
    # given a story of one report, and another session looking as soon as the lock's round trip returns
    from sqlalchemy import text
    store, other = Store(pg_url), Store(pg_url)
    sid = save_batch(store, tmp_path, [CRASH[0]])[0]["story_id"]
    seen, real = [], storylock.locked

    def locked(conn, params):
        shift = real(conn, params)
        with other.engine.connect() as look:   # (the writer's own backend: other stores on the server lock too)
            seen.append((look.execute(text("SELECT size FROM stories WHERE id = :s"), {"s": sid}).scalar(),
                         look.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = :p "
                                           "AND ((classid::int8 << 32) | objid::int8) = :k"),
                                      {"k": stories.STORY_LOCK_KEY,
                                       "p": conn.connection.driver_connection.info.backend_pid}).scalar()))
        return shift
    monkeypatch.setattr(storylock, "locked", locked)
    # when a second report joins it
    (tmp_path / "b").mkdir()
    save_batch(store, tmp_path / "b", [CRASH[1]])
    # then by then the join was committed and the story lock let go: no round trip to the
    # writer came between taking the lock and committing
    assert seen == [(2, 0)]
    store.close()
    other.close()
