"""The user-trained classifier: train, classify, save/load, evaluate."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tasks.errors import ModelError
from tasks.stages.model import Topic
from tasks.stages.topics import load_classifier
from tasks.stages.topics.evaluation import evaluate, record_labels, split
from tasks.stages.topics.trained import TrainedClassifier, load, save
from tasks.stages.topics.training import confident_records, self_train, train, unsure_articles

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "topics" / "labelled.jsonl"


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def model(records) -> TrainedClassifier:
    return train(records)


def test_given_labelled_records_when_trained_then_it_classifies_like_them(model):
    assert model.classify("Cup final", "The striker scored a goal and the team won the match.")[0].label == "sport"
    assert model.classify(None, "Shares rose as profit beat forecasts.")[0].label == "economy-business-finance"


def test_given_the_users_own_labels_then_a_multi_label_record_teaches_all_of_them(model):
    topics = model.classify(None, "Stir the sauce, bake the pie and serve it warm.")
    assert [t.label for t in topics[:2]] == ["cooking", "food"]
    assert topics[0].score == topics[1].score


def test_given_a_model_then_topics_are_scored_best_first_and_it_is_named_by_its_data(model, records):
    topics = model.classify(None, "The bank cut rates.")
    assert all(isinstance(t, Topic) and 0.0 <= t.score <= 1.0 for t in topics)
    assert [t.score for t in topics] == sorted((t.score for t in topics), reverse=True)
    assert re.fullmatch(r"trained-[0-9a-f]{8}", model.name)
    assert train(records).name == model.name
    assert train(records[1:]).name != model.name


def test_given_a_text_then_the_margins_are_the_plain_tf_idf_reading_of_its_terms(model, records):
    import math
    from collections import Counter

    import numpy as np

    from tasks.stages.topics.trained import lexicon_row, terms
    for text in [r["text"] for r in records[:5]] + ["The minister's budget: shares fell as the minister's plan failed"]:
        counts = Counter(t for t in terms(text) if t in model.index)
        idx = np.array([model.index[t] for t in counts], dtype=np.int64)
        values = np.array([1.0 + math.log(c) for c in counts.values()]) * model.idf[idx]
        values /= float(np.sqrt(values @ values)) or 1.0
        lexicon = np.asarray(lexicon_row(text, model.lexicon_scale))
        expected = model.coef[:, idx] @ values + model.coef[:, len(model.vocab):] @ lexicon \
            + model.intercept
        assert np.array_equal(model.margins(text), expected)


def test_given_a_saved_model_when_loaded_then_it_answers_the_same(model, tmp_path):
    path = tmp_path / "models" / "topics.npz"
    save(model, path)
    assert [p.name for p in path.parent.iterdir()] == ["topics.npz"]   # no temporary file left
    again = load(path)
    text = "The quarterback threw a touchdown pass."
    assert again.name == model.name
    assert again.classify(None, text) == model.classify(None, text)
    assert load_classifier(path).name == model.name
    assert again.languages is None


def test_given_a_model_trained_for_some_languages_then_it_keeps_them_across_save_and_load(records, tmp_path):
    from tasks.stages.topics import topics_reason
    save(train(records, frozenset({"en"})), tmp_path / "m.npz")
    again = load(tmp_path / "m.npz")
    assert again.languages == {"en"} and topics_reason(again, "fr") and topics_reason(again, "en") is None


def test_given_no_model_file_when_loaded_then_the_error_says_how_to_make_one(tmp_path):
    with pytest.raises(ModelError, match="ingest topics train"):
        load(tmp_path / "missing.npz")


def test_given_a_file_that_is_not_a_model_when_loaded_then_a_model_error(tmp_path):
    garbage = tmp_path / "topics.npz"
    garbage.write_bytes(b"not a model at all")
    with pytest.raises(ModelError, match="not a readable topic model"):
        load(garbage)
    import numpy as np
    np.savez(garbage, header=np.array(json.dumps({"something": "else"})), vocab=np.array(["a"]),
             idf=np.ones(1), coef=np.ones((2, 18)), intercept=np.zeros(2))
    with pytest.raises(ModelError, match="not a topic model"):
        load(garbage)


class Boom:
    """Unpickling this runs code: a model file must never be able to do that."""
    def __reduce__(self):
        return (Path.write_text, (Path("/nonexistent-dir/pwned"), "x"))


def test_given_a_model_file_holding_pickled_objects_then_nothing_runs_and_it_is_refused(tmp_path, model):
    import numpy as np
    evil = tmp_path / "topics.npz"
    np.savez(evil, header=np.array([Boom()], dtype=object), vocab=np.array(model.vocab),
             idf=model.idf, coef=model.coef, intercept=model.intercept)
    with pytest.raises(ModelError, match="not a readable topic model"):
        load(evil)


def test_given_an_old_pickled_model_then_it_is_not_loaded_and_the_user_is_told_to_retrain(tmp_path, caplog):
    from tasks.stages.topics import DEFAULT, old_model_notice
    models = tmp_path / "models"
    models.mkdir()
    (models / "topics.joblib").write_bytes(b"\x80\x04old pickle")
    with caplog.at_level("WARNING"):
        assert load_classifier(models / "topics.npz") is DEFAULT
    assert "no longer loaded" in caplog.text and "ingest topics train" in caplog.text
    assert old_model_notice(tmp_path / "elsewhere" / "topics.npz") is None


def test_given_stored_articles_then_self_training_keeps_confident_originals_in_covered_languages():
    def article(i, label, score, **kw):
        return {"id": str(i), "title": None, "text": f"text {i}", "topics": [{"label": label, "score": score}],
                "status": "original", "language": "en", **kw}
    stored = [article(1, "sport", 0.9), article(2, "sport", 0.3), article(3, "health", 0.8, status="duplicate"),
              article(4, "health", 0.8, language="de"), article(5, "health", 0.7, language=None),
              {"id": "6", "text": "x", "topics": [], "status": "original"}]
    records = confident_records(stored, 0.6, frozenset({"en"}))
    assert [(r["id"], r["labels"]) for r in records] == [("1", ["sport"]), ("5", ["health"])]


def test_given_stored_articles_then_the_second_round_reads_those_the_lexicon_was_unsure_of():
    def article(i, score, classifier="lexicon", **kw):
        return {"id": str(i), "title": None, "text": f"text {i}", "topics": [{"label": "sport", "score": score}],
                "status": "original", "language": "en", "classifier": classifier, **kw}
    stored = [article(1, 0.9), article(2, 0.3), article(3, 0.9, classifier="model-abc"),
              article(4, 0.2, status="duplicate"), article(5, 0.2, language="de"),
              article(6, 0.2, topics_reason="language 'xx' is not covered"),
              {"id": "7", "text": "y", "topics": [], "status": "original", "classifier": "lexicon"}]
    unsure = unsure_articles(stored, 0.7, frozenset({"en"}), "lexicon")
    assert [a["id"] for a in unsure] == ["2", "3", "7"]


def test_given_unsure_articles_then_self_training_learns_their_words_from_the_first_models_answers(records):
    # given confident records, and unsure articles that pair words the records teach with words they never hold
    unsure = [{"id": f"u{i}", "title": None, "text": f"The striker scored and the team won the league match; "
                                                     f"the wicket keeper and the batsman{i} held the innings."}
              for i in range(6)]
    first = train(records)
    # when a model is self-trained in two rounds
    second = self_train(records, unsure, rounds=2)
    # then the second knows the new words from the first model's confident answers, the first does not
    text = "The wicket keeper and the batsman held the innings."
    def sport(model):
        return max((t.score for t in model.classify(None, text) if t.label == "sport"), default=0.0)
    assert second.classify(None, text)[0].label == "sport" and sport(second) > sport(first)
    assert "wicket" in second.index and "wicket" not in first.index


def test_given_unsure_articles_that_teach_in_turn_then_each_round_teaches_the_next(records):
    # given unsure articles: some pair words the records teach with a new word, others pair that
    # word with a word never seen beside anything the records hold
    first_step = [{"id": f"a{i}", "title": None,
                   "text": f"The striker scored and the team won the league match; the wicket fell{i}."}
                  for i in range(6)]
    second_step = [{"id": f"b{i}", "title": None, "text": f"The wicket and the wicket and the googly{i} googly."}
                   for i in range(6)]
    # when self-trained in two rounds, and in three
    two = self_train(records, first_step + second_step, rounds=2)
    three = self_train(records, first_step + second_step, rounds=3)
    # then the third round learns what only the second round's answers could teach
    assert "wicket" in two.index and "googly" not in two.index
    assert "googly" in three.index


def test_given_a_lexicon_scale_then_the_model_keeps_it_across_save_and_load(records, tmp_path):
    from tasks.stages.topics.trained import LEXICON_SCALE
    from tasks.stages.topics.training import SELF_TRAIN_LEXICON_SCALE
    # given a model trained with the lexicon read at a lower scale than the default
    model = train(records, lexicon_scale=SELF_TRAIN_LEXICON_SCALE)
    assert SELF_TRAIN_LEXICON_SCALE < LEXICON_SCALE and train(records).lexicon_scale == LEXICON_SCALE
    assert self_train(records, []).lexicon_scale == SELF_TRAIN_LEXICON_SCALE
    # when saved and loaded
    save(model, tmp_path / "topics.npz")
    again = load(tmp_path / "topics.npz")
    # then it reads texts at its own scale and answers the same
    text = "The bank cut rates as the striker scored."
    assert again.lexicon_scale == SELF_TRAIN_LEXICON_SCALE
    assert list(again.margins(text)) == pytest.approx(list(model.margins(text)), abs=1e-5)


def test_given_too_few_or_unusable_records_then_training_refuses(records):
    with pytest.raises(ModelError, match="too few"):
        train(records[:3])
    with pytest.raises(ModelError, match="at least two labels"):
        train([r for r in records if r.get("labels") == ["sport"]])
    with pytest.raises(ModelError, match="no labels"):
        train(records + [{"id": "x", "text": "no labels here"}])
    with pytest.raises(ModelError, match="no \"text\""):
        train(records + [{"id": "y", "labels": ["sport"]}])


def test_given_both_label_forms_then_they_read_alike():
    assert record_labels({"label": "a|b"}) == ("a", "b")
    assert record_labels({"labels": ["a", "b", "a"]}) == ("a", "b")


class Always:
    """A stand-in classifier that always answers the same label."""
    name = "always-sport"

    def classify(self, title, text):
        return [Topic("sport", 1.0)]


def test_given_a_classifier_when_evaluated_then_accuracy_and_per_label_stats(records):
    report = evaluate(Always(), records)
    assert report.total == 30 and report.accuracy == pytest.approx(10 / 30)
    stats = {s.label: s for s in report.per_label}
    assert stats["sport"].recall == 1.0 and stats["sport"].precision == pytest.approx(1 / 3)
    assert stats["cooking|food"].recall == 0.0 and stats["cooking|food"].support == 10
    assert "always-sport" in report.render() and "cooking|food" in report.render()


def test_given_records_then_the_split_is_reproducible(records):
    train_a, test_a = split(records, 0.2, seed=3)
    train_b, test_b = split(records, 0.2, seed=3)
    assert train_a == train_b and test_a == test_b
    assert len(test_a) == 6 and len(train_a) == 24


def test_training_without_scikit_learn_says_which_extra_to_install(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_sklearn(name, *args, **kw):
        if name.split(".")[0] == "sklearn":
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kw)
    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    from tasks.errors import ModelError
    from tasks.stages.topics.training import train
    with pytest.raises(ModelError, match=r"news-ingest\[train\]"):
        train([{"text": "a b c", "labels": ["x"]}] * 20)
