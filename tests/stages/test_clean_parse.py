"""The fast paths of the clean stage give exactly what the slow paths they skip would give."""
import pytest
from lxml import etree
from trafilatura import load_html

from tasks.errors import UndecodableDump
from tasks.stages.clean.boilerplate import cues
from tasks.stages.clean.html import _needs_repair, _repair, parse_html
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
