"""Story stage: an article's features, and the online choice of its story among candidates."""
import pytest

from tasks.stages.stories import Idf, StoryRules, Weights, add, choose, features, keys, new_summary
from tasks.stages.stories.features import BODY_TERMS, names, numbers


@pytest.fixture(scope="module")
def idf():
    return Idf.english()


CRASH_A = ("Small plane crashes near Lake Tahoe, killing four",
           "A small plane carrying four people crashed on Tuesday near Lake Tahoe, the Placer County "
           "sheriff said. The Cessna 172 had left Truckee airport shortly before 9 a.m. Investigators from "
           "the National Transportation Safety Board arrived on Wednesday.", "2019-03-12")
CRASH_A2 = ("Four killed as Cessna goes down near Lake Tahoe",
            "Four people died when their Cessna 172 crashed near Lake Tahoe shortly after taking off from "
            "Truckee, Placer County officials said on Tuesday. The National Transportation Safety Board is "
            "investigating.", "2019-03-13")
CRASH_B = ("Small plane crashes in Florida Everglades, killing two",
           "A small plane carrying two people crashed on Sunday in the Everglades west of Miami, the "
           "Miami-Dade fire department said. The Piper PA-28 had left Opa-locka airport. Investigators "
           "from the Federal Aviation Administration are on their way.", "2019-03-17")


def test_names_are_capitalised_runs_but_not_a_common_word_opening_a_sentence(idf):
    found = names("The minister met Kim Jong Un in Wonsan. Later the two sides signed a deal.", idf)
    assert "kim jong un" in found and "kim" in found and "wonsan" in found
    assert "the" not in found and "later" not in found


def test_numbers_keep_facts_and_drop_small_counts():
    assert numbers("129 people on board, 4 injured, a $2.5 bill, in 2017") == ["#129", "#2.5", "#2017"]


def test_features_are_bounded_and_normalised(idf):
    text = " ".join(f"word{i} alpha{i}" for i in range(500))
    f = features("A title", text, "2020-01-02", idf)
    assert len(f.body) <= BODY_TERMS
    assert abs(sum(w * w for w in f.body.values()) - 1.0) < 1e-6
    assert f.day == 18263


def test_the_same_event_joins_and_another_event_of_the_same_kind_does_not(idf):
    # given a story started by one report of a plane crash
    story = new_summary(features(*CRASH_A, idf))
    # then a second outlet's report of the same crash joins it
    assert choose(features(*CRASH_A2, idf), {"s": story}).story == "s"
    # and another small-plane crash elsewhere, days later, does not
    assert choose(features(*CRASH_B, idf), {"s": story}).story is None


LAWSUIT = ("Families of Tahoe crash victims sue aircraft maker",
           "Relatives of the four people killed when a Cessna went down near Lake Tahoe have filed a lawsuit in "
           "Sacramento against the manufacturer of the engine, saying a faulty fuel pump caused the crash. Their "
           "lawyer, Maria Gonzalez, told reporters the pilot had reported rough running minutes after take-off.")


def test_a_story_is_bounded_in_time(idf):
    # given a story started by a crash report
    story = new_summary(features(*CRASH_A, idf))
    # then a related report (a lawsuit over the crash) joins it within the window, not months later
    assert choose(features(*LAWSUIT, "2019-04-20", idf), {"s": story}).story == "s"
    assert choose(features(*LAWSUIT, "2019-09-01", idf), {"s": story}).story is None
    # while the same report under a later date (a crawl's or an update's) still does
    title, text, _ = CRASH_A
    assert choose(features(title, text, "2019-09-01", idf), {"s": story}).story == "s"
    # but not beyond the story's reach
    assert choose(features(title, text, "2022-01-01", idf), {"s": story}).story is None
    # and an undated report is judged on its words alone
    assert choose(features(*CRASH_A2[:2], None, idf), {"s": story}).story == "s"


