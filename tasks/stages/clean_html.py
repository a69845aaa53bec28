"""Find the article in an HTML page.

The page is parsed once; metadata.py reads title, date and site from it, and trafilatura
extracts the main content from a copy. Its text then goes through the same line lexicon
as the text dumps (boilerplate.py), which drops furniture it let through (and the tail
after an end marker such as "You may also like"), and loses the title lines (the export
keeps the title in its own field).

When trafilatura finds next to nothing (a page built by scripts, or one its precision
rules over-prune), the JSON-LD articleBody or the text-dump cleaner run on the page's
visible text takes over if it finds much more.
"""
from __future__ import annotations

from dataclasses import dataclass

import trafilatura
from lxml import etree
from trafilatura.utils import load_html

from tasks.stages.boilerplate import is_boilerplate
from tasks.stages.clean_language import detect_language
from tasks.stages.clean_text import extract_lines, trim_tail
from tasks.stages.metadata import page_metadata

TRAFILATURA_OPTIONS = dict(include_comments=False, include_tables=True, favor_precision=True)
FEW_WORDS = 50        # trafilatura found next to nothing below this many words …
FALLBACK_FACTOR = 3   # … and a fallback (JSON-LD body, visible text) with 3 times more words wins
# Elements that never hold article text; dropping them first makes trafilatura's many
# XPath passes run over a much smaller tree.
_INERT = ("script", "style", "noscript", "svg", "template", "iframe", "link", "{http://www.w3.org/2000/svg}svg")


@dataclass
class HtmlArticle:
    title: str | None
    paragraphs: list[str]
    published: str | None
    source: str | None
    url: str | None
    language: str | None


def extract_html(html: str, url: str | None = None) -> HtmlArticle | None:
    """The article of a page, or None when the page has no main content."""
    tree = load_html(html)
    if tree is None:
        return None
    meta = page_metadata(tree, url)
    _strip_inert(tree)
    doc = trafilatura.bare_extraction(tree, url=meta.url, with_metadata=False, **TRAFILATURA_OPTIONS)
    titles = {" ".join(t.split()) for t in meta.title_variants}
    paragraphs = _paragraphs(doc.text if doc is not None else "", titles)
    if _words(paragraphs) < FEW_WORDS:
        fallback = max(_paragraphs(meta.body or "", titles), _from_visible_text(tree, titles), key=_words)
        if _words(fallback) >= FALLBACK_FACTOR * _words(paragraphs):
            paragraphs = fallback
    language = detect_language(" ".join(paragraphs[:5]))
    paragraphs = trim_tail(paragraphs, language)
    if not paragraphs:
        return None
    return HtmlArticle(meta.title, paragraphs, meta.published, meta.source, meta.url, language)


def _paragraphs(text: str, titles: set[str]) -> list[str]:
    """The non-empty lines of an extracted text, without title lines and lexicon boilerplate."""
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return [line for line in lines if line and line not in titles and not is_boilerplate(line)]


def _from_visible_text(tree, titles: set[str]) -> list[str]:
    """The text-dump cleaner on every visible line of the article element (microdata
    itemprop=articleBody) or else of the whole page: the fallback when trafilatura finds little."""
    marked = tree.xpath("//*[@itemprop='articleBody']")
    body = marked[0] if marked else tree.find(".//body")
    chunks = (body if body is not None else tree).itertext()
    lines = [" ".join(line.split()) for chunk in chunks for line in chunk.split("\n")]
    lines = [line for line in lines if line]
    language = detect_language(" ".join(sorted(lines, key=len, reverse=True)[:5]))
    return [p for p in extract_lines(lines, language).paragraphs if p not in titles]


def _words(paragraphs: list[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)


def _strip_inert(tree) -> None:
    """Remove scripts, styles, SVG drawings and HTML comments in place (after metadata read them)."""
    etree.strip_elements(tree, *_INERT, etree.Comment, with_tail=False)
