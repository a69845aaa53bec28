from tasks.stages import dedup
from tasks.stages.model import Match

WIRE = ("Russian Foreign Minister Sergei Lavrov on Saturday met with North Korean leader Kim Jong Un "
        "during his visit to the secretive country and key Moscow ally. Russian and North Korean state "
        "media announced the visit earlier, saying Lavrov would stay until Sunday. It is the latest in a "
        "series of high-profile trips by top Moscow officials as both countries deepen military ties.")


def test_exact_hash_ignores_case_punctuation_and_spacing():
    # given the same text with other case, punctuation and white space
    a = dedup.fingerprint(WIRE)
    b = dedup.fingerprint("  " + WIRE.upper().replace(",", " ,").replace(". ", ".\n\n"))
    # then the exact hashes agree, and differ from an edited text
    assert a.exact == b.exact
    assert a.exact != dedup.fingerprint(WIRE.replace("Saturday", "Sunday")).exact


def test_exact_match_wins():
    verdict = dedup.decide(dedup.fingerprint(WIRE), "a-0", [])
    assert (verdict.duplicate_of, verdict.kind, verdict.status) == ("a-0", "exact", "duplicate")


def filler(n: int, tag: str) -> str:
    """n words that share no 5-gram with anything else here."""
    return " ".join(f"{tag}{i}" for i in range(n))


def stored(aid: str, text: str) -> Match:
    fp = dedup.fingerprint(text)
    return Match(aid, fp.sketch, fp.size)


def test_a_text_mostly_contained_in_a_longer_one_is_a_near_duplicate():
    # given a stored article three times as long that holds 90% of the new text
    words = WIRE.split()
    fp = dedup.fingerprint(WIRE)
    old = " ".join(words[:round(len(words) * 0.9)]) + " " + filler(2 * len(words), "x")
    verdict = dedup.decide(fp, None, [stored("old-0", old)])
    # then containment makes it a duplicate although Jaccard is low
    assert verdict.duplicate_of == "old-0" and verdict.kind == "near"
    assert verdict.containment > 0.8 and verdict.jaccard < 0.35


def test_a_follow_up_reusing_a_third_is_not_a_duplicate():
    # given a stored article of the same size that shares 40% of the new text (a follow-up)
    words = WIRE.split()
    old = " ".join(words[:round(len(words) * 0.4)]) + " " + filler(round(len(words) * 0.6), "x")
    verdict = dedup.decide(dedup.fingerprint(WIRE), None, [stored("old-0", old)])
    assert verdict.duplicate_of is None


def test_small_overlap_is_not_a_duplicate():
    # given a short stored text that shares one phrase (a few 5-grams) with the new one
    old = " ".join(WIRE.split()[:7])
    verdict = dedup.decide(dedup.fingerprint(WIRE), None, [stored("old-0", old)])
    assert verdict.duplicate_of is None and verdict.status == "original"


def test_best_candidate_is_chosen():
    words = WIRE.split()
    weak = " ".join(words[:round(len(words) * 0.75)]) + " " + filler(20, "x")
    verdict = dedup.decide(dedup.fingerprint(WIRE), None, [stored("weak", weak), stored("strong", WIRE + " Ends.")])
    assert verdict.duplicate_of == "strong"
