"""Bad input by hand: broken or cut JSON, JSON Lines with bad lines, gzip members, truncated gzip,
stray bytes in UTF-8, deep nesting. Each fails with a clear reason or is read truthfully."""
import gzip
import json

import pytest

from tasks.errors import BrokenJson, NoArticleFound, UndecodableDump
from tasks.stages.clean import clean
from tasks.stages.clean.decode import decode_dump

STORY = ("The town council voted on Tuesday to build a new footbridge across the river, ending a debate "
         "that had divided residents for more than ten years. The bridge will cost four million euros.")


def record(n: int) -> str:
    return json.dumps({"text": f"{STORY} It is story number {n} of the day.", "url": f"https://a.example/{n}"})


def test_a_jsonl_dump_keeps_its_good_lines_and_reports_the_bad_one():
    # given three good records and one broken line
    raw = "\n".join([record(1), record(2), '{"text": "cut', record(3)]).encode()
    # when it is cleaned
    found = clean(raw, "feed.jsonl")
    # then the good lines are articles and the bad one is reported with its error
    assert [a.url for a in found] == ["https://a.example/1", "https://a.example/2", "https://a.example/3"]
    assert found.records == (0, 1, 3)
    assert found.warning.startswith("1 of 4 records skipped: 1 unreadable (first: line 3: Unterminated string")


def test_one_bad_line_among_twenty_is_not_silently_dropped():
    lines = [record(n) for n in range(20)]
    lines.insert(7, "not json at all")
    found = clean("\n".join(lines).encode(), "feed.jsonl")
    assert len(found) == 20 and found.warning.startswith("1 of 21 records skipped: 1 unreadable (first: line 8")


def test_json_cut_off_mid_string_fails_as_broken_json():
    raw = json.dumps({"title": "Footbridge", "text": STORY * 3}).encode()[:-40]
    for name in ("story.json", "dump-0001"):
        with pytest.raises(BrokenJson, match="broken JSON"):
            clean(raw, name)


def test_a_json_dump_that_is_not_json_fails_as_broken_json_not_as_text():
    with pytest.raises(BrokenJson):
        clean(STORY.encode(), "story.json")


def test_text_that_merely_starts_with_a_bracket_is_still_text():
    (article,) = clean(f"[Updated] {STORY}".encode(), "note.txt")
    assert "footbridge" in article.text


def test_records_without_an_article_are_counted():
    raw = json.dumps([json.loads(record(1)), {"url": "https://a.example/empty"}, 42]).encode()
    found = clean(raw, "batch.json")
    assert len(found) == 1
    assert found.warning == ("2 of 3 records skipped: 1 unreadable (first: item 3: a JSON int, not an object), "
                             "1 without an article")


def test_every_member_of_a_multi_member_gzip_is_read():
    raw = gzip.compress((record(1) + "\n").encode()) + gzip.compress((record(2) + "\n").encode())
    assert [a.url for a in clean(raw, "feed.jsonl.gz")] == ["https://a.example/1", "https://a.example/2"]


def test_a_truncated_gzip_fails_as_truncated():
    raw = gzip.compress((STORY * 20).encode())
    with pytest.raises(UndecodableDump, match="truncated"):
        clean(raw[: len(raw) // 2], "story.txt.gz")
    with pytest.raises(UndecodableDump, match="truncated"):
        clean(raw[:-3], "story.txt.gz")   # only the length trailer cut


def test_utf8_with_a_few_stray_bytes_is_read_as_utf8_with_replacement_characters():
    # given valid UTF-8 prose with curly quotes, and two stray cp1252 bytes pasted in
    text = "Russia’s foreign minister said the talks were “useful” and would go on. " * 4
    raw = text.encode() + b"He added \x93nothing\x94 more."
    decoded = decode_dump(raw, max_bytes=1_000_000)
    assert decoded.startswith("Russia’s foreign minister")
    assert decoded.endswith("He added \ufffdnothing\ufffd more.")


@pytest.mark.parametrize("name", ["deep.json", "deep.jsonl", "deep"])
def test_deeply_nested_json_fails_with_a_clear_reason(name):
    raw = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises((BrokenJson, NoArticleFound), match="nested too deeply"):
        clean(raw, name)
