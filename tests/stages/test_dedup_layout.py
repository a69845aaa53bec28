"""Where two overlapping texts differ tells a copy from another article built around it
(tasks/stages/dedup/layout.py), and the verdict uses it for the candidates it reads in full."""
from dataclasses import replace

from tasks.stages import dedup
from tasks.stages.dedup import layout
from tasks.stages.dedup.sketch import grams
from tasks.stages.model import Match


def paragraphs(n: int, tag: str, words: int = 30) -> list[str]:
    """n paragraphs of prose that share no 5-gram with anything else here."""
    return [" ".join(f"{tag}{p}w{i}" for i in range(words)) for p in range(n)]


STORY = paragraphs(8, "story")
FURNITURE = ["Share this article", "Read more about the region here today",
             "Sign up for our newsletter now please", "Advertisement"]


def text(parts: list[str]) -> str:
    return "\n\n".join(parts)


def composite(new: list[str], old: list[str]) -> bool:
    a, b = text(new), text(old)
    return layout.composite(a, b, grams(a), grams(b))


def test_a_copy_with_furniture_lines_is_not_a_composite():
    # given the story with short furniture lines at its edges and between its paragraphs
    padded = FURNITURE[:2] + STORY[:4] + FURNITURE[2:] + STORY[4:] + FURNITURE
    # then its layout is a copy's, whichever arrives first
    assert not composite(padded, STORY)
    assert not composite(STORY, padded)


def test_a_truncated_copy_and_a_copy_missing_a_paragraph_are_not_composites():
    # given the story's first half, and the story without its third paragraph
    assert not composite(STORY[:4], STORY)
    assert not composite(STORY[:2] + STORY[3:], STORY)
    assert not composite(STORY, STORY[:2] + STORY[3:])


def test_a_follow_up_with_a_block_of_its_own_prose_inside_the_story_is_a_composite():
    # given a text holding the whole story with four paragraphs of other prose after its lead
    follow_up = STORY[:1] + paragraphs(4, "recap") + STORY[1:]
    # then it interleaves two articles, whichever of the two arrives first
    assert composite(follow_up, STORY)
    assert composite(STORY, follow_up)


def test_a_passage_from_the_middle_of_a_long_article_is_a_composite():
    # given a long article whose shared paragraphs come after a long lead of its own
    longer = paragraphs(5, "lead") + STORY[:5]
    # then the shorter is a passage from its middle, not a trimmed copy (which keeps the lead)
    assert composite(STORY[:5], longer)
    assert not composite(STORY[:5], STORY)
    # and a copy under a headline of its own (one line of prose) keeps its original's lead
    assert not composite(STORY[:5], paragraphs(1, "headline", 20) + STORY)


def test_two_texts_that_both_go_on_with_their_own_prose_after_a_shared_passage_have_diverged():
    # given two articles that share the story's first five paragraphs, then each goes on
    one = STORY[:5] + paragraphs(3, "one")
    two = STORY[:5] + paragraphs(3, "two")
    # then neither is a truncated copy of the other
    assert composite(one, two)
    # while a truncated copy stops where its original goes on
    assert not composite(STORY[:5], one)


def verdict(new: list[str], old: list[str], with_texts: bool = True):
    a, b = text(new), text(old)
    fp, ofp = dedup.fingerprint(a), dedup.fingerprint(b)
    match = Match("old-0", ofp.sketch, ofp.size)
    if with_texts:
        fp = replace(fp, grams=grams(a), text=a)
        match = replace(match, grams=grams(b), text=b)
    return dedup.decide(fp, None, [match])


def test_the_verdict_keeps_a_follow_up_apart_when_it_reads_both_texts():
    # given a stored story and a new text holding it with three paragraphs of its own inside
    follow_up = STORY[:1] + paragraphs(3, "recap") + STORY[1:]
    # then containment and Jaccard alone would link it, the layout does not
    assert verdict(follow_up, STORY, with_texts=False).duplicate_of == "old-0"
    assert verdict(follow_up, STORY).duplicate_of is None
    # and a padded copy of the story is still linked
    padded = FURNITURE + STORY + FURNITURE
    assert verdict(padded, STORY).duplicate_of == "old-0"


def test_lines_inside_the_shared_ones_that_another_text_holds_are_lent():
    # given a new text that is the story with one paragraph of another article after its lead
    other = paragraphs(4, "other")
    woven = STORY[:1] + other[1:2] + STORY[1:]
    new, old, lender = text(woven), grams(text(STORY)), grams(text(other))
    # then that paragraph was lent by the other article
    assert layout.lent(new, old, lender)
    # but not by a text that does not hold it, and not at the edges, where copies lose material
    assert not layout.lent(new, old, grams(text(paragraphs(4, "unrelated"))))
    assert not layout.lent(text(other[1:2] + STORY), old, lender)
    assert not layout.lent(text(STORY + other[1:2]), old, lender)


