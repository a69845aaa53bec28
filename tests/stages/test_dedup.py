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


def test_sample_is_consistent_and_about_a_quarter_of_the_shingles():
    fp = dedup.fingerprint(WIRE)
    n_shingles = len(dedup.tokens(WIRE)) - dedup.SHINGLE + 1
    assert fp == dedup.fingerprint(WIRE)
    assert 0.1 * n_shingles < len(fp.sample) < 0.45 * n_shingles


def test_exact_match_wins():
    verdict = dedup.decide(dedup.fingerprint(WIRE), "a-0", [])
    assert (verdict.duplicate_of, verdict.kind, verdict.status) == ("a-0", "exact", "duplicate")


def test_a_text_mostly_contained_in_a_longer_one_is_a_near_duplicate():
    # given a stored article three times as long that holds 90% of the new text
    fp = dedup.fingerprint(WIRE)
    size = len(fp.sample)
    verdict = dedup.decide(fp, None, [Match("old-0", round(size * 0.9), size * 3)])
    # then containment makes it a duplicate although Jaccard is low
    assert verdict.duplicate_of == "old-0" and verdict.kind == "near"
    assert verdict.containment > 0.85 and verdict.jaccard < 0.35


def test_a_follow_up_reusing_a_third_is_not_a_duplicate():
    # given a stored article of the same size that shares 40% of the new text (a follow-up)
    fp = dedup.fingerprint(WIRE)
    size = len(fp.sample)
    verdict = dedup.decide(fp, None, [Match("old-0", round(size * 0.4), size)])
    assert verdict.duplicate_of is None


def test_small_overlap_is_not_a_duplicate():
    fp = dedup.fingerprint(WIRE)
    verdict = dedup.decide(fp, None, [Match("old-0", 2, len(fp.sample))])
    assert verdict.duplicate_of is None and verdict.status == "original"


def test_best_candidate_is_chosen():
    fp = dedup.fingerprint(WIRE)
    n = len(fp.sample)
    verdict = dedup.decide(fp, None, [Match("weak", round(n * 0.75), n), Match("strong", n, n)])
    assert verdict.duplicate_of == "strong"
