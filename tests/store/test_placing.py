"""Story placement of a whole batch in one transaction (tasks/store/placing.py), and the
per-Store StoryCache (tasks/store/storycache.py): a batch places its articles as if each were
committed before the next, and a cached story is never used once another writer changed it."""
import pytest

from tasks.stages import dedup
from tasks.store import Store
from tasks.store.writer import DumpWrite
from tests.store.test_stories import CRASH, OTHER, RULES, draft


def claimed(store: Store, tmp_path, name: str, text: str) -> tuple[str, str]:
    path = tmp_path / name
    path.write_text(text)
    dump_id = store.register(path, 10_000, "v").dump_id
    return dump_id, store.claim(dump_id).token


def save_batch(store: Store, tmp_path, reports: list[tuple]) -> list[dict]:
    """Each report its own dump, all saved in one transaction; the stored articles, in order."""
    batch = []
    for i, (title, text, day) in enumerate(reports):
        dump_id, token = claimed(store, tmp_path, f"{i}-{len(text)}.txt", f"{title}\n{text}")
        batch.append(DumpWrite(dump_id, f"{i}.txt", [draft(title, text, day)], token=token))
    store.save_batch(batch, dedup.decide, "v", rules=RULES)
    return [store.articles_of(w.dump_id)[0] for w in batch]


def test_one_batch_places_an_event_in_one_story_and_a_copy_with_its_original(store, tmp_path):
    # given two reports of a crash, a copy of the first and a report of another event
    title, text, day = CRASH[0]
    reports = [CRASH[0], CRASH[1], ("Copy: " + title, text + " ", day), OTHER]
    # when all four are saved in one transaction
    a, b, copy, other = save_batch(store, tmp_path, reports)
    # then the crash is one story of three (the copy linked to its original), the other its own
    assert a["story_id"] == b["story_id"] == copy["story_id"] == "s-" + a["id"]
    assert copy["duplicate_of"] == a["id"] and copy["rewrite_of"] is None
    assert other["story_id"] == "s-" + other["id"]
    story = store.story(a["story_id"])
    assert story["size"] == 3 and story["first_article"] == a["id"] and story["last_article"] == copy["id"]
    assert story["title"] == CRASH[0][0] and (story["first_date"], story["last_date"]) == ("2019-03-12", "2019-03-13")
    assert store.story(other["story_id"])["size"] == 1


def test_a_batch_places_as_one_article_at_a_time_does(store, tmp_path):
    # given the same reports saved one transaction each into a second store
    title, text, day = CRASH[0]
    reports = [CRASH[0], OTHER, CRASH[1], ("Copy: " + title, text + " ", day)]
    (tmp_path / "alone").mkdir()
    alone = Store(f"sqlite:///{tmp_path}/alone.db")
    singles = [save_batch(alone, tmp_path / "alone", [r])[0] for r in reports]
    # when they are saved in one batch
    together = save_batch(store, tmp_path, reports)
    # then every story is the same, as sizes and memberships
    def shape(rows, s):   # per article: its story's size, and which of the reports share it
        return [(s.story(r["story_id"])["size"], [i for i, x in enumerate(rows) if x["story_id"] == r["story_id"]])
                for r in rows]
    assert shape(together, store) == shape(singles, alone)
    alone.close()


def test_a_story_changed_by_another_writer_is_read_again(url, tmp_path):
    # given two workers on one store; the first has read (cached) the crash story
    first, second = Store(url), Store(url)
    for sub in "123":
        (tmp_path / sub).mkdir()
    a = save_batch(first, tmp_path / "1", [CRASH[0]])[0]
    # when the second worker adds a report to that story, then the first a copy of it
    save_batch(second, tmp_path / "2", [CRASH[1]])
    title, text, day = CRASH[1]
    copy = save_batch(first, tmp_path / "3", [("Copy: " + title, text + " ", day)])[0]
    # then the first saw the second's change: one story of three, its last date the second's
    story = first.story(a["story_id"])
    assert copy["story_id"] == a["story_id"] and story["size"] == 3 and story["last_date"] == "2019-03-13"
    first.close()
    second.close()