def verdict_among(new: list[str], stored: dict[str, list[str]]):
    """The verdict for `new` against stored texts all re-read in full, in the given order."""
    fp = dedup.fingerprint(text(new))
    fp = replace(fp, grams=grams(text(new)), text=text(new))
    matches = []
    for aid, parts in stored.items():
        sfp = dedup.fingerprint(text(parts))
        matches.append(Match(aid, sfp.sketch, sfp.size, grams(text(parts)), text(parts)))
    return dedup.decide(fp, None, matches)


def test_a_story_with_one_paragraph_borrowed_from_another_stored_article_is_not_its_copy():
    # given a stored story, and a stored earlier report that shares nothing with it
    earlier = paragraphs(6, "earlier", 40)
    # when a text arrives that is the story with one of the report's paragraphs woven in
    follow_up = STORY[:2] + earlier[2:3] + STORY[2:]
    # then it is two articles interleaved, not the story edited: it is nobody's duplicate
    assert verdict_among(follow_up, {"story": STORY, "earlier": earlier}).duplicate_of is None
    # while without the report in the store, one added paragraph reads as an editor's (rule 4
    # needs several), and the same text is the story's copy
    assert verdict_among(follow_up, {"story": STORY}).duplicate_of == "story"


def test_a_copy_is_linked_though_another_stored_text_holds_what_its_stored_copy_lost():
    # given a stored copy of the story that lost its fourth paragraph, and a stored follow-up
    # that borrowed that paragraph (and its neighbours) from the story
    dropped = STORY[:3] + STORY[4:]
    borrower = paragraphs(3, "borrower") + STORY[2:5]
    # when the full story arrives
    verdict = verdict_among(STORY, {"dropped": dropped, "borrower": borrower})
    # then it is the copy's duplicate: the borrower shares the story's text, so it lent nothing
    assert verdict.duplicate_of == "dropped"


def test_a_longer_copy_is_linked_though_a_stored_text_holds_the_tail_its_truncated_copy_lacks():
    # given a stored truncated copy of the story, and a stored article that borrowed its tail
    truncated = STORY[:4]
    borrower = paragraphs(4, "borrower") + STORY[6:]
    # when the full story arrives, its tail lies beyond the shared lines, where copies lose text
    assert verdict_among(STORY, {"truncated": truncated, "borrower": borrower}).duplicate_of == "truncated"


def stored_with_lenders(parts: list[str], lenders: list[list[str]]) -> Match:
    """A stored text re-read in full, with the texts stored before it that share a passage with it."""
    fp = dedup.fingerprint(text(parts))
    return Match("stored", fp.sketch, fp.size, grams(text(parts)), text(parts),
                 tuple(grams(text(x)) for x in lenders))


def verdict_against(new: list[str], stored: Match):
    fp = dedup.fingerprint(text(new))
    return dedup.decide(replace(fp, grams=grams(text(new)), text=text(new)), None, [stored])


def test_a_story_is_not_the_copy_of_a_stored_text_that_wove_another_articles_passage_into_it():
    # given an earlier report, and a stored text that is the story with two of its paragraphs woven in
    earlier = paragraphs(6, "earlier", 40)
    woven = STORY[:2] + earlier[2:4] + STORY[2:]
    # when the story itself arrives: it is inside the stored text, as a copy that lost a passage
    # then, with the report among the stored text's lenders, the passage it lacks is the report's:
    # the stored text is two articles interleaved, not the story's longer original
    assert verdict_against(STORY, stored_with_lenders(woven, [earlier])).duplicate_of is None
    # while without a lender, the same pair reads as a copy that lost two paragraphs
    assert verdict_against(STORY, stored_with_lenders(woven, [])).duplicate_of == "stored"


def test_a_trimmed_copy_is_linked_though_a_stored_text_borrowed_what_it_lacks():
    # given the stored story, and a stored article that borrowed its tail, another its middle
    tail = paragraphs(4, "tail") + STORY[6:]
    middle = paragraphs(4, "middle") + STORY[2:5]
    # when a truncated copy arrives, and a copy without its fourth paragraph
    truncated = verdict_against(STORY[:4], stored_with_lenders(STORY, [tail]))
    dropped = verdict_against(STORY[:3] + STORY[4:], stored_with_lenders(STORY, [middle]))
    # then both are the story's copies: a copy's lost tail lies beyond the shared lines, and a
    # lender that shares the copy's own text (the middle's neighbours) is no evidence
    assert truncated.duplicate_of == "stored" and dropped.duplicate_of == "stored"


