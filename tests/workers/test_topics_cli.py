"""`ingest topics train` and `ingest topics eval`, end to end in a temp data folder."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from workers.topics_cli import topics

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "topics" / "labelled.jsonl"


def run(*args: str):
    return CliRunner().invoke(topics, [str(a) for a in args])


def test_given_labelled_records_when_trained_then_evaluated_end_to_end(env):
    trained = run("train", FIXTURE)
    model = Path(env["INGEST_DATA_DIR"]) / "models" / "topics.npz"
    assert trained.exit_code == 0, trained.output
    assert model.is_file()
    assert "30 records" in trained.output and "cooking" in trained.output and str(model) in trained.output

    evaluated = run("eval", FIXTURE)
    assert evaluated.exit_code == 0, evaluated.output
    assert "trained-" in evaluated.output and "top-1 accuracy=1.000" in evaluated.output

    lexicon = run("eval", FIXTURE, "--default")
    assert lexicon.exit_code == 0 and "lexicon-v2" in lexicon.output


def test_given_an_out_path_when_trained_then_the_model_goes_there(env, tmp_path):
    out = tmp_path / "elsewhere" / "m.npz"
    assert run("train", FIXTURE, "--out", out).exit_code == 0
    result = run("eval", FIXTURE, "--model", out)
    assert result.exit_code == 0 and "top-1 accuracy=" in result.output


@pytest.mark.parametrize(("lines", "message"), [
    (["{not json"], "not JSON"),
    (['{"labels": ["sport"]}'], "no \"text\""),
    (['{"text": "a text"}'], "no labels"),
    (['["a list"]'], "expected a JSON object"),
    ([""], "no records"),
])
def test_given_a_bad_file_then_a_clear_error(env, tmp_path, lines, message):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines), encoding="utf8")
    for command in ("train", "eval"):
        result = run(command, bad)
        assert result.exit_code != 0 and message in result.output, result.output


def test_given_too_few_records_then_training_refuses(env, tmp_path):
    few = tmp_path / "few.jsonl"
    few.write_text("\n".join(FIXTURE.read_text(encoding="utf8").splitlines()[:3]), encoding="utf8")
    result = run("train", few)
    assert result.exit_code != 0 and "at least 4" in result.output


def test_given_a_missing_model_then_eval_says_how_to_make_one(env, tmp_path):
    result = run("eval", FIXTURE, "--model", tmp_path / "none.npz")
    assert result.exit_code != 0 and "ingest topics train" in result.output


def test_given_both_model_and_default_then_a_usage_error(env, tmp_path):
    result = run("eval", FIXTURE, "--model", tmp_path / "m.npz", "--default")
    assert result.exit_code == 2 and "not both" in result.output


def test_given_help_then_each_command_explains_itself():
    assert "trained model" in run("--help").output.lower() or "train" in run("--help").output
    assert "--out" in run("train", "--help").output and "JSON object a line" in run("train", "--help").output
    assert "--default" in run("eval", "--help").output and "precision" in run("eval", "--help").output
