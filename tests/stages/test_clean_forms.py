"""clean() on every input form: text dump, HTML, JSON, JSON Lines, a JSON array, gzip; and its errors."""
import gzip
import json
from pathlib import Path

import pytest

from tasks.errors import DumpTooLarge, EmptyDump, NoArticleFound, UndecodableDump
from tasks.stages.clean import clean

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clean"
TITLE = "Town council approves new footbridge over the river"
FIRST = "The town council voted on Tuesday to build a new footbridge across the river"
LAST = "most of which will come from a regional fund for sustainable transport."
FURNITURE = ["Home", "Subscribe", "Advertisement", "Related articles", "Cycle lanes", "newsletter", "©",
             "tracking", "font-family"]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def assert_footbridge_article(article) -> None:
    """Then the article is the footbridge story: its whole body, none of the page furniture."""
    assert article.paragraphs[0].startswith(FIRST)
    assert article.paragraphs[-1].endswith(LAST)
    assert len(article.paragraphs) == 5
    for phrase in FURNITURE:
        assert phrase not in article.text, phrase
    assert article.language == "en"


def test_a_text_dump_gives_its_article_title_and_date():
    article, = clean(fixture("article.txt"), "article.txt")
    assert_footbridge_article(article)
    assert article.title == TITLE


def test_an_html_page_gives_its_article_and_metadata():
    article, = clean(fixture("article.html"), "article.html")
    assert_footbridge_article(article)
    assert article.title == TITLE
    assert article.published == "2024-03-12"
    assert article.source == "The Riverside Courier"


def test_html_is_sniffed_whatever_the_file_is_called():
    article, = clean(fixture("article.html"), "dump-0001")
    assert article.published == "2024-03-12"


def test_a_json_record_gives_one_article_with_its_own_fields():
    article, = clean(fixture("record.json"), "record.json")
    assert article.url == "https://harbour.example/ferry"
    assert article.title == "Ferry service to resume after winter break"
    assert "Share on Facebook" not in article.text
    assert article.paragraphs[0].startswith("The ferry between the harbour and the island")


def test_json_lines_give_one_article_per_record_and_skip_the_record_without_one():
    first, second = clean(fixture("records.jsonl"), "records.jsonl")
    assert_footbridge_article(first)
    assert (first.url, first.published) == ("https://courier.example/news/footbridge", "2024-03-12")
    assert (second.title, second.published) == ("Ferry service to resume", "2024-04-02")


def test_gzipped_json_lines_are_read_by_name_or_by_magic_bytes():
    packed = gzip.compress(fixture("records.jsonl"))
    assert len(clean(packed, "records.jsonl.gz")) == 2
    assert len(clean(packed, "dump-0002")) == 2


def test_a_json_array_of_records_gives_one_article_per_record():
    records = [json.loads(line) for line in fixture("records.jsonl").decode().splitlines()]
    articles = clean(json.dumps(records).encode(), "batch.json")
    assert [a.url for a in articles] == ["https://courier.example/news/footbridge", "https://harbour.example/ferry"]


def test_json_without_any_article_raises_no_article_found():
    with pytest.raises(NoArticleFound, match="^no article found"):
        clean(b'{"url": "https://a.example", "title": "nothing else"}', "empty.json")


@pytest.mark.parametrize("name", ["index.html", "login_wall.txt"])
def test_an_index_page_or_a_login_wall_raises_no_article_found(name):
    with pytest.raises(NoArticleFound, match="^no article found"):
        clean(fixture(name), name)


@pytest.mark.parametrize("raw", [b"", b"   \n\t\r\n  "])
def test_an_empty_dump_raises_empty_dump(raw):
    with pytest.raises(EmptyDump, match="empty"):
        clean(raw, "empty.txt")


def test_a_dump_above_the_limit_raises_dump_too_large():
    with pytest.raises(DumpTooLarge, match="limit"):
        clean(fixture("article.txt"), "article.txt", max_bytes=100)


def test_a_gzip_bomb_is_refused_without_inflating_it_all():
    bomb = gzip.compress(b"a" * 5_000_000)
    with pytest.raises(DumpTooLarge):
        clean(bomb, "bomb.txt.gz", max_bytes=1_000_000)


def test_binary_junk_raises_undecodable_dump():
    junk = bytes(range(256)) * 40
    with pytest.raises(UndecodableDump, match="binary"):
        clean(junk, "junk.txt")


def test_a_corrupt_gzip_raises_undecodable_dump():
    with pytest.raises(UndecodableDump, match="gzip"):
        clean(b"\x1f\x8b\x08\x00garbage-garbage", "broken.gz")
