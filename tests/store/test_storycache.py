"""Story priors found by another process travel slim (ids and touched values, no summaries) and
the writer reads their stories back from its cache (tasks/store/storycache.py): placement is
the same as with the priors whole."""
from tasks.stages import dedup
from tasks.store import Store, stories
from tasks.store.storycache import Deferred, Slim, StoryCache, slim
from tasks.store.writer import DumpWrite
from tests.store.test_stories import RULES, draft
from tests.store.test_story_batches import grouping, reports


def save(store: Store, finder: Store, tmp_path, items: list[tuple], size: int, thin: bool) -> list[dict]:
    """`size` reports per transaction, each batch's priors found first by `finder` (another
    process's store), sent slim when `thin`; the stored articles, in order."""
    writes = []
    for i, (title, text, day) in enumerate(items):
        path = tmp_path / f"{i}.txt"
        path.write_text(f"{title}\n{text}")
        dump_id = store.register(path, 100_000, "v").dump_id
        writes.append(DumpWrite(dump_id, f"{i}.txt", [draft(title, text, day)], token=store.claim(dump_id).token))
    for start in range(0, len(writes), size):
        batch = []
        for w in writes[start:start + size]:
            priors = finder.story_priors(w.drafts, RULES)
            batch.append(DumpWrite(w.dump_id, w.source_file, w.drafts, token=w.token,
                                   story_prior=[slim(p) for p in priors] if thin else priors))
        store.save_batch(batch, dedup.decide, "v", rules=RULES)
    return [store.articles_of(w.dump_id)[0] for w in writes]


def test_slim_priors_place_articles_as_whole_ones_do(tmp_path):
    # given reports of many events, saved in batches whose priors another process found first
    items = reports(seed=11, events=20)
    for name in ("whole", "slim"):
        (tmp_path / name).mkdir()
    whole, slimmed = Store(f"sqlite:///{tmp_path}/whole.db"), Store(f"sqlite:///{tmp_path}/slim.db")
    # when one store is sent the priors whole and the other slim
    expected = save(whole, Store(whole.url), tmp_path / "whole", items, size=5, thin=False)
    got = save(slimmed, Store(slimmed.url), tmp_path / "slim", items, size=5, thin=True)
    # then every article is in the same story, with the same rewrite link
    assert grouping(got) == grouping(expected)
    assert len({r["story_id"] for r in got}) > 5


def test_a_slim_prior_is_hydrated_from_the_cache_or_read_newer(store, tmp_path):
    # given a story stored, and a prior that found it, sent slim
    save(store, Store(store.url), tmp_path, reports(seed=3, events=1, per_event=1), size=1, thin=False)
    with store.engine.connect() as conn:
        found = stories.prior(conn, draft(*reports(seed=3, events=1, per_event=1)[0]).story, RULES)
        sent = slim(found)
        # when a writer with an empty cache hydrates it, and then a writer whose cache is stale
        fresh = StoryCache().hydrate(conn, [sent, None])
        stale = StoryCache()
        sid, ref = next(iter(found.refs.items()))
        stale._put([stories.StoryRef(sid, ref.summary, ref.last_seq, ref.touched - 1)])
        again = stale.hydrate(conn, [sent])
        # then the prior is whole again, its stories as stored (the stale entry not taken)
        assert isinstance(sent, Slim) and sent.prior.refs == {}
        assert fresh == [found, None] and again == [found]


def test_a_story_the_cache_does_not_hold_is_read_only_when_its_summary_is_asked_for(store, tmp_path):
    # given a story stored, and a prior that found it, sent slim to a writer whose cache is empty
    save(store, Store(store.url), tmp_path, reports(seed=3, events=1, per_event=1), size=1, thin=False)
    with store.engine.connect() as conn:
        found = stories.prior(conn, draft(*reports(seed=3, events=1, per_event=1)[0]).story, RULES)
        sid, ref = next(iter(found.refs.items()))
        cache = StoryCache()
        # when the writer hydrates the prior
        got = cache.hydrate(conn, [slim(found)])[0].refs[sid]
        # then the story comes with its id, last seq and touched value, its summary not read yet
        assert isinstance(got, Deferred) and "summary" not in vars(got)
        assert (got.id, got.last_seq, got.touched) == (ref.id, ref.last_seq, ref.touched)
        # and its summary, once asked for, is the stored one; the cache keeps no deferred story
        assert got.summary == ref.summary and got == ref
        assert sid not in cache._refs


