"""The dedup index stays bounded: a fixed number of keys per original, postings capped, and a
boilerplate paragraph shared by many originals stops being a key (tasks/store/index.py)."""
import random

from tasks.stages import dedup
from tasks.stages.model import Extracted, Topic
from tasks.store import index
from tasks.store.articles import Draft


def prose(rng: random.Random, n: int) -> str:
    return " ".join(f"w{rng.randrange(100_000)}" for _ in range(n))


def save(store, tmp_path, name: str, text: str):
    (tmp_path / name).write_text(text)
    reg = store.register(tmp_path / name, 100_000, "v")
    store.claim(reg.dump_id)
    d = Draft(0, Extracted(title="t", paragraphs=(text,)), (Topic("politics", 0.9),), "test", dedup.fingerprint(text))
    return reg.dump_id, store.save_articles(reg.dump_id, name, [d], dedup.decide, "v")[0]


def test_a_paragraph_many_originals_share_stops_being_a_key_and_copies_are_still_found(store, tmp_path, monkeypatch):
    # given postings capped at 3, and eight different articles that all end with one long footer
    monkeypatch.setattr(index, "CAP", 3)
    rng = random.Random(4)
    footer = prose(rng, 150)
    texts = [prose(rng, 250) + " " + footer for _ in range(8)]
    ids = [save(store, tmp_path, f"{i}.txt", t)[0] for i, t in enumerate(texts)]
    # then none is a duplicate of another, each is indexed under 12 keys, and no key holds more than 3
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM articles WHERE status = 'original'").scalar() == 8
        per_article = conn.exec_driver_sql("SELECT count(*) FROM dedup_keys GROUP BY article_seq").scalars().all()
        per_key = conn.exec_driver_sql("SELECT count(*) FROM dedup_keys GROUP BY key").scalars().all()
    assert per_article == [index.KEYS] * 8 and max(per_key) <= 3
    # when an edited copy of the last one arrives, it is found through its own keys
    _, verdict = save(store, tmp_path, "copy.txt", texts[-1].replace(" w", " x", 3))
    assert verdict.duplicate_of == f"{ids[-1]}-0"


def test_an_original_that_leaves_the_store_leaves_the_index(store, tmp_path):
    # given an original and its copy, when the original's dump fails on re-processing
    rng = random.Random(5)
    text = prose(rng, 300)
    first, _ = save(store, tmp_path, "a.txt", text)
    second, verdict = save(store, tmp_path, "b.txt", text + " w1 w2 w3")
    assert verdict.duplicate_of == f"{first}-0"
    store.requeue([first])
    lease = store.claim(first)
    store.fail(first, "gone", lease.token)
    # then the copy is the original now, and the index holds it alone
    with store.engine.connect() as conn:
        indexed = conn.exec_driver_sql("SELECT a.id FROM dedup_sketches s JOIN articles a ON a.seq = s.article_seq"
                                       ).scalars().all()
        keys = conn.exec_driver_sql("SELECT count(DISTINCT article_seq) FROM dedup_keys").scalar()
    assert indexed == [f"{second}-0"] and keys == 1


def test_a_lookup_reads_only_the_originals_among_its_texts_first_candidates(store, tmp_path):
    # given 30 stored originals that all share one paragraph with a new text, and one stored
    # original that shares more of it
    rng = random.Random(7)
    shared = prose(rng, 120)
    ids = [save(store, tmp_path, f"{i}.txt", prose(rng, 300) + " " + shared)[0] for i in range(30)]
    near = prose(rng, 200)
    best = save(store, tmp_path, "best.txt", near + " " + prose(rng, 40))[0]
    fp = dedup.fingerprint(near + " " + shared)
    read = []
    with store.engine.connect() as conn:
        # when the index is looked up for its first 5 candidates
        found = index.lookup(conn, [fp], limit=5)
        fetch = found.fetch
        found.fetch = lambda seqs: read.append(sorted(seqs)) or fetch(seqs)
        first = found.candidates(fp, limit=5)
        # then only those 5 originals were read, and the candidates are as a full read gives them
        assert len(found.stored) == 5 and not read
        assert first[0].article_id == f"{best}-0"
        everything = index.lookup(conn, [fp], limit=40)
        assert [m.article_id for m in first] == [m.article_id for m in everything.candidates(fp, limit=5)]
        # and asking for more reads the others then, in one query, with the same answer as a full read
        more = found.candidates(fp, limit=40)
        assert len(read) == 1 and found.stored == everything.stored and len(found.stored) > 20
        assert more == everything.candidates(fp, limit=40)
        assert {m.article_id for m in more} <= {f"{i}-0" for i in ids + [best]}


def test_a_posting_whose_original_is_gone_is_no_candidate(store, tmp_path):
    # given stored originals sharing a paragraph with a text, and the index's sketch row of one of them lost
    rng = random.Random(7)
    shared = prose(rng, 120)
    ids = [save(store, tmp_path, f"{i}.txt", prose(rng, 300) + " " + shared)[0] for i in range(6)]
    fp = dedup.fingerprint(prose(rng, 100) + " " + shared)
    with store.engine.begin() as conn:
        before = {m.article_id for m in index.lookup(conn, [fp]).candidates(fp)}
        lost = sorted(before)[0]
        seq = conn.exec_driver_sql(f"SELECT seq FROM articles WHERE id = '{lost}'").scalar()
        conn.exec_driver_sql(f"DELETE FROM dedup_sketches WHERE article_seq = {seq}")
        # when the index is looked up again
        found = index.lookup(conn, [fp])
        # then that original is no candidate and no key posts it; the others are as before
        assert len(before) >= 3 and before <= {f"{i}-0" for i in ids}
        assert {m.article_id for m in found.candidates(fp)} == before - {lost}
        assert all(seq not in seqs for seqs in found.postings.values())
