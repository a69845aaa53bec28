"""Bad input by hand, through `ingest run`: broken JSON, bad JSON Lines, gzip members, truncated gzip,
deep nesting. Each ends as articles or as `failed` with its reason; skipped records are shown."""
import gzip
import json

import pytest
from click.testing import CliRunner

from workers.cli import cli

STORY = ("The town council voted on Tuesday to build a new footbridge across the river, ending a debate "
         "that had divided residents for more than ten years. The bridge will cost four million euros, "
         "most of which will come from a regional fund. Story {n}.")


@pytest.fixture
def ingest(env):
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, list(args), catch_exceptions=False)
    return invoke


def record(n: int) -> str:
    return json.dumps({"text": STORY.format(n=n), "url": f"https://a.example/{n}"})


def test_bad_input_ends_as_articles_or_failures_with_reasons(ingest, tmp_path):
    # given a folder of dumps broken in the ways a careless feed breaks them
    inbox = tmp_path / "bad"
    inbox.mkdir()
    (inbox / "feed.jsonl").write_text("\n".join([record(1), record(2), '{"text": "cut', record(3)]))
    (inbox / "cut.json").write_text(json.dumps({"text": STORY.format(n=4) * 3})[:-30])
    (inbox / "two.jsonl.gz").write_bytes(gzip.compress((record(5) + "\n").encode()) + gzip.compress((record(6) + "\n").encode()))
    whole = gzip.compress(STORY.format(n=7).encode() * 50)
    (inbox / "short.txt.gz").write_bytes(whole[: len(whole) // 2])
    (inbox / "deep.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    # when they are ingested
    result = ingest("run", str(inbox))
    assert result.exit_code == 1   # some failed
    # then the good records are articles: three of the JSON Lines, both gzip members
    out = tmp_path / "out.jsonl"
    ingest("export", "--out", str(out))
    urls = sorted(json.loads(line)["url"] for line in out.read_text().splitlines())
    assert urls == [f"https://a.example/{n}" for n in (1, 2, 3, 5, 6)]
    # and the bad dumps failed with reasons a person can act on, shown by status
    status = ingest("status", "--failures", "20").output
    assert "broken JSON" in status and "truncated" in status and "nested too deeply" in status
    assert "internal error" not in status
    # and the JSON Lines dump's bad line is recorded on the dump, shown by status and show
    assert "records skipped" in status
    feed = next(json.loads(line) for line in out.read_text().splitlines() if line and "a.example/1" in line)
    shown = json.loads(ingest("show", feed["dump_id"]).output)
    assert shown["state"] == "done"
    assert shown["warnings"].startswith("1 of 4 records skipped: 1 unreadable (first: line 3:")