def test_a_story_summary_grows_in_size_and_span_but_not_in_terms(idf):
    story = new_summary(features(*CRASH_A, idf))
    for i in range(50):
        story = add(story, features(f"Report {i}", f"Entirely different words number{i} " * 3 + CRASH_A2[1],
                                    "2019-03-20", idf))
    assert story.size == 51 and story.last_day - story.first_day == 8
    assert len(story.body) <= 240 and len(story.entities) <= 120


def test_keys_favour_names_and_title_words(idf):
    k = keys(features(*CRASH_A, idf))
    assert "tahoe" in k and "truckee" in k and len(k) <= 24


def test_keys_take_the_heaviest_terms_and_equal_weights_in_the_order_met():
    from tasks.stages.stories.features import Features
    # given vectors whose weights tie
    f = Features(body={"b1": 0.5, "b2": 0.9, "b3": 0.5, "b4": 0.5}, title={"t1": 0.2, "t2": 0.2},
                 entities={"e1": 0.1, "e2": 0.3, "e3": 0.1}, day=None)
    # when the keys are cut to four (two entities, one title term, two body terms)
    # then each part gives its heaviest, ties in the order they stand, without repeats
    assert keys(f, 4) == ["e2", "e1", "t1", "b2"]
    assert keys(f, 8) == ["e2", "e1", "e3", "t1", "t2", "b2", "b1", "b3"]


def test_a_summary_s_key_terms_are_its_keys_worked_out_once(idf):
    # given a story's summary
    story = add(new_summary(features(*CRASH_A, idf)), features(*CRASH_A2, idf))
    # when its key terms are asked for twice
    first, again = story.key_terms, story.key_terms
    # then they are its keys, the same set both times (not worked out again)
    assert first == frozenset(keys(story)) and again is first


def test_rules_read_an_article_once_for_both_decisions(idf):
    rules = StoryRules(idf, Weights())
    article = rules.read(*CRASH_A)
    assert article.features.title and article.signature and article.text == CRASH_A[1]


def test_a_linked_story_is_kept_when_it_fits_or_when_nothing_else_does(idf):
    crash, other = new_summary(features(*CRASH_A, idf)), new_summary(features(*CRASH_B, idf))
    report = features(*CRASH_A2, idf)
    # a link to a story that fits is followed even when it is not the only fit
    assert choose(report, {"a": crash, "b": other}, prefer="a").story == "a"
    # a link to a story that does not fit is followed when no other story fits
    assert choose(report, {"b": other}, prefer="b").story == "b"
    # and overridden by a story that fits
    assert choose(report, {"a": crash, "b": other}, prefer="b").story == "a"


def test_contracted_words_are_not_taken_for_rare_ones():
    from tasks.stages.stories.features import words
    assert words("They couldn't land, they're safe; Russia's plane") == ["they", "land", "they", "safe", "russia", "plane"]


def test_a_report_joined_against_its_date_does_not_stretch_the_story(idf):
    story = new_summary(features(*CRASH_A, idf))
    title, text, _ = CRASH_A
    joined = add(story, features(title, text, "2019-09-01", idf))
    assert joined.size == 2 and (joined.first_day, joined.last_day) == (story.first_day, story.last_day)
    assert add(story, features(*CRASH_A2, idf)).last_day == story.last_day + 1


def test_contractions_are_dropped_however_the_word_before_them_begins():
    from tasks.stages.stories.features import words
    # given negations after a digit, an underscore and an accented capital, and endings in a text without "n't"
    # when the words are read, then each negated auxiliary and each ending goes, and nothing else
    assert words("3couldn't 2_wasn't Élan didn't") == ["élan"]
    assert words("We’re told they'd go; I'm sure") == ["we", "told", "they", "go", "i", "sure"]


def test_full_width_and_accented_words_are_folded_as_plain_ones():
    from tasks.stages.stories.features import fold, words
    # given full-width letters and apostrophe (NFKC folds them), and a capital sharp s
    # then they read as their plain forms, as ASCII text reads lower-cased
    assert words("ＲＵＳＳＩＡ＇s ＰＬＡＮＥ") == ["russia", "plane"]
    assert fold("STRASSE ẞ") == "strasse ss" and fold("Plain ASCII") == "plain ascii"
