"""The dedup fingerprint: a bounded sketch whatever the text's length, from which both
containments and Jaccard are estimated (tasks/stages/dedup/sketch.py)."""
import random

from tasks.stages.dedup import sketch
from tasks.stages.model import Match


def words(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"w{rng.randrange(50_000)}" for _ in range(n)]


def as_match(text: str) -> Match:
    fp = sketch.fingerprint(text)
    return Match("old", fp.sketch, fp.size)


def test_a_long_text_keeps_a_bounded_sketch_and_keys():
    # given a text of 20,000 words
    text = " ".join(words(20_000, 1))
    fp = sketch.fingerprint(text)
    # then the sketch and the keys have their fixed sizes, and the size counts every distinct 5-gram
    assert len(fp.sketch) == sketch.SKETCH and len(fp.keys) == sketch.QUERY
    assert fp.size == 20_000 - sketch.SHINGLE + 1
    assert list(fp.sketch) == sorted(fp.sketch) and fp == sketch.fingerprint(text)


def test_a_short_text_inside_a_text_twenty_times_longer_is_fully_contained():
    # given a 300-word passage, and a 6,000-word text that holds it in the middle
    long = words(6_000, 2)
    short = long[3_000:3_300]
    # when their overlap is estimated
    o = sketch.overlap(sketch.fingerprint(" ".join(short)), as_match(" ".join(long)))
    # then the short one is wholly in the long one, and Jaccard is about the length ratio
    assert o.new_in_old > 0.85
    assert 0.02 < o.jaccard < 0.09 and o.old_in_new < 0.09


def test_jaccard_and_containments_of_two_long_texts_are_estimated_within_a_tolerance():
    # given two 4,000-word texts sharing their first half
    common = words(2_000, 3)
    a, b = common + words(2_000, 4), common + words(2_000, 5)
    o = sketch.overlap(sketch.fingerprint(" ".join(a)), as_match(" ".join(b)))
    # then containment is about 1/2 each way and Jaccard about 1/3
    assert abs(o.new_in_old - 0.5) < 0.15 and abs(o.old_in_new - 0.5) < 0.15
    assert abs(o.jaccard - 1 / 3) < 0.12
    assert abs(o.shared - 2_000) < 300


def test_unrelated_texts_do_not_overlap():
    o = sketch.overlap(sketch.fingerprint(" ".join(words(500, 6))), as_match(" ".join(words(500, 7))))
    assert (o.new_in_old, o.old_in_new, o.jaccard) == (0.0, 0.0, 0.0)


def test_a_sketch_is_stored_in_four_bytes_a_value_and_read_back():
    fp = sketch.fingerprint(" ".join(words(1_000, 8)))
    blob = sketch.pack(fp.sketch)
    assert len(blob) == 4 * len(fp.sketch) and sketch.unpack(blob) == fp.sketch


def test_hash_values_are_those_the_stored_index_holds():
    # given texts fingerprinted by earlier releases (their keys and sketches are in stored indexes)
    fp = sketch.fingerprint("Café owners in Zürich said the new rules take effect on Monday, officials said.")
    # then the same values come out: a change of hashing needs a migration that re-fingerprints the store
    assert fp.exact == "03ea5cd5c41db96889bd7072c5c9e177" and fp.size == 10
    assert fp.sketch[:3] == (139760051, 1677423321, 2158240288) and fp.keys[:3] == (-1368811895, 887351981, 12147143)
    assert sketch.gram_list(sketch.tokens("one two three four five six")) == [4475916206259131367, 4322731170382286266]
    # and full-width letters fold as their plain forms (one 5-gram-less text: its words as one gram)
    assert sketch.fingerprint("ＦＵＬＬ width") == sketch.fingerprint("full WIDTH")
    assert sketch.fingerprint("ＦＵＬＬ width").keys == (-1008734091,)


def test_a_fingerprint_from_known_grams_is_the_texts_own():
    # given a text, its fingerprint, and its 5-grams
    text = " ".join(f"word{i % 97} term{i % 13}" for i in range(400))
    fp = sketch.fingerprint(text)
    # when a fingerprint is made from the grams alone
    got = sketch.sketched(sketch.grams(text), fp.exact)
    # then it is the same (sketch, size and keys); no grams give an empty one
    assert got == fp and fp.size > 64
    assert sketch.sketched(frozenset(), "x") == sketch.Fingerprint(exact="x")
