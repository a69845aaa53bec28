"""What a writer keeps of stored articles across batches (tasks/store/memo.py)."""
from tasks.stages.dedup import sketch
from tasks.store.memo import Memo, pack, unpack

TEXT = " ".join(f"word{i % 31} term{i % 7}" for i in range(120))


def test_a_texts_5_grams_are_kept_for_that_text_only():
    # given the 5-grams of an article's text kept, once as a set and once packed
    memo, grams = Memo(4), sketch.grams(TEXT)
    memo.keep("a-0", TEXT, grams)
    memo.keep("b-0", TEXT, pack(grams))
    # then they are given back for the same text, and not for a text changed since
    assert memo.grams("a-0", TEXT) == grams == memo.grams("b-0", TEXT) == unpack(pack(grams))
    assert memo.grams("a-0", TEXT + " more") is None and memo.grams("c-0", TEXT) is None


def test_a_sketch_is_unpacked_again_when_the_stored_bytes_changed():
    # given a stored sketch unpacked once
    memo, first, second = Memo(4), sketch.pack((1, 2, 3)), sketch.pack((1, 2, 4))
    assert memo.sketch(7, first) == (1, 2, 3)
    # when the article is indexed again with another sketch
    # then the new one is unpacked, not the one kept
    assert memo.sketch(7, second) == (1, 2, 4)
    assert memo.sketch(7, second) is memo.sketch(7, second)


def test_the_memo_is_bounded_least_recently_used_out_first():
    # given a memo for two texts (and four sketches)
    memo, grams = Memo(2), sketch.grams(TEXT)
    memo.keep("a-0", TEXT, grams)
    memo.keep("b-0", TEXT, grams)
    memo.grams("a-0", TEXT)   # used again: b-0 is now the least recently used
    # when a third is kept
    memo.keep("c-0", TEXT, grams)
    # then the least recently used went
    assert memo.grams("b-0", TEXT) is None and memo.grams("a-0", TEXT) == grams == memo.grams("c-0", TEXT)
    assert Memo(0).grams("a-0", TEXT) is None
