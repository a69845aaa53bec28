"""The `ingest` command on the embedded default, as a user runs it."""
import gzip
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.conftest import SEEDS
from workers.cli import cli

SEED_003 = SEEDS / "003_1618ca9304753086.txt"


@pytest.fixture
def ingest(env):
    runner = CliRunner()

    def invoke(*args, **kw):
        return runner.invoke(cli, list(args), catch_exceptions=False, **kw)
    return invoke


def exported(ingest, tmp_path) -> list[dict]:
    out = tmp_path / "articles.jsonl"
    assert ingest("export", "--format", "jsonl", "--out", str(out)).exit_code == 0
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_run_on_the_seeds_stores_five_articles_with_the_design_fields(ingest, seeds_dir, tmp_path):
    # when the seeds are ingested
    result = ingest("run", str(seeds_dir))
    # then the summary shows them, and the export has the contract's fields
    assert result.exit_code == 0, result.output
    assert "processed" in result.output and "articles stored" in result.output
    articles = exported(ingest, tmp_path)
    assert len(articles) == 5
    for a in articles:
        assert {"id", "dump_id", "source_file", "title", "text", "published", "source", "language",
                "topics", "duplicate_of", "status"} <= set(a)
        assert a["topics"] and 0 <= a["topics"][0]["score"] <= 1
        assert a["topics"][0]["label"] in ("politics", "conflict-war-peace")
    by_file = {a["source_file"][:3]: a for a in articles}
    assert by_file["000"]["published"] == "2025-07-12"
    assert by_file["001"]["duplicate_of"] == by_file["000"]["id"] and by_file["001"]["status"] == "duplicate"
    assert by_file["003"]["duplicate_of"] is None and by_file["004"]["duplicate_of"] is None
    assert "Remind me later" not in by_file["000"]["text"]


def test_an_embedded_run_keeps_a_batch_job_s_story_cache(ingest, seeds_dir, monkeypatch):
    # given an embedded `ingest run`, whose pool would be given the store it opened
    from config import defaults
    from workers import runner
    seen = []
    monkeypatch.setattr(runner, "_process_here", lambda settings, store, *a, **k: seen.append(store))
    # when it runs over the seeds
    ingest("run", str(seeds_dir))
    # then the store keeps an embedded run's stories, and its writer's memo as many articles' 5-grams
    assert seen and seen[0].story_cache.size == defaults.EMBEDDED_STORY_CACHE > defaults.STORY_CACHE
    assert seen[0].memo.size == defaults.EMBEDDED_STORY_CACHE


def test_a_second_run_stores_nothing_new(ingest, seeds_dir, tmp_path):
    ingest("run", str(seeds_dir))
    again = ingest("run", str(seeds_dir))
    assert again.exit_code == 0 and "Nothing new" in again.output
    assert len(exported(ingest, tmp_path)) == 5


def test_bad_dumps_fail_with_reasons_and_come_back_with_requeue(ingest, tmp_path, monkeypatch):
    # given an empty, an undecodable and an oversized dump next to a good one
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "junk.bin").write_bytes(bytes(range(256)) * 40)
    (inbox / "huge.txt").write_bytes(b"word " * 20_000)
    (inbox / "good.txt").write_text(open(SEED_003).read())
    monkeypatch.setenv("INGEST_MAX_DUMP_BYTES", "50000")
    # when they are ingested
    result = ingest("run")
    # then the run exits 1 and the three bad ones are kept as failed with their reasons
    assert result.exit_code == 1
    status = ingest("status").output
    assert "failed" in status and "empty" in status and "INGEST_MAX_DUMP_BYTES" in status
    # and once the cause is fixed (a higher limit), requeue brings the huge one back
    monkeypatch.setenv("INGEST_MAX_DUMP_BYTES", "500000")
    requeued = ingest("requeue", "--failed")
    assert "requeued 3" in requeued.output
    assert len(exported(ingest, tmp_path)) == 2


def test_show_prints_an_article_and_a_dump_with_lineage(ingest, seeds_dir, tmp_path):
    ingest("run", str(seeds_dir))
    article = exported(ingest, tmp_path)[1]
    shown = json.loads(ingest("show", article["id"]).output)
    assert shown["kind"] == "article" and shown["dump"]["source_file"] == article["source_file"]
    assert shown["pipeline_version"] and shown["dump"]["state"] == "done"
    dump = json.loads(ingest("show", article["dump_id"]).output)
    assert dump["kind"] == "dump" and dump["articles"] == [article["id"]]
    missing = CliRunner().invoke(cli, ["show", "nope"])
    assert missing.exit_code == 1 and "no article, story or dump" in missing.output


def test_requeue_needs_exactly_one_selector(ingest):
    result = CliRunner().invoke(cli, ["requeue"])
    assert result.exit_code == 2 and "--failed" in result.output


def test_requeue_all_reprocesses_without_new_articles(ingest, seeds_dir, tmp_path):
    ingest("run", str(seeds_dir))
    before = exported(ingest, tmp_path)
    assert "requeued 5" in ingest("requeue", "--all").output
    after = exported(ingest, tmp_path)
    assert [(a["id"], a["duplicate_of"]) for a in after] == [(a["id"], a["duplicate_of"]) for a in before]


def test_export_to_stdout_and_filter_by_status(ingest, seeds_dir):
    ingest("run", str(seeds_dir))
    lines = ingest("export", "--status", "duplicate").stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["status"] == "duplicate"


def test_every_command_explains_itself(ingest):
    for command in ("run", "watch", "requeue", "status", "export", "show", "topics"):
        result = ingest(command, "--help")
        assert result.exit_code == 0 and len(result.output) > 200, command


