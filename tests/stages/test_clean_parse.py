"""The fast paths of the clean stage give exactly what the slow paths they skip would give."""
import re

import pytest
from lxml import etree
from trafilatura import load_html

from tasks.errors import UndecodableDump
from tasks.stages.clean.boilerplate import cues
from tasks.stages.clean.html import _FURNITURE, _main_text, _needs_repair, _repair, _strip_inert, parse_html
from tasks.stages.clean.segments import _compute_features, features
from tasks.stages.clean.language import stop_words
from tasks.stages.clean.decode import _checked, _utf8

BODY = "<body><article><h1>Titre</h1><p>Le café de la gare a rouvert à Noël, après travaux.</p></article></body>"
PAGES = [
    f"<html><head><title>Café</title></head>{BODY}</html>",
    f"<!DOCTYPE html>\n<html><head><title>Café</title></head>{BODY}</html>",
    f'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html>{BODY}</html>',
    f"<!doctype html><html>{BODY}</html>",                                   # a doctype and no newline at all
    f'<?xml version="1.0" encoding="iso-8859-1"?>\n<html>{BODY}</html>',     # a str lxml refuses to parse
    f'<html><head><meta charset="windows-1251"></head>{BODY}</html>',         # a charset the text no longer has
    f"<html lang='fr' />\n{BODY}",                                            # a self-closing <html/>
    f"<html><body><p>bell\x07 and form feed\x0c and \ufffe, \uffff</p>{BODY}</body></html>",
    f"<html><body><p>fullwidth \uff01 and BOM \ufeff and private \ue001</p>{BODY}</body></html>",
    "<div><p>a bare fragment, not a page</p></div>",
    "<p>x</p>",
]


def _dump(tree):
    return None if tree is None else etree.tostring(tree, encoding="unicode")


@pytest.mark.parametrize("html", PAGES)
def test_parse_html_builds_the_tree_trafilatura_builds(html):
    assert _dump(parse_html(html)) == _dump(load_html(html))


@pytest.mark.parametrize("html", PAGES)
def test_needs_repair_says_whether_the_repairs_would_change_the_text(html):
    beginning = html[:50].lower()
    assert _needs_repair(html, html.encode("utf8"), beginning) == (_repair(html, beginning) != html)


def test_parse_html_gives_plain_html_elements_with_text_content():
    tree = parse_html(PAGES[0])
    assert "café" in tree.find(".//p").text_content()
    assert tree.find(".//p").__class__.__name__ == "HtmlElement"


@pytest.mark.parametrize("text", [
    "plain ASCII text\n" * 50,
    "Le café de la gare, à Noël.\n" * 50,
    "icons \ue001\ue002 in some text " * 40,         # private use, below the junk ratio
    "\ue001\ue002\ue003 mostly icons " * 40,          # private use, above it
    "NUL\x00 bytes\x01 everywhere\x02 " * 40,
    "replacement \ufffd characters \ufffd" * 40,
    "fullwidth \uff01 and BOM \ufeff " * 40,
])
def test_utf8_fast_path_agrees_with_the_junk_regex(text):
    try:
        expected = _checked(text)
    except UndecodableDump:
        expected = None
    assert _utf8(text.encode("utf8")) == expected


def test_utf8_fast_path_refuses_bytes_that_are_not_utf8():
    assert _utf8("café".encode("cp1252")) is None


@pytest.mark.parametrize("line", [
    "Photo: Reuters", "Image credit: John Smith/Getty", "Sign up for our newsletter to get the news",
    "Additional reporting by Jane Doe", "Share", "Related articles", "Most read", "2 days ago",
    "12 July 2025", "The minister said on Tuesday that the talks would resume next week.",
])
def test_cached_segment_features_equal_fresh_ones(line):
    stops = stop_words("en")
    assert features(line, stops) == _compute_features(line, stops)
    assert features(line, stops).boiler == (cues(line)[0] or cues(line)[2])


