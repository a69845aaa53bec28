"""Adapting the topics to the store: `ingest run` self-trains a model on the store's confident
labels and re-labels what the lexicon was unsure of; `ingest topics adapt` does it on demand."""
from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from tasks.stages.topics import DEFAULT
from workers.cli import cli

VOCABULARY = {
    "sport": "match goal striker league season coach players stadium fans referee penalty tournament "
             "championship final win defeat squad captain scored cup title race athlete medal", 
    "economy-business-finance": "shares profit revenue investors market company quarterly earnings bank "
                                "interest rates inflation stock prices sales growth forecast dividend "
                                "merger economists exports",
    "politics": "parliament minister election vote government party opposition senator lawmakers "
                "campaign president cabinet coalition bill legislation voters referendum policy "
                "congress governor",
}
FILLER = "the a on in and said that of with for after as this by".split()
UNSURE = ("Officials said the company would open a new office in the city next year, and that the plan "
          "had been discussed with the council on Monday.")


def article(label: str, rng: random.Random) -> str:
    """A distinct text of one topic's words (no two alike: no duplicates among them)."""
    words = VOCABULARY[label].split()
    return " ".join(rng.choice(words) if rng.random() < 0.6 else rng.choice(FILLER) for _ in range(40)) + "."


@pytest.fixture
def stream(tmp_path):
    """60 articles the lexicon labels confidently, 20 of each of three topics, and one it is unsure of."""
    folder = tmp_path / "stream"
    folder.mkdir()
    rng = random.Random(7)
    for label in VOCABULARY:
        for i in range(20):
            (folder / f"{label}-{i}.txt").write_text(article(label, rng), encoding="utf8")
    (folder / "unsure.txt").write_text(UNSURE, encoding="utf8")
    return folder


@pytest.fixture
def ingest(env):
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


def exported(ingest, tmp_path) -> dict[str, dict]:
    out = tmp_path / "articles.jsonl"
    assert ingest("export", "--format", "jsonl", "--out", str(out)).exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    return {r["source_file"].rsplit("/", 1)[-1].split(".")[0]: r for r in rows}


def test_given_enough_confident_articles_when_run_then_a_model_is_self_trained_and_relabels_the_unsure(
        ingest, stream, tmp_path, monkeypatch, env):
    # given a stream the lexicon is sure of, but for one article
    best = DEFAULT.classify(None, UNSURE)[0]
    assert best.score < 0.7
    monkeypatch.setenv("INGEST_TOPICS_ADAPT_MIN", "50")
    # when it is ingested
    result = ingest("run", str(stream))
    # then a model is fitted on the confident ones and saved as data in the data folder
    assert result.exit_code == 0, result.output
    assert "topics adapted to the store with trained-" in result.output
    model = tmp_path / "data" / "models" / "topics-adapted.npz"
    assert model.is_file()
    articles = exported(ingest, tmp_path)
    # and the unsure article is labelled by it, which its lineage says; the others by the lexicon
    assert articles["unsure"]["classifier"].startswith("trained-")
    assert {a["classifier"] for name, a in articles.items() if name != "unsure"} == {DEFAULT.name}
    assert all(a["topics"][0]["label"] == name.split("-")[0] or name == "unsure"
               for name, a in articles.items() if not name.startswith("economy"))
    # when adapting again with nothing new, the model stays and nothing changes
    again = ingest("topics", "adapt")
    assert again.exit_code == 0 and "fitted again once the store holds 92 original articles" in again.output
    assert exported(ingest, tmp_path) == articles
    # and a forced fit on the same store gives the same model and the same labels (deterministic)
    model.unlink()
    assert "re-labelled" in ingest("topics", "adapt", "--force").output
    assert exported(ingest, tmp_path) == articles


def test_given_adapting_is_turned_off_then_no_model_is_fitted(ingest, stream, tmp_path, monkeypatch):
    monkeypatch.setenv("INGEST_TOPICS_ADAPT_MIN", "50")
    monkeypatch.setenv("INGEST_TOPICS_ADAPT", "0")
    result = ingest("run", str(stream))
    assert result.exit_code == 0 and "adapted" not in result.output
    assert not (tmp_path / "data" / "models" / "topics-adapted.npz").exists()


def test_adapting_is_due_once_enough_is_stored_and_not_when_turned_off(ingest, stream, monkeypatch):
    import config
    from tasks.adaptation import due
    from tasks.store import Store
    monkeypatch.setenv("INGEST_TOPICS_ADAPT", "0")
    assert ingest("run", str(stream)).exit_code == 0
    settings = config.load()
    store = Store(settings.store_url_or_default())
    try:
        assert not due(settings, store)
        monkeypatch.setenv("INGEST_TOPICS_ADAPT", "1")
        assert not due(config.load(), store)                  # 61 stored, 500 needed
        monkeypatch.setenv("INGEST_TOPICS_ADAPT_MIN", "50")
        assert due(config.load(), store)
    finally:
        store.close()


def test_given_too_few_articles_then_adapt_says_how_many_it_needs(ingest, stream, tmp_path):
    assert ingest("run", str(stream)).exit_code == 0
    result = ingest("topics", "adapt")
    assert result.exit_code == 0
    assert "topics not adapted" in result.output and "once 500 of them" in result.output
