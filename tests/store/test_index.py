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