def test_lines_of_another_text_on_both_sides_of_the_shared_ones_are_lent():
    # given a new text that is the story between another article's lead and the rest of it
    other = paragraphs(4, "other")
    wrapped = other[:1] + STORY + other[1:3]
    new, old, lender = text(wrapped), grams(text(STORY)), grams(text(other))
    # then the other article lent what the new text has beyond the story
    assert layout.lent(new, old, lender)
    # but furniture lines that another page of the site shares, at both edges, were lent by nobody
    padded = text(FURNITURE + STORY + FURNITURE)
    assert not layout.lent(padded, old, grams(text(FURNITURE + paragraphs(4, "page"))))


def test_a_follow_up_that_quotes_the_story_between_its_own_paragraphs_is_not_its_copy():
    # given a stored story, and a stored article that shares nothing with it
    other = paragraphs(6, "other", 40)
    # when a text arrives that quotes the whole story between that article's lead and its rest
    follow_up = other[:1] + STORY + other[1:3]
    # then it is that article quoting the story, not the story with paragraphs added
    assert verdict_among(follow_up, {"story": STORY, "other": other}).duplicate_of is None
    # while without the article in the store, the same text reads as the story's padded copy
    assert verdict_among(follow_up, {"story": STORY}).duplicate_of == "story"


def test_a_story_is_not_the_copy_of_a_stored_text_that_quotes_it_inside_another_article():
    # given an earlier article, and a stored text that is the story inside two of its paragraphs
    earlier = paragraphs(6, "earlier", 40)
    wrapped = earlier[:1] + STORY + earlier[1:2]
    # when the story itself arrives: it is inside the stored text, as a copy that lost its edges
    # then, with the article among the stored text's lenders, the stored text is that article
    # quoting the story, not the story's longer original
    assert verdict_against(STORY, stored_with_lenders(wrapped, [earlier])).duplicate_of is None
    assert verdict_against(STORY, stored_with_lenders(wrapped, [])).duplicate_of == "stored"


def items(n: int, tag: str) -> list[str]:
    """n lines of a list (dates, a table's rows): six words each, sharing no 5-gram with anything here."""
    return [" ".join(f"{tag}{i}x{k}" for k in range(6)) for i in range(n)]


def test_a_follow_up_with_a_long_list_of_its_own_inside_the_story_is_a_composite():
    # given a text holding the whole story with a list of its own after the lead
    # (as a page that sets "June 9 -- Coral Sky Amphitheatre, West Palm Beach, FL" and a dozen more dates)
    follow_up = STORY[:1] + items(12, "date") + STORY[1:]
    # then it interleaves two articles, whichever arrives first
    assert composite(follow_up, STORY)
    assert composite(STORY, follow_up)
    # while a few short lines inside the story are a copy's furniture (an ad label, a link)
    assert not composite(STORY[:1] + items(3, "ad") + STORY[1:], STORY)


def test_a_text_inside_a_longer_one_after_a_long_list_of_its_own_is_a_passage_of_it():
    # given a longer text whose shared paragraphs come after a long run of short lines of its own
    longer = items(16, "line") + STORY[:3]
    # then the shorter is a passage from its middle, not a trimmed copy (which keeps the lead)
    assert composite(STORY[:3], longer)
    # while a few furniture lines at the head leave it a copy
    assert not composite(STORY[:3], FURNITURE + STORY[:3])


def test_two_texts_that_each_have_prose_of_their_own_before_and_after_a_shared_passage_have_diverged():
    # given a follow-up (its lead, three of the story's paragraphs, its own close) and a
    # truncated copy of the story (its first five paragraphs)
    follow_up = paragraphs(1, "lead") + STORY[1:4] + paragraphs(1, "close")
    # then neither is inside the other as a copy: each has prose the other lacks at both ends
    assert composite(STORY[:5], follow_up)
    # while a copy that lost its first and last paragraphs has nothing of its own at either end
    assert not composite(STORY[1:7], STORY)


def sketch_only(aid: str, parts: list[str]) -> Match:
    """A stored text the store did not re-read: its sketch and size alone."""
    fp = dedup.fingerprint(text(parts))
    return Match(aid, fp.sketch, fp.size)


def test_lines_that_a_lender_known_only_by_its_sketch_holds_are_lent():
    # given a long earlier report (more 5-grams than its sketch keeps) and the story with two
    # of its paragraphs woven in after the lead
    earlier = paragraphs(6, "earlier", 40)
    lender = dedup.fingerprint(text(earlier))
    assert lender.size > len(lender.sketch)
    woven = text(STORY[:1] + earlier[2:4] + STORY[1:])
    old = grams(text(STORY))
    # then its sketch's sample of the woven lines says the report lent them
    assert layout.lent_sampled(woven, old, lender.sketch, lender.size)
    # but an unrelated text's sketch does not, nor the report's when its lines are at one edge only
    unrelated = dedup.fingerprint(text(paragraphs(6, "unrelated", 40)))
    assert not layout.lent_sampled(woven, old, unrelated.sketch, unrelated.size)
    assert not layout.lent_sampled(text(STORY + earlier[2:4]), old, lender.sketch, lender.size)