def test_a_time_marked_pubdate_is_the_publication_date_and_a_plain_time_is_not():
    from lxml.html import fromstring

    from tasks.stages.clean.metadata import _time_tag
    # given a comment's plain <time datetime>, and a page whose <time pubdate> marks its date
    comment = '<div class="comment"><time datetime="2019-05-05">May 5</time></div>'
    assert _time_tag(fromstring(f"<html><body><p>Story.</p>{comment}</body></html>")) is None
    page = f'<html><body><article><time pubdate datetime="2021-02-03T10:00">Feb 3</time></article>{comment}</body></html>'
    assert _time_tag(fromstring(page)) == "2021-02-03"
    assert _time_tag(fromstring('<html><body><time itemprop="datePublished" datetime="2020-01-02">x</time></body></html>')) == "2020-01-02"


LONG_PROSE = ("The council said on Tuesday that the new footbridge would open in the spring, after a year of works "
              "that closed the riverside path, and that the cost had stayed within the budget agreed last year.")


@pytest.mark.parametrize("line", [LONG_PROSE, LONG_PROSE.replace("The council", "Photos taken by readers show the old bridge. The council"),
                                  LONG_PROSE.replace("that closed", "— you may have seen the newsletter — that closed")])
def test_features_told_a_line_is_not_boilerplate_equal_fresh_ones(line):
    # given a long line the HTML path kept (not lexicon boilerplate), which trim_tail reads again
    assert not cues(line)[0]
    # when its features are computed without that cue, then they are the features computed afresh
    stops = stop_words("en")
    assert features(line, stops, boiler=False) == _compute_features(line, stops)


SENTENCE = "The council voted on Tuesday to build a new footbridge across the river, after years of debate. "
FURNISHED_PAGE = f"""<html><head><title>Footbridge</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
<form id="aspnetForm" action="/page"><div class="wrapper">
<aside class="related"><h3>Related</h3><p>{SENTENCE * 2}</p></aside>
<article><h1>Footbridge approved</h1><p>{SENTENCE * 3}</p>
<figure><table><tr><th>Year</th><th>Cost</th></tr><tr><td>2025</td><td>4.2 million</td></tr></table></figure>
<p>{SENTENCE * 2}<button>Share</button> <label>Email <input name="e"></label></p>
<p>Works start in <time datetime="2026-03-01">March</time> and end in the autumn, the council said.</p>
<video><source src="a.mp4"></video><select><option>Sort by date</option></select></article>
</div></form><footer><p>Copyright 2025 The Daily. All rights reserved.</p></footer></body></html>"""


@pytest.mark.parametrize("fast", [True, False])
def test_dropping_the_furniture_first_leaves_trafilaturas_text_as_it_was(fast):
    # given a page whose article sits in a form that wraps the page, with a table in a figure,
    # among nav, aside, footer, buttons and form controls
    plain, stripped = parse_html(FURNISHED_PAGE), parse_html(FURNISHED_PAGE)
    _strip_inert(plain)
    _strip_inert(stripped)
    # when the furniture trafilatura deletes itself is dropped before it runs
    etree.strip_elements(stripped, *_FURNITURE, with_tail=False)
    # then its text is the same, the article and its table in it
    text = _main_text(stripped, None, fast=fast)
    assert text == _main_text(plain, None, fast=fast)
    assert "4.2 million" in text and "Works start in" in text and SENTENCE.strip() in text


# The regex the reader test replaced: one of the words (or prefixes) as a whole word, or a question.
READER_REGEX = re.compile(r"\b(you|your|yours|du|dein\w*|sie|ihr\w*|vous|votre|vos|tu|ton|tes|usted|su|tuo|tua|você|seu"
                          r"|sua|jij|je|uw|вы|ваш\w*|ты|твой)\b|\?$")


@pytest.mark.parametrize("line", [
    "Sign up and get it in your inbox", "Yours truly, the editors", "youth sport is back", "you_tube and you2",
    "Holen Sie sich Ihren Newsletter", "Abonnieren Sie deinen Newsletter", "Подпишитесь на нашу рассылку, ваше мнение важно",
    "Any thoughts?", "Any thoughts?\n", "A question? Not at the end", "sujet du jour", "Je t'aime", "ihr",
])
def test_the_reader_test_agrees_with_the_regex_it_replaced(line):
    from tasks.stages.clean.boilerplate import _TOKEN, _addresses_reader
    lower = line.lower()
    assert _addresses_reader(lower, _TOKEN.findall(lower)) == (READER_REGEX.search(lower) is not None)
