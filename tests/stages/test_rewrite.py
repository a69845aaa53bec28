"""Rewrites: the same facts in the same order, reworded, and not the same event retold."""
import pytest

from tasks.stages.clean import clean
from tasks.stages.stories import Idf, Member, StoryRules
from tasks.stages.stories.rewrite import compare, is_rewrite, sentences
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def rules():
    return StoryRules(Idf.english())


@pytest.fixture(scope="module")
def seed(rules):
    def read(prefix):
        path = next(SEEDS.glob(prefix + "_*"))
        ex = clean(path.read_bytes(), path.name)[0]
        return ex, rules.read(ex.title, ex.text, ex.published)
    return read


def test_seed_002_rewords_seed_000(rules, seed):
    ex000, _ = seed("000")
    _, a002 = seed("002")
    found = rules.rewrite(a002, [Member("000", "s-000", ex000.text, rules.read(None, ex000.text, None).signature)])
    assert found is not None and found.article_id == "000" and found.story_id == "s-000"


@pytest.mark.parametrize("other", ["003", "004"])
def test_other_reports_of_the_same_event_are_not_rewrites(rules, seed, other):
    ex000, a000 = seed("000")
    ex, a = seed(other)
    assert not is_rewrite(sentences(ex.text, rules.idf), sentences(ex000.text, rules.idf))
    assert rules.rewrite(a, [Member("000", "s", ex000.text, a000.signature)]) is None


def test_a_follow_up_that_copies_some_paragraphs_is_not_a_rewrite(rules, seed):
    # given a follow-up that reuses a third of 000 word for word and adds its own news
    ex000, _ = seed("000")
    kept = ex000.paragraphs[:4]
    new = ("Officials in Seoul said on Monday that they were watching the talks closely.",
           "The South Korean defence ministry raised its alert level along the border after the meeting.",
           "Analysts in Tokyo expect further visits by Russian delegations before the end of the year.",
           "Japan's chief cabinet secretary called the exchanges a threat to the region's security.",
           "Washington has imposed new sanctions on three shipping firms accused of moving arms.",
           "Beijing declined to comment on the talks when asked by reporters in the capital.",
           "Markets in the region were little changed after the reports of the meeting.")
    follow = sentences("\n\n".join(kept + new), rules.idf)
    assert not is_rewrite(follow, sentences(ex000.text, rules.idf))


def test_verbatim_copies_do_not_count_as_reworded(rules):
    text = ("The council approved the budget on Monday after a long debate. Opposition members walked out "
            "in protest against the cuts to libraries. The mayor said the savings were unavoidable this year. "
            "Unions have called a strike for next week.")
    a = sentences(text, rules.idf)
    assert compare(a, a).aligned == 0 and not is_rewrite(a, a)


def test_too_short_texts_are_never_rewrites(rules):
    a = sentences("Floods hit the valley town. Roads were closed.", rules.idf)
    b = sentences("The valley town was hit by floods. The roads were shut.", rules.idf)
    assert not is_rewrite(a, b)


def test_a_signature_compares_as_the_plain_mapping_it_was_stored_as():
    import json
    import pickle

    from tasks.stages.stories.rewrite import Signature, close_enough, signature
    # given a signature, and the same terms read back from the store as a plain dict
    sig = signature({"missile": 0.8, "launch": 0.5, "korea": 0.3, "test": 0.1})
    stored = json.loads(json.dumps(sig))
    near = {"missile": 0.7, "launch": 0.6, "seoul": 0.4}
    far = {"football": 1.0, "launch": 0.1}
    # then its norm is the plain one, and every comparison agrees whichever form each side has
    assert isinstance(sig, Signature) and sig == stored and sig.norm == sum(w * w for w in stored.values()) ** 0.5
    for other in (near, far, stored, {}):
        assert close_enough(sig, other) == close_enough(stored, other) == close_enough(Signature(other), stored)
    assert close_enough(sig, near) and not close_enough(sig, far) and not close_enough(sig, stored)
    # and it travels between processes whole
    assert pickle.loads(pickle.dumps(sig)) == sig and pickle.loads(pickle.dumps(sig)).norm == sig.norm
