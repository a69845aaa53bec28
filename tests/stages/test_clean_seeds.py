"""The clean stage on the five seed dumps: boilerplate out, every article paragraph and the title kept."""
import re
from pathlib import Path

import pytest

from tasks.errors import NoArticleFound
from tasks.stages.clean import clean

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
BOILERPLATE = [
    "A Message from The Moscow Times", "Remind me later", "Support The Moscow Times", "Dear readers",
    "Newsletter Signup", "Login", "newsletter", "Savvy Tokyo", "GaijinPot", "What's Your Reaction",
    "© 2025 AFP", "GPlusMedia", "Image:", "Daiwa House", "Facebook", "MID_Russia / Telegram",
    "Privacy Policy", "Read more",
]


def seed(prefix: str):
    """Given the seed dump whose name starts with prefix, when cleaned, then its one article."""
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    articles = clean(path.read_bytes(), path.name)
    assert len(articles) == 1
    return articles[0], path.read_text(encoding="utf8")


def body_lines(dump: str, first: str, last: str) -> list[str]:
    """The dump's non-empty lines (spaces folded) from the one starting with `first` to the one with `last`."""
    lines = [" ".join(line.split()) for line in dump.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    stop = next(i for i, line in enumerate(lines) if line.startswith(last))
    return lines[start:stop + 1]


def shingles(text: str, n: int = 5) -> set:
    toks = re.findall(r"\w+", text.lower())
    return {tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)}


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_no_boilerplate_survives(prefix):
    article, _ = seed(prefix)
    for phrase in BOILERPLATE:
        assert phrase not in article.text, phrase
    assert article.language == "en"


@pytest.mark.parametrize("prefix, first, last", [
    ("000", "Lavrov \"was received\"", "The two heavily sanctioned"),
    ("001", "Russian Foreign Minister", "The two heavily sanctioned"),
    ("002", "On Saturday, Russian", "Last year, the two"),
    ("003", "Russia's Foreign Minister", "Shoigu announced"),
    ("004", "North Korean leader Kim", "Ahead of the visit"),
])
def test_every_article_paragraph_is_kept_in_order(prefix, first, last):
    article, dump = seed(prefix)
    expected = body_lines(dump, first, last)
    assert [p for p in article.paragraphs if p in expected] == expected


@pytest.mark.parametrize("prefix, title", [
    ("001", "Russia says foreign minister Lavrov met Kim Jong Un"),
    ("002", "Lavrovs Visit to North Korea Strengthens Military and Political Ties with Kim Jong Un"),
    ("003", "Russia's FM Lavrov Arrives in North Korea"),
    ("004", "North Korea’s Kim pledges full support for Russia on Ukraine during talks with Lavrov: KCNA"),
])
def test_the_title_is_found_and_not_repeated_in_the_body(prefix, title):
    article, _ = seed(prefix)
    assert article.title == title
    assert title not in article.paragraphs


def test_the_site_name_on_the_first_line_becomes_the_source():
    article, _ = seed("001")
    assert article.source == "Japan Today"
    assert seed("002")[0].source is None   # its first line is the headline, not a site


def test_the_name_the_pages_own_furniture_repeats_becomes_the_source():
    # given 003, whose first line is a donation appeal and whose furniture names the site again
    article, dump = seed("003")
    assert dump.startswith("Support The Moscow Times!")
    assert article.source == "The Moscow Times"


def test_a_leading_date_field_becomes_published_and_leaves_the_text():
    article, _ = seed("000")
    assert article.published == "2025-07-12"
    assert article.title is None   # the dump has no title line; none is made up
    assert article.paragraphs[0].startswith("Russian Foreign Minister Sergei Lavrov on Saturday")
    assert "date 2025" not in article.text


def test_the_same_wire_story_shares_most_of_its_text_after_cleaning():
    """000 and 001 are one AFP story: dedup downstream needs their cleaned texts to overlap."""
    short, _ = seed("000")
    long, _ = seed("001")
    a, b = shingles(short.text), shingles(long.text)
    assert len(a & b) / len(a) == pytest.approx(0.63, abs=0.04)


def test_a_one_line_news_brief_is_an_article():
    # given a feed item: headline and lead run together on one line, no final period
    raw = b"Harbour bridge to close for repairs The city will shut the old harbour bridge for six weeks from May while engineers replace its worn cables"
    (article,) = clean(raw, "brief.txt")
    assert article.text.startswith("Harbour bridge to close") and article.text.endswith("worn cables")


def test_a_headline_and_a_terse_lead_sentence_are_a_brief_with_its_title():
    # given a feed item of a headline and one lead sentence dense with names and figures
    raw = (b"Steelmaker shares soar\n\n"
           b"Nippon Steel Corp. shares jumped 7% Monday after first-quarter operating profit beat analysts' forecasts.")
    # when it is cleaned
    (article,) = clean(raw, "brief.txt")
    # then the sentence is the article and the headline its title
    assert article.title == "Steelmaker shares soar"
    assert article.paragraphs == ("Nippon Steel Corp. shares jumped 7% Monday after first-quarter operating profit beat analysts' forecasts.",)


def test_a_terse_line_without_a_full_stop_is_still_no_brief():
    # given a short dump whose one long line is a run of names, not a sentence
    raw = b"Metals\nCopper Nickel Zinc Aluminium Tin Lead Cobalt Lithium Palladium Platinum Rhodium Iridium"
    # when it is cleaned, then it holds no article
    with pytest.raises(NoArticleFound):
        clean(raw, "fragments.txt")


def test_a_few_short_prompts_are_still_no_article():
    with pytest.raises(NoArticleFound):
        clean(b"Subscribe\nSign in to read this story\nForgot your password?", "wall.txt")
