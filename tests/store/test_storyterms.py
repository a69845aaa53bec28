"""The key terms of a batch's stories, kept inverted (tasks/store/storyterms.py)."""
from dataclasses import replace

from tasks.stages.stories import keys
from tasks.stages.stories.assign import Summary
from tasks.store import stories
from tasks.store import storyterms
from tasks.store.storyterms import StoryTerms


def ref(sid: str, touched: int, body: dict) -> stories.StoryRef:
    return stories.StoryRef(sid, Summary(body, {}, {}, 1, None, None), 1, touched)


def test_only_the_stories_holding_a_term_share_it():
    # given two stories indexed by their key terms
    terms = StoryTerms()
    terms.index(ref("s-a", 1, {"flood": 1.0, "river": 0.5}))
    terms.index(ref("s-b", 2, {"election": 1.0, "river": 0.2}))
    # when articles look them up by terms
    # then each finds the stories holding one of its terms, and no other
    assert terms.sharing({"flood"}) == {"s-a"}
    assert terms.sharing({"river", "vote"}) == {"s-a", "s-b"}
    assert terms.sharing({"vote"}) == set()


def test_a_story_changed_is_found_by_its_new_terms_only():
    # given a story indexed, then changed so that one term gives way to another
    terms = StoryTerms()
    old = ref("s-a", 1, {"flood": 1.0, "river": 0.5})
    terms.index(old)
    new = replace(old, summary=replace(old.summary, body={"flood": 1.0, "dam": 0.9}), touched=2)
    terms.index(new)
    # then it is found by its terms as of its new version, not by the term it lost
    assert terms.of(new) == set(keys(new.summary))
    assert terms.sharing({"dam"}) == {"s-a"} and terms.sharing({"river"}) == set()
    assert terms.hash("dam") == stories.key_hash("dam")


def test_term_hashes_outlive_a_batch_and_stay_bounded(monkeypatch):
    # given the hashes one batch's terms worked out, kept by the writer for the next batch
    kept: dict[str, int] = {}
    StoryTerms(hashes=kept).hash("flood")
    calls = []
    monkeypatch.setattr(stories, "key_hash", lambda term: calls.append(term) or 7)
    monkeypatch.setattr(storyterms, "HASHES", 2)
    # when the next batch hashes the same term, then two new ones past the bound of two
    later = StoryTerms(hashes=kept)
    known = later.hash("flood")
    later.hash("dam"), later.hash("river")
    # then the known term is not hashed again, and the writer keeps no more than the bound
    assert calls == ["dam", "river"] and known != 7 and len(kept) <= 2