def test_a_follow_up_is_kept_apart_by_a_lender_the_store_did_not_re_read():
    # given a stored story re-read in full, and a stored earlier report the store only looked up
    earlier = paragraphs(6, "earlier", 40)
    story = dedup.fingerprint(text(STORY))
    read = Match("story", story.sketch, story.size, grams(text(STORY)), text(STORY))
    # when a text arrives that is the story with one of the report's paragraphs woven in
    follow_up = text(STORY[:2] + earlier[2:3] + STORY[2:])
    fp = replace(dedup.fingerprint(follow_up), grams=grams(follow_up), text=follow_up)
    # then the report's sketch shows the paragraph is its own: the text is nobody's duplicate
    assert dedup.decide(fp, None, [read, sketch_only("earlier", earlier)]).duplicate_of is None
    # while a report that shares nothing with it leaves the text the story's copy
    other = paragraphs(6, "other", 40)
    assert dedup.decide(fp, None, [read, sketch_only("other", other)]).duplicate_of == "story"


def test_a_candidate_the_store_did_not_re_read_is_not_linked_on_its_estimate_when_others_were():
    # given a follow-up holding the story with three paragraphs of its own inside it, the stored
    # story re-read in full, and a stored copy of the story the store only looked up
    follow_up = text(STORY[:1] + paragraphs(3, "recap") + STORY[1:])
    story = dedup.fingerprint(text(STORY))
    read = Match("story", story.sketch, story.size, grams(text(STORY)), text(STORY))
    unread = sketch_only("copy", STORY)
    fp = dedup.fingerprint(follow_up)
    # when the store counted the closest exactly, the layout keeps the follow-up apart from the
    # story, and the copy it did not re-read is not taken on its sketch's estimate
    counted = replace(fp, grams=grams(follow_up), text=follow_up)
    assert dedup.decide(counted, None, [read, unread]).duplicate_of is None
    # while with nothing counted exactly (no text re-read), the estimate decides, as before
    assert dedup.decide(fp, None, [sketch_only("story", STORY), unread]).duplicate_of in {"story", "copy"}


def test_the_verdict_lays_out_the_new_text_once_however_many_candidates_may_have_lent_it(monkeypatch):
    # given the story re-read in full, a text that is the story with a furniture line, and ten
    # stored reports the store only looked up, none of which lent it anything
    story = dedup.fingerprint(text(STORY))
    read = Match("story", story.sketch, story.size, grams(text(STORY)), text(STORY))
    copy = text(STORY[:4] + FURNITURE[1:2] + STORY[4:])
    fp = replace(dedup.fingerprint(copy), grams=grams(copy), text=copy)
    reports = [sketch_only(f"report{i}", paragraphs(6, f"report{i}x", 40)) for i in range(10)]
    laid_out = []
    real = layout.lines
    monkeypatch.setattr(layout, "lines", lambda t: laid_out.append(t) or real(t))
    monkeypatch.setattr(dedup.verdict, "lines", layout.lines)
    # when the verdict asks each report whether it lent the copy what the story lacks
    verdict = dedup.decide(fp, None, [read] + reports)
    # then the copy is the story's, and each text was split into lines and hashed once
    assert verdict.duplicate_of == "story"
    assert sorted(laid_out) == sorted([copy, text(STORY)])
    # and what it has beyond the story is judged as the text is, whichever way it is asked
    beyond = layout.Beyond(copy, read.grams)
    for r in reports + [sketch_only("story", STORY)]:
        assert beyond.lent_sampled(r.sketch, r.size) == layout.lent_sampled(copy, read.grams, r.sketch, r.size)
    assert beyond.lent(grams(text(FURNITURE))) == layout.lent(copy, read.grams, grams(text(FURNITURE)))


def test_a_candidate_estimated_before_is_not_estimated_again(monkeypatch):
    # given a text, a stored copy known by its sketch, and that pair's overlap worked out already
    copy = sketch_only("copy", STORY[:6])
    fp = dedup.fingerprint(text(STORY))
    estimates = {("copy", copy.sketch): dedup.overlap(fp, copy)}
    counted = []
    real = dedup.verdict.overlap
    monkeypatch.setattr(dedup.verdict, "overlap", lambda a, b: counted.append(b.article_id) or real(a, b))
    # when the verdict is given it, then it is not worked out again, and the verdict is the same
    assert dedup.decide(fp, None, [copy], estimates=estimates) == dedup.decide(fp, None, [copy])
    assert counted == ["copy"]
