"""Story assignment does not depend on how articles are batched: an article placed in a batch
sees every story committed or placed before it (those the batch's earlier articles started or
joined included) with the same evidence as if each article were its own transaction; the
candidates (the stories sharing the most key terms, tasks/store/stories.py) and the rewrite
check (the closest stories' originals) included. More stories share key terms here than one
article takes as candidates, so the snapshot's ranking must be redone for the batch's changes."""
import random

from tasks.stages import dedup
from tasks.stages.stories import keys
from tasks.store import Store, stories
from tasks.store.engine import writing
from tasks.store.placing import Placer
from tasks.store.writer import DumpWrite
from tests.store.test_stories import RULES, draft

SYLLABLES = ["ka", "zu", "ren", "tor", "vel", "mi", "dro", "sal", "quen", "bo", "lit", "nar", "yus", "gam", "fe"]


def coined(rng: random.Random, n: int) -> list[str]:
    """Words no English list knows (weighed as rare names are)."""
    return ["".join(rng.choice(SYLLABLES) for _ in range(3)) for _ in range(n)]


def reports(seed: int = 7, events: int = 30, per_event: int = 3) -> list[tuple[str, str, str]]:
    """Reports of many events of one kind: each event has its own names and place, and all share
    a pool of the kind's words; a third of the reports reword an earlier report of their event."""
    rng = random.Random(seed)
    pool = coined(rng, 12)
    out = []
    for e in range(events):
        names = [w.capitalize() for w in coined(rng, 5)]
        own = coined(rng, 6)
        for k in range(per_event):
            picked = rng.sample(names, 2) + rng.sample(own, 2) + rng.sample(pool, 8)
            sentences = [f"The {rng.choice(pool)} {rng.choice(pool)} was {w} in {rng.choice(names)}." for w in picked]
            title = f"{rng.choice(names)} {rng.choice(pool)} {rng.choice(pool)}"
            out.append((title, " ".join(sentences), f"2021-05-{1 + (e + k) % 27:02d}"))
    rng.shuffle(out)
    return out


def save(store: Store, tmp_path, items: list[tuple], size: int) -> list[dict]:
    """Each report its own dump, saved `size` dumps per transaction; the stored articles, in order."""
    writes = []
    for i, (title, text, day) in enumerate(items):
        path = tmp_path / f"{i}.txt"
        path.write_text(f"{title}\n{text}")
        dump_id = store.register(path, 100_000, "v").dump_id
        writes.append(DumpWrite(dump_id, f"{i}.txt", [draft(title, text, day)], token=store.claim(dump_id).token))
    for start in range(0, len(writes), size):
        store.save_batch(writes[start:start + size], dedup.decide, "v", rules=RULES)
    return [store.articles_of(w.dump_id)[0] for w in writes]


def grouping(rows: list[dict]) -> list[tuple]:
    """Per article: the first article of its story (by position) and its rewrite link's position."""
    first, position = {}, {r["id"]: i for i, r in enumerate(rows)}
    return [(first.setdefault(r["story_id"], i), position.get(r["rewrite_of"])) for i, r in enumerate(rows)]


def test_one_batch_groups_articles_as_one_transaction_each_does(store, tmp_path):
    # given reports of many events of one kind, more sharing key terms than an article's candidates
    items = reports()
    (tmp_path / "alone").mkdir()
    alone = Store(f"sqlite:///{tmp_path}/alone.db")
    # when they are saved one transaction each into one store, and all in one transaction into another
    singles = save(alone, tmp_path / "alone", items, size=1)
    together = save(store, tmp_path, items, size=len(items))
    # then every article is in the same story, with the same rewrite link
    assert grouping(together) == grouping(singles)
    assert len({r["story_id"] for r in singles}) > stories.MAX_CANDIDATES
    alone.close()


