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


# The rule for composite texts (verdict.py): a story told in eight paragraphs, another story,
# and a page's furniture, all invented for these tests.
STORY = [
    "The regional water board approved a plan on Tuesday to replace forty kilometres of ageing "
    "pipes under the old town, a project engineers say will cut leaks by half within five years.",
    "Work is due to start in the spring and will close two main streets for several weeks at a "
    "time, the board said in a statement published after a three-hour meeting.",
    "Residents have complained for years about brown water and sudden drops in pressure, and a "
    "survey last autumn found that one house in six had lost supply at least once a month.",
    "The board's chair told reporters that the cost would be shared between a national grant and "
    "a small rise in household bills, spread over the next decade to soften the impact.",
    "Opposition councillors welcomed the decision but asked why the work had been delayed for so "
    "long, pointing to a report from eight years ago that had already flagged the worst sections.",
    "Shop owners on the affected streets asked for compensation during the closures, saying that "
    "many small businesses were still recovering from a difficult winter season.",
    "Engineers plan to use a trenchless method on the narrowest lanes, pulling new lining through "
    "the old pipes so that the historic paving does not have to be lifted.",
    "A public meeting to present the timetable will be held next month in the town library, where "
    "maps of each phase of the works will be on display for residents to consult.",
]
OTHER = [
    "Farmers in the northern valleys began the grape harvest two weeks earlier than usual after a "
    "summer of record heat, and several growers said the yield would be the smallest in a decade.",
    "Cooperative managers said sugar levels were high but the berries were small, and some vines "
    "on south-facing slopes had been scorched by the August heatwave before picking could begin.",
    "Seasonal workers arrived from neighbouring regions in larger numbers than last year, drawn by "
    "a new housing scheme that offers beds in converted farm buildings at a subsidised rate.",
    "Wine merchants warned that prices for the coming vintage were likely to rise, although stocks "
    "from two generous years before should cushion the effect on shop shelves for a while.",
    "Agricultural researchers at the provincial institute are testing drought-tolerant rootstocks "
    "on experimental plots and expect the first results to be published late next year.",
    "The harvest festival in the main square will go ahead as planned at the end of the month, the "
    "organisers said, with tastings, a parade of decorated carts and a concert on the last night.",
    "Local officials said they would ask the national government for emergency support for the "
    "growers who lost most of their crop, and promised a decision before the end of the year.",
    "Some families who have worked the same terraces for generations said they were considering "
    "switching part of their land to olives, which cope better with long dry spells.",
    "A meeting between growers and the regional agriculture office is planned for next week to "
    "discuss irrigation quotas for the coming year and the state of the reservoirs in the hills.",
    "Tourism operators reported a record number of bookings for vineyard tours this autumn, "
    "despite the smaller harvest, and said visitors were staying longer than in previous years.",
]
FURNITURE = ["Home | News | Local | Business | Sport | Weather | Contact us",
             "Share this article on social media. Sign up to receive our daily newsletter by email.",
             "All rights reserved. Reproduction without written permission is prohibited."]


def _verdict_of(new: list[str], stored: list[str]):
    """The verdict for a new text against one stored text, through the fingerprints."""
    old = dedup.fingerprint("\n\n".join(stored))
    return dedup.decide(dedup.fingerprint("\n\n".join(new)), None, [Match("old-0", old.sketch, old.size)])


def test_a_follow_up_that_holds_the_whole_stored_story_and_more_of_its_own_is_not_a_duplicate():
    # given a stored brief, and a new article that recaps all of it after far more new material
    brief = STORY[:4]
    follow_up = OTHER + brief
    # when the follow-up is judged against the stored brief
    verdict = _verdict_of(follow_up, brief)
    # then it is another article, although the whole story stands in it
    assert verdict.duplicate_of is None


def test_a_copy_padded_with_page_furniture_is_a_duplicate():
    # given a stored story, and a copy of it with a site's navigation, share line and footer
    padded = FURNITURE[:1] + STORY + FURNITURE[1:]
    # then it is a near duplicate of the stored story
    verdict = _verdict_of(padded, STORY)
    assert (verdict.duplicate_of, verdict.kind) == ("old-0", "near")


def test_a_truncated_copy_is_a_duplicate():
    # given a stored story, and a republished copy that keeps its first three paragraphs
    verdict = _verdict_of(STORY[:3], STORY)
    # then it is a near duplicate of the story
    assert verdict.duplicate_of == "old-0"


def test_a_short_text_contained_in_a_longer_stored_one_is_a_duplicate():
    # given a stored text that holds a story and more, and the story alone arriving later
    verdict = _verdict_of(STORY, STORY + OTHER[:5])
    # then the story is a duplicate of the longer text it stands in
    assert verdict.duplicate_of == "old-0"


def test_a_single_paragraph_quoted_from_a_long_stored_text_is_not_a_duplicate():
    # given a long stored text, and a new text that is one of its paragraphs
    verdict = _verdict_of(STORY[3:4], STORY + OTHER)
    # then it is a quoted passage, not a copy
    assert verdict.duplicate_of is None


def test_the_rule_on_overlap_values():
    from tasks.stages.dedup.verdict import is_near
    from tasks.stages.model import Overlap
    # a composite: all of the stored text is in the new one, which is 3.5 times as long
    assert not is_near(Overlap(new_in_old=0.28, old_in_new=1.0, jaccard=0.28))
    # a padded copy: a fifth of the new text is furniture
    assert is_near(Overlap(new_in_old=0.8, old_in_new=1.0, jaccard=0.8))
    # an extractor kept the page's furniture: the article is half of the new text
    assert is_near(Overlap(new_in_old=0.5, old_in_new=1.0, jaccard=0.5))
    # 001 against 000 (the seeds): paragraphs added and trimmed
    assert is_near(Overlap(new_in_old=0.56, old_in_new=0.64, jaccard=0.43))
    # a short text 90% inside a stored one three times as long
    assert is_near(Overlap(new_in_old=0.9, old_in_new=0.3, jaccard=0.29))
    # a same-site article reusing a third of an earlier one
    assert not is_near(Overlap(new_in_old=0.4, old_in_new=0.4, jaccard=0.25))