def test_gzip_jsonl_dump_yields_one_article_per_record(ingest, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    texts = [open(SEEDS / n).read() for n in ("002_e81b4066f334c5fc.txt", "003_1618ca9304753086.txt")]
    records = "\n".join(json.dumps({"text": t, "url": f"https://example.org/{i}"}) for i, t in enumerate(texts))
    (inbox / "batch.jsonl.gz").write_bytes(gzip.compress(records.encode()))
    assert ingest("run").exit_code == 0
    articles = exported(ingest, tmp_path)
    assert [a["id"][-2:] for a in articles] == ["-0", "-1"]
    assert {a["source_file"] for a in articles} == {"batch.jsonl.gz"}


def test_the_installed_command_runs_the_seeds(env, seeds_dir, tmp_path):
    ingest_bin = str(__import__("pathlib").Path(sys.executable).parent / "ingest")
    done = subprocess.run([ingest_bin, "run", str(seeds_dir)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "articles stored" in done.stdout


def test_requeue_all_after_training_reclassifies_with_the_users_model(ingest, seeds_dir, tmp_path):
    # given the seeds stored with the shipped lexicon classifier
    ingest("run", str(seeds_dir))
    assert {a["classifier"] for a in exported(ingest, tmp_path)} == {"lexicon-v2"}
    # and a user's own label set, where news about ministers is "diplomacy"
    records = [{"text": t, "labels": ["diplomacy"]} for t in (
        "The foreign minister met his counterpart for talks on the treaty and the embassy.",
        "Diplomats from both countries held a summit and the ministers signed an accord.",
        "The ambassador delivered a message from the president to the foreign ministry.",
        "The minister's visit deepened ties between the two allies, state media said.")]
    records += [{"text": t, "labels": ["markets"]} for t in (
        "Shares fell on the stock exchange as investors sold bonds and the dollar rose.",
        "The company reported quarterly profit above forecasts and its stock jumped.",
        "Oil prices climbed and the index of blue-chip shares closed at a record high.",
        "The central bank kept interest rates unchanged and markets rallied.")]
    train_file = tmp_path / "mine.jsonl"
    train_file.write_text("\n".join(json.dumps(r) for r in records))
    assert ingest("topics", "train", str(train_file)).exit_code == 0
    # when every dump is requeued
    assert "requeued 5" in ingest("requeue", "--all").output
    # then every article is re-classified with the trained model and its labels
    after = exported(ingest, tmp_path)
    assert all(a["classifier"].startswith("trained") for a in after)
    assert all(a["topics"][0]["label"] == "diplomacy" for a in after)


STREAM = {
    "sport": ["The striker scored twice in the second half and the home team won the league match, "
              "lifting the club to the top of the table before the cup final next week at the stadium.",
              "The champion won the tennis final in straight sets, serving twelve aces and breaking her "
              "opponent three times as the crowd on centre court cheered every point of the tournament."],
    "economy-business-finance": [
              "Shares fell on the stock exchange as investors sold bonds, and the central bank kept interest "
              "rates unchanged while inflation stayed above its target for the third quarter in a row.",
              "The company reported quarterly profit above analysts' forecasts, raised its dividend and said "
              "revenue from its retail stores grew as consumers kept spending despite higher prices."],
    "politics": ["Parliament approved the budget after the opposition party voted against the bill, and the "
                 "prime minister said the coalition government would call an election next spring.",
                 "The president met the foreign minister for talks on the treaty, and diplomats said both "
                 "governments wanted new sanctions discussed at the summit of the alliance next month."],
}


def test_self_training_on_the_stores_confident_labels_then_requeue_reclassifies(ingest, tmp_path):
    # given a stream of articles stored with the lexicon classifier
    inbox = tmp_path / "stream"
    inbox.mkdir()
    for label, texts in STREAM.items():
        for i, text in enumerate(texts):
            (inbox / f"{label}-{i}.txt").write_text(text, encoding="utf8")
    assert ingest("run", str(inbox)).exit_code == 0
    assert {a["topics"][0]["label"] for a in exported(ingest, tmp_path)} == set(STREAM)
    # when too few articles are stored, self-training refuses and says why
    refused = ingest("topics", "self-train")
    assert refused.exit_code != 0 and "at least 500" in refused.output
    # when the user self-trains on them
    trained = ingest("topics", "self-train", "--min-articles", "6", "--min-score", "0.3")
    assert trained.exit_code == 0, trained.output
    assert "ingest requeue --all" in trained.output
    # then a requeue re-classifies every article with the self-trained model, same labels
    assert ingest("requeue", "--all").exit_code == 0
    after = exported(ingest, tmp_path)
    assert all(a["classifier"].startswith("trained-") for a in after)
    assert {a["source_file"].split("-")[0]: a["topics"][0]["label"] for a in after} == {
        "sport": "sport", "economy": "economy-business-finance", "politics": "politics"}


def test_an_article_in_a_language_not_covered_gets_no_topics_and_a_reason(ingest, tmp_path):
    folder = tmp_path / "de"
    folder.mkdir()
    (folder / "bericht.txt").write_text(
        "Die Regierung hat am Dienstag einen neuen Haushalt vorgelegt. Der Finanzminister sagte, die "
        "Ausgaben für Schulen und Krankenhäuser würden im kommenden Jahr deutlich steigen, während die "
        "Opposition die Pläne als unsozial kritisierte und eine Abstimmung im Parlament verlangte.",
        encoding="utf8")
    assert ingest("run", str(folder)).exit_code == 0
    [article] = exported(ingest, tmp_path)
    assert article["language"] == "de" and article["topics"] == []
    assert "'de' is not covered" in article["topics_reason"]