def test_a_story_that_shares_no_key_term_is_no_candidate_in_a_batch_either(store, tmp_path):
    # given a report whose key terms are its most repeated words, and a later one that shares
    # many of its other words but none of its key terms (so it finds the first by no key)
    rng = random.Random(3)
    heavy, light, other = coined(rng, 12), coined(rng, 60), coined(rng, 30)
    first = (" ".join(coined(rng, 3)), " ".join(f"The {h} {h} {h} {h} {h} {h} {h} {h} {h} {h} {a} {b} {c} {d} {e}."
                                               for h, a, b, c, d, e in zip(heavy, *[iter(light)] * 5)), "2021-05-03")
    later = (" ".join(coined(rng, 3)), " ".join(f"The {a} {b} {c} {x}." for a, b, c, x in zip(*[iter(light)] * 3, other)),
             "2021-05-04")
    (tmp_path / "alone").mkdir()
    alone = Store(f"sqlite:///{tmp_path}/alone.db")
    # when both are saved one transaction each, and both in one transaction
    singles = save(alone, tmp_path / "alone", [first, later], size=1)
    together = save(store, tmp_path, [first, later], size=2)
    # then the batch places the later one as its own transaction does: in a story of its own
    assert grouping(together) == grouping(singles) == [(0, None), (1, None)]
    alone.close()


def test_batches_of_any_size_group_articles_alike(store, tmp_path):
    # given reports of more events than the snapshot ranks stories sharing key terms
    items = reports(seed=11, events=50, per_event=2)
    (tmp_path / "alone").mkdir()
    alone = Store(f"sqlite:///{tmp_path}/alone.db")
    assert grouping(save(store, tmp_path, items, size=8)) == grouping(save(alone, tmp_path / "alone", items, size=1))
    alone.close()


def test_the_snapshots_ranking_is_redone_for_changed_stories_or_found_again_when_it_cannot_tell():
    # given a snapshot that ranked 40 stories sharing key terms (4 shared down to 1), and more beyond
    shares = {f"s{i:02d}": 4 - i // 10 for i in range(40)}
    before = stories.Prior({}, {}, 0, shares, more=True)
    # when a story ranked last now shares the most, and another no longer shares any
    order = stories.reranked(before, {"s39": 5, "s00": 0})
    # then it comes first, the other is gone, and the rest keep their order
    assert order == ["s39"] + [f"s{i:02d}" for i in range(1, 20)]
    # and when most ranked stories changed to share fewer terms than the last one ranked, stories
    # the snapshot did not rank might come first: the look-up must be run again
    assert stories.reranked(before, {f"s{i:02d}": 0 for i in range(25)}) is None
    # but not when the snapshot ranked every story sharing some
    assert stories.reranked(stories.Prior({}, {}, 0, shares), {f"s{i:02d}": 0 for i in range(25)}) == [
        f"s{i:02d}" for i in range(25, 40)]


def test_when_the_snapshot_cannot_tell_the_candidates_are_looked_up_again_with_the_batchs_stories(store, tmp_path):
    # given stored stories of many events of one kind, and a transaction that has placed one more
    items = reports(seed=5, events=30, per_event=1)
    save(store, tmp_path, items[:-2], size=4)
    with writing(store.engine) as conn:
        placer = Placer.open(conn, RULES, [stories.horizon(conn)], set(), store.story_cache)
        title, text, day = items[-2]
        placer.place("a-new", 10**6, title, RULES.read(title, text, day), stories.prior(conn, RULES.read(title, text, day),
                                                                                          RULES), None)
        article = RULES.read(*items[-1])
        stale = stories.Prior({}, {}, 0, {"s-x": 99}, more=True)   # ranked one story only, and more beyond
        # when the candidates are asked for with a snapshot that ranked too few of them
        found = placer._candidates(article, stale, {})
        # then they are the stored stories the look-up finds, the one placed in this batch ranked among them
        stored = stories.ranked(conn, article.features, RULES.weights, 100)[0]
        shares = {sid: n for sid, n, _ in stored} | {"s-a-new": len(set(keys(article.features)) & set(
            keys(placer.changed["s-a-new"].ref.summary)))}
        expected = sorted((sid for sid, n in shares.items() if n), key=lambda sid: (-shares[sid], sid))
        assert list(found) == sorted(expected[:stories.MAX_CANDIDATES]) and len(expected) > stories.MAX_CANDIDATES
        assert "s-a-new" in found
