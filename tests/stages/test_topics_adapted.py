"""The lexicon helped by a self-trained model: who answers, and when a model is (re)fitted."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasks.stages.model import Topic
from tasks.stages.topics import DEFAULT, load_classifier
from tasks.stages.topics.adapted import AdaptedClassifier, classify_traced, needs_fit
from tasks.stages.topics.trained import save
from tasks.stages.topics.training import confident_records, train

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "topics" / "labelled.jsonl"


class Fixed:
    """A classifier that always answers the same (stands in for the lexicon's verdicts)."""

    def __init__(self, name: str, topics: list[Topic]):
        self.name, self.topics, self.languages = name, topics, frozenset({"en"})

    def classify(self, title, text):
        return list(self.topics)


@pytest.fixture(scope="module")
def model():
    records = [json.loads(line) for line in FIXTURE.read_text(encoding="utf8").splitlines() if line.strip()]
    return train(records)


def test_given_a_confident_lexicon_label_then_the_lexicon_answers(model):
    clf = AdaptedClassifier(Fixed("lexicon", [Topic("sport", 0.7)]), model)
    assert clf.classify_traced(None, "Shares rose as profit beat forecasts.") == ([Topic("sport", 0.7)], "lexicon")


def test_given_an_unsure_lexicon_label_the_model_knows_then_the_model_answers(model):
    clf = AdaptedClassifier(Fixed("lexicon", [Topic("sport", 0.69)]), model)
    topics, name = clf.classify_traced(None, "Shares rose as profit beat forecasts and the bank cut rates.")
    assert name == model.name and topics == model.classify(None, "Shares rose as profit beat forecasts "
                                                                 "and the bank cut rates.")
    assert clf.name == f"lexicon+{model.name}"


def test_given_an_unsure_label_the_model_never_learned_then_the_model_answers_from_what_it_knows(model):
    clf = AdaptedClassifier(Fixed("lexicon", [Topic("weather", 0.3)]), model)
    topics, name = clf.classify_traced(None, "The striker scored a goal in the rain.")
    assert name == model.name and topics[0].label in model.labels


def test_given_no_lexicon_topic_then_the_model_answers(model):
    clf = AdaptedClassifier(Fixed("lexicon", []), model)
    assert clf.classify_traced(None, "The striker scored a goal.")[1] == model.name


def test_given_a_plain_classifier_then_the_trace_is_its_name():
    assert classify_traced(DEFAULT, None, "The striker scored twice and the team won the match.")[1] == DEFAULT.name


def test_given_an_adapted_model_file_then_the_pipeline_loads_the_lexicon_with_it(model, tmp_path):
    save(model, tmp_path / "topics-adapted.npz")
    clf = load_classifier(tmp_path / "topics.npz", tmp_path / "topics-adapted.npz")
    assert isinstance(clf, AdaptedClassifier) and clf.base is DEFAULT
    # the user's own model wins over the self-trained one
    save(model, tmp_path / "topics.npz")
    assert load_classifier(tmp_path / "topics.npz", tmp_path / "topics-adapted.npz").name == model.name


def test_a_model_is_fitted_once_enough_is_stored_and_again_when_the_store_grew_by_half(model):
    assert not needs_fit(None, 499, 500)
    assert needs_fit(None, 500, 500)
    model.seen = 1000
    assert not needs_fit(model, 1499, 500)
    assert needs_fit(model, 1500, 500)


def test_confident_records_leave_out_rare_labels_and_other_classifiers_guesses():
    stored = [{"id": str(i), "text": "t", "classifier": "lexicon", "topics": [{"label": "sport", "score": 0.9}]}
              for i in range(3)]
    stored += [{"id": "h", "text": "t", "classifier": "lexicon", "topics": [{"label": "health", "score": 0.9}]},
               {"id": "m", "text": "t", "classifier": "trained-1", "topics": [{"label": "sport", "score": 0.9}]}]
    records = confident_records(stored, 0.6, frozenset({"en"}), min_per_label=2, classifiers=frozenset({"lexicon"}))
    assert [r["id"] for r in records] == ["0", "1", "2"]