def test_a_rolled_back_batch_leaves_nothing_in_the_cache(store, tmp_path, monkeypatch):
    # given a batch whose transaction fails after its story was placed: on PostgreSQL its
    # commit fails (sent behind the story lock's statement, tasks/store/storylock.py), on
    # SQLite what comes after the placement
    from tasks.store import writer
    from tasks.store.faults import StoreError
    dump_id, token = claimed(store, tmp_path, "a.txt", CRASH[0][1])
    real = writer._place_stories

    def place_then_fail(*args):
        real(*args)
        raise RuntimeError("disk full")
    pg = store.engine.dialect.name == "postgresql"
    if pg:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS "
                                 "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$")
            conn.exec_driver_sql("CREATE CONSTRAINT TRIGGER disk_full AFTER INSERT ON stories DEFERRABLE "
                                 "INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disk_full()")
    else:
        monkeypatch.setattr(writer, "_place_stories", place_then_fail)
    with pytest.raises(StoreError if pg else RuntimeError, match="disk full"):
        store.save_batch([DumpWrite(dump_id, "a.txt", [draft(*CRASH[0])], token=token)], dedup.decide, "v", rules=RULES)
    # then the story it started is neither stored nor cached
    story_id = f"s-{dump_id}-0"
    with store.engine.connect() as conn:
        assert store.story_cache.refs(conn, {story_id: 1}) == {}
    assert store.stories() == []
    # and saved again, it is there once
    monkeypatch.setattr(writer, "_place_stories", real)
    if pg:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER disk_full ON stories")
    store.save_batch([DumpWrite(dump_id, "a.txt", [draft(*CRASH[0])], token=token)], dedup.decide, "v", rules=RULES)
    with store.engine.connect() as conn:
        assert store.story_cache.refs(conn, {story_id: 1})[story_id].summary.size == 1
    assert store.story(story_id)["size"] == 1 and len(store.stories()) == 1


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    return f"sqlite:///{tmp_path}/s.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")


def test_a_story_started_while_a_batch_was_placed_is_joined(pg_url, tmp_path, monkeypatch):
    # given two workers on PostgreSQL; while the first places a report (before its story lock),
    # the second commits another report of the same event, starting its story
    from tasks.store import placing
    first, second = Store(pg_url), Store(pg_url)
    report = ("Cessna crash near Lake Tahoe kills four", "Four people were killed when a Cessna 172 went down "
              "near Lake Tahoe on Tuesday after leaving Truckee airport, Placer County deputies said.", "2019-03-12")
    dump_id, token = claimed(second, tmp_path, "theirs.txt", report[1])   # no 5-gram shared: no dedup lock shared
    theirs = DumpWrite(dump_id, "theirs.txt", [draft(*report)], token=token)
    real_open, raced = placing.Placer.open.__func__, []

    def open_then_race(cls, *args):
        placer = real_open(cls, *args)
        if not raced:
            raced.append(theirs)
            second.save_batch([theirs], dedup.decide, "v", rules=RULES)
        return placer
    monkeypatch.setattr(placing.Placer, "open", classmethod(open_then_race))
    # when the first commits
    late = save_batch(first, tmp_path, [CRASH[1]])[0]
    # then its placement was made again under the lock: one story, not two
    story_id = second.articles_of(theirs.dump_id)[0]["story_id"]
    assert late["story_id"] == story_id and first.story(story_id)["size"] == 2
    assert len(first.stories()) == 1
    first.close()
    second.close()


def test_a_story_whose_key_rows_differ_from_its_summary_is_rekeyed_on_join(store, tmp_path):
    # given the key rows the story of two crash reports ends with, from a second store
    from sqlalchemy import insert, select
    from tasks.store.schema import story_keys
    (tmp_path / "ref").mkdir()
    ref = Store(f"sqlite:///{tmp_path}/ref.db")
    first = save_batch(ref, tmp_path / "ref", [CRASH[0]])[0]
    save_batch(ref, tmp_path / "ref", [CRASH[1]])
    with ref.engine.connect() as conn:
        expected = {h for (h,) in conn.execute(select(story_keys.c.hash).where(story_keys.c.story_id == first["story_id"]))}
    ref.close()
    # and a store holding the first report, whose story's key rows were written otherwise
    # (another release, another tie cut): some of the joined story's keys already there, one row stale
    sid = save_batch(store, tmp_path, [CRASH[0]])[0]["story_id"]
    with store.engine.begin() as conn:
        rows = {h for (h,) in conn.execute(select(story_keys.c.hash).where(story_keys.c.story_id == sid))}
        assert expected - rows, "the join must add keys for this test to mean anything"
        conn.execute(insert(story_keys), [{"hash": h, "story_id": sid} for h in expected - rows])
        conn.execute(insert(story_keys), [{"hash": 12345, "story_id": sid}])
    # when the second report joins it
    second = save_batch(store, tmp_path, [CRASH[1]])[0]
    # then the save succeeds and the story's key rows are exactly its summary's keys
    assert second["story_id"] == sid
    with store.engine.connect() as conn:
        assert {h for (h,) in conn.execute(select(story_keys.c.hash).where(story_keys.c.story_id == sid))} == expected