def test_a_store_keeps_no_more_stories_than_its_bound_and_places_as_an_unbounded_one(tmp_path):
    # given reports of many events, saved into a store that keeps 3 stories and one that keeps 4096
    items = reports(seed=5, events=12)
    for name in ("big", "small"):
        (tmp_path / name).mkdir()
    big, small = Store(f"sqlite:///{tmp_path}/big.db"), Store(f"sqlite:///{tmp_path}/small.db", story_cache=3)
    # when both save the same batches, their priors found by another process with the same bound
    expected = save(big, Store(big.url), tmp_path / "big", items, size=4, thin=True)
    got = save(small, Store(small.url, story_cache=3), tmp_path / "small", items, size=4, thin=True)
    # then the small one held at most 3 stories in each table, and placed every article the same
    cache = small.story_cache
    assert max(len(cache._refs), len(cache._recent), len(cache._decoded)) <= 3
    assert len(big.story_cache._refs) > 3
    assert grouping(got) == grouping(expected)


def test_a_slim_prior_takes_a_later_version_from_the_cache_without_reading(store, tmp_path):
    # given a prior that found a story, sent slim, and a cache holding a later version of it
    save(store, Store(store.url), tmp_path, reports(seed=3, events=1, per_event=1), size=1, thin=False)
    with store.engine.connect() as conn:
        found = stories.prior(conn, draft(*reports(seed=3, events=1, per_event=1)[0]).story, RULES)
        sid, ref = next(iter(found.refs.items()))
        later = stories.StoryRef(sid, ref.summary, ref.last_seq, ref.touched + 1)
        cache = StoryCache()
        cache._put([later])
        # when the writer hydrates the prior with no store to read from
        got = cache.hydrate(None, [slim(found)])
    # then the story is the cached later version (placement takes a changed story from the
    # stories changed since, never from the prior)
    assert got[0].refs == {sid: later}


def test_a_story_keeps_only_the_members_placement_compares_and_no_json(tmp_path):
    # given one event reported more times than placement compares for a rewrite, saved in batches
    # by a writer, then read back by a process whose cache is empty (another pool child)
    items = reports(seed=8, events=1, per_event=3 * stories.REWRITE_MEMBERS)
    store = Store(f"sqlite:///{tmp_path}/s.db")
    rows = save(store, Store(store.url), tmp_path, items, size=4, thin=True)
    sid = rows[-1]["story_id"]
    originals = [r for r in rows if r["story_id"] == sid and r["status"] == "original"]
    assert len(originals) > stories.REWRITE_MEMBERS
    reader = StoryCache()
    with store.engine.connect() as conn:
        touched = stories.load(conn, [sid])[sid].touched
        # when the writer's cache and the reader's hold the story's recent members
        read = reader.recent(conn, sid, touched)
        again = reader.recent(conn, sid, touched + 1)   # as if it changed since: read again
    # then each holds the REWRITE_MEMBERS newest, as stored, and no more (placement compares no
    # more: the rest was memory a worker kept for a thousand stories and never read)
    newest = [r["id"] for r in reversed(originals)][:stories.REWRITE_MEMBERS]   # saved in order
    assert [aid for aid, _, _ in read] == newest and again == read
    assert [aid for aid, _, _ in store.story_cache._recent[sid][1]] == newest
    # and the signatures kept to be taken again when the story changed are keyed by article, with
    # the length and hash of their JSON, not the JSON itself; those unchanged are the very objects
    kept = reader._decoded[sid]
    assert sorted(kept) == sorted(newest) and all(not isinstance(v, str) for e in kept.values() for v in e)
    assert all(a[2] is b[2] for a, b in zip(read, again))


def test_the_stories_a_process_decodes_share_one_copy_of_each_term(tmp_path):
    # given reports of two events of one kind (they share a pool of words), stored
    items = reports(seed=9, events=2, per_event=4)
    store = Store(f"sqlite:///{tmp_path}/s.db")
    rows = save(store, Store(store.url), tmp_path, items, size=2, thin=False)
    a, b = sorted({r["story_id"] for r in rows})[:2]
    reader = StoryCache()
    # when a process with an empty cache decodes both stories and their recent members
    with store.engine.connect() as conn:
        found = reader.refs(conn, {sid: stories.load(conn, [sid])[sid].touched for sid in (a, b)})
        sigs = [sig for sid in (a, b) for _, _, sig in reader.recent(conn, sid, found[sid].touched)]
    # then a term found in both centroids, and in a member's signature, is one string object,
    # not a copy per story and per signature (JSON decodes a fresh copy of each)
    first, second = found[a].summary.body, found[b].summary.body
    both = first.keys() & second.keys()
    assert both and all(x is y for x in first for y in second if x == y)
    in_sigs = [t for sig in sigs for t in sig if t in first]
    assert in_sigs and all(t is next(x for x in first if x == t) for t in in_sigs)
