"""bench/eval_topics.py: slices, the cleaned mode and the adapted figure, on hand-written items."""
import hashlib
import importlib.util
from pathlib import Path

from tasks.stages.topics import DEFAULT

_spec = importlib.util.spec_from_file_location(
    "eval_topics", Path(__file__).resolve().parents[2] / "bench" / "eval_topics.py")
eval_topics = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(eval_topics)

MATCH = ("Cup final ends in a late winner\n\nThe striker scored twice as the home team won the cup final "
         "in front of a full stadium, and the coach praised a defence that held firm until the whistle.")


def test_given_ids_then_held_follows_the_sha256_rule():
    for i in range(20):
        expected = int(hashlib.sha256(str(i).encode()).hexdigest(), 16) % 5 == 0
        assert eval_topics.held({"id": i}) == expected


def test_given_a_dump_text_then_cleaned_gives_the_title_and_body_the_product_classifies():
    title, body = eval_topics.cleaned({"id": "a", "text": MATCH})
    assert title == "Cup final ends in a late winner" and body.startswith("The striker scored twice")
    assert eval_topics.cleaned({"id": "b", "text": ""}) is None          # no article: a miss


def test_given_a_miss_then_score_counts_it_wrong_and_per_label_recall_shows_it():
    docs = [{"id": "a", "label": "sport", "text": MATCH}, {"id": "b", "label": "sport", "text": ""}]
    found = {d["id"]: eval_topics.cleaned(d) for d in docs}
    acc, recalls, misses = eval_topics.score(docs, lambda d: DEFAULT.classify(*found[d["id"]]) if found[d["id"]] else [])
    assert acc == 0.5 and recalls == {"sport": 0.5} and [d["id"] for d, _ in misses] == ["b"]


def test_given_too_few_confident_items_then_adapted_is_the_lexicon_alone():
    docs = [{"id": str(i), "label": "sport", "text": MATCH} for i in range(3)]
    assert eval_topics.adapted(docs, {d["id"]: eval_topics.cleaned(d) for d in docs}) is DEFAULT
