"""A file rewritten in place supersedes its earlier version; a known file costs one stat; a dump
over the size limit is known by its content. As a user meets them, through `ingest`."""
import json
import os
import shutil

import pytest
from click.testing import CliRunner

from tests.conftest import SEEDS
from workers.cli import cli

SEED = sorted(SEEDS.glob("*.txt"))


@pytest.fixture
def ingest(env, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


def stored(ingest) -> list[dict]:
    return [json.loads(line) for line in ingest("export").output.splitlines() if line.startswith("{")]


def shown(ingest, item_id) -> dict:
    out = ingest("show", item_id).output
    return json.loads(out[out.index("{"):])


def test_a_file_rewritten_in_place_keeps_one_article_the_latest_and_the_earlier_as_a_revision(ingest, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED[2], folder / "story.txt")
    shutil.copy(SEED[2], folder / "z-copy.txt")       # an exact duplicate of the first version
    assert ingest("run", str(folder)).exit_code == 0
    first = {a["source_file"]: a for a in stored(ingest)}
    assert first["z-copy.txt"]["duplicate_of"] == first["story.txt"]["id"]
    # when story.txt is rewritten with other content and ingested again
    shutil.copy(SEED[4], folder / "story.txt")
    assert ingest("run", str(folder)).exit_code == 0
    # then one article for story.txt, the new one; the copy, whose original left, is the original now
    after = stored(ingest)
    assert sorted(a["source_file"] for a in after) == ["story.txt", "z-copy.txt"]
    story = next(a for a in after if a["source_file"] == "story.txt")
    assert "biweekly flights" in story["text"] and story["dump_id"] != first["story.txt"]["dump_id"]
    copy = next(a for a in after if a["source_file"] == "z-copy.txt")
    assert copy["status"] == "original" and copy["duplicate_of"] is None
    # and the earlier version is kept as a revision
    old = shown(ingest, first["story.txt"]["dump_id"])
    assert old["state"] == "superseded" and story["dump_id"] in old["error"] and old["articles"] == []
    assert "dumps superseded" in ingest("status").output
    # and requeueing everything brings no second article back
    assert ingest("requeue", "--all").exit_code == 0
    assert sorted(a["source_file"] for a in stored(ingest)) == ["story.txt", "z-copy.txt"]


def test_a_known_file_is_recognised_by_path_size_and_mtime_without_being_read(ingest, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "a.txt"
    shutil.copy(SEED[2], path)
    assert ingest("run", str(folder)).exit_code == 0
    (dump_id,) = {a["dump_id"] for a in stored(ingest)}
    # given the same size and mtime but other bytes (only a read could tell)
    st = path.stat()
    data = bytearray(path.read_bytes())
    data[-2:] = b"??"
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    result = ingest("run", str(folder))
    assert "Nothing new" in result.output and [a["dump_id"] for a in stored(ingest)] == [dump_id]
    # while a new mtime makes it read again: new content, a new dump superseding the old one
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    ingest("run", str(folder))
    assert [a["dump_id"] for a in stored(ingest)] != [dump_id]


def test_a_dump_over_the_limit_whose_file_was_replaced_fails_on_requeue(ingest, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED[2], folder / "big.txt")
    shutil.copy(SEED[3], folder / "big2.txt")
    monkeypatch.setenv("INGEST_MAX_DUMP_BYTES", "100")
    assert ingest("run", str(folder)).exit_code == 1        # both over the limit: failed
    failed = {d["source_file"]: d for d in map(lambda i: shown(ingest, i), _failed_ids(ingest))}
    # when one file is replaced by other bytes, the limit raised, and both requeued
    shutil.copy(SEED[4], folder / "big.txt")
    monkeypatch.setenv("INGEST_MAX_DUMP_BYTES", str(10**7))
    result = ingest("requeue", failed["big.txt"]["id"], failed["big2.txt"]["id"])
    # then the untouched one is stored, the replaced one fails: its bytes are not the dump's
    assert result.exit_code == 1
    assert shown(ingest, failed["big2.txt"]["id"])["state"] == "done"
    replaced = shown(ingest, failed["big.txt"]["id"])
    assert replaced["state"] == "failed" and "the file changed since it was registered" in replaced["error"]
    assert [a["source_file"] for a in stored(ingest)] == ["big2.txt"]


def _failed_ids(ingest) -> list[str]:
    out = ingest("status", "--failures", "50").output
    return [line.split("│")[1].strip() for line in out.splitlines()
            if line.count("│") > 3 and "over the" in line]
