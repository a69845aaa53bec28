"""Find the article in an HTML page.

The page is parsed once (`parse_html`: the tree trafilatura's public load_html builds, only
faster, with no private trafilatura name imported: UTF-8 bytes in, the libxml2 repairs only
when needed, and lxml's C-level element-class
lookup, which spares a Python callback per element proxy in trafilatura's many XPath
passes); metadata.py reads title, date and site from it, and trafilatura extracts the main
content from a copy, without the <head>, the elements in _INERT and the page furniture
trafilatura deletes before it reads anything (_FURNITURE: dropping it first shrinks the tree
its XPath passes walk by about 40%, with the same result): its fast pass first, and
its full cascade (the comparison with readability and jusText, a third of its time) only when
the fast pass finds under FULL_BELOW_WORDS words, which is where that comparison changes the
result (a fast pass that missed the article finds little). Its text then goes
through the same line lexicon as the text dumps (boilerplate.py), which drops furniture it
let through (and the tail after an end marker such as "You may also like"), and loses the
title lines (the export keeps the title in its own field).

When trafilatura finds next to nothing (a page built by scripts, or one its precision
rules over-prune), the JSON-LD articleBody or the text-dump cleaner run on the page's
visible text (furniture included, as in a text dump: the page is parsed again for it, which
about one page in sixty needs) takes over if it finds much more.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import re

import trafilatura
from trafilatura.settings import MANUALLY_CLEANED
from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction, HTMLParser, fromstring

from tasks.stages.clean.boilerplate import is_boilerplate
from tasks.stages.clean.language import detect_language, page_language
from tasks.stages.clean.text import extract_lines, trim_tail
from tasks.stages.clean.metadata import page_metadata

TRAFILATURA_OPTIONS = dict(include_comments=False, include_tables=True, favor_precision=True)
# trafilatura's fast mode skips its comparison with readability and jusText (a third of its time);
# a page where the fast pass finds fewer words than this gets the full cascade as well.
FULL_BELOW_WORDS = 100
# trafilatura reads no date here (with_metadata=False); given its date parameters, it does not
# work out the local time zone for them on every call (2% of its time).
_NO_DATES = MappingProxyType({"extensive_search": False, "original_date": True})
FEW_WORDS = 50        # trafilatura found next to nothing below this many words …
FALLBACK_FACTOR = 3   # … and a fallback (JSON-LD body, visible text) with 3 times more words wins
# Elements that never hold article text; dropping them first makes trafilatura's many
# XPath passes run over a much smaller tree.
_INERT = ("script", "style", "noscript", "svg", "template", "iframe", "link", "{http://www.w3.org/2000/svg}svg")
# What trafilatura's own cleaning deletes, subtree and all, before it extracts anything (its public
# MANUALLY_CLEANED: nav, footer, aside, buttons, form controls, media …; in precision mode it never
# restores them), less what it handles first (a form that wraps the page, a figure holding a table,
# math) and the <head> (_strip_inert). Dropped before trafilatura runs: 109k elements -> 62k on the
# extraction benchmark, its fast pass 8.8 -> 6.9 ms a page, the text of both passes the same.
_FURNITURE = tuple(tag for tag in MANUALLY_CLEANED if tag not in (*_INERT, "form", "figure", "math", "head"))


# trafilatura's HTML_PARSER, except that every element is a plain HtmlElement chosen in C
# (lxml.html's default lookup calls Python for each proxy to pick form-element subclasses,
# which neither trafilatura nor this stage uses). Read-only after import.
_PARSER = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True)
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity))
# libxml2 workarounds, the same trafilatura.load_html applies (it has no public repair function):
# characters XML forbids (C0 controls but tab, LF, CR; U+FFFE, U+FFFF) are removed; a doctype
# holding a slash on the first line is dropped (lxml bug 1955915); a self-closing <html … />
# in the first lines is opened.
_NOT_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SLASHED_DOCTYPE = re.compile(r"^< ?! ?DOCTYPE[^>]*/[^<>]*>", re.I)
_SELF_CLOSED_HTML = re.compile(r"(<html.*?)\s*/>", re.I)
# Every byte but the control characters of _NOT_XML_CHARS (tab, LF, CR stay) and 0xEF, the
# lead byte of U+FFFE and U+FFFF.
_XML_SAFE_BYTES = bytes(b for b in range(256) if not (b <= 0x08 or b in (0x0B, 0x0C) or 0x0E <= b <= 0x1F or b == 0xEF))


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
    tree = parse_html(html)
    if tree is None:
        return None
    meta = page_metadata(tree, url)
    _strip_inert(tree, *_FURNITURE)
    titles = {" ".join(t.split()) for t in meta.title_variants}
    paragraphs = _paragraphs(_main_text(tree, meta.url, fast=True), titles)
    words = _words(paragraphs)
    if words < FULL_BELOW_WORDS:
        paragraphs = _paragraphs(_main_text(tree, meta.url, fast=False), titles)
        words = _words(paragraphs)
    if words < FEW_WORDS:
        fallback = max(_paragraphs(meta.body or "", titles), _from_visible_text(_visible_tree(html), titles),
                       key=_words)
        if _words(fallback) >= FALLBACK_FACTOR * words:
            paragraphs = fallback
    language = detect_language(" ".join(paragraphs[:5]))
    paragraphs = trim_tail(paragraphs, language)
    if not paragraphs:
        return None
    return HtmlArticle(meta.title, paragraphs, meta.published, meta.source, meta.url, language)


def _main_text(tree: HtmlElement, url: str | None, *, fast: bool) -> str:
    """trafilatura's main text of the page ('' if none); it works on its own copy of the tree."""
    doc = trafilatura.bare_extraction(tree, url=url, with_metadata=False, fast=fast, date_extraction_params=_NO_DATES,
                                      **TRAFILATURA_OPTIONS)
    return doc.text if doc is not None and doc.text else ""


def parse_html(html: str) -> HtmlElement | None:
    """The page's tree as trafilatura.load_html builds it from a str (same repairs, same
    parser options, same fallbacks), only faster; None if the text is not HTML.

    libxml2 reads UTF-8 bytes faster than a Python str (which it has to transcode), and the
    usual page needs none of trafilatura's repairs, whose control-character regex alone costs
    as much as half the parse: a C-speed scan of the bytes tells when to run them.
    """
    beginning = html[:50].lower()
    data = html.encode("utf8", "surrogatepass")
    if _needs_repair(html, data, beginning):
        html = _repair(html, beginning)
        data = html.encode("utf8", "surrogatepass")
    try:
        tree = fromstring(data, parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, TypeError):   # lxml gives up on some junk
        return None
    if tree is not None and "html" not in beginning and len(tree) < 2:
        return None   # not (well-formed) HTML
    return tree


def _repair(html: str, beginning: str) -> str:
    """The page with the libxml2 workarounds above applied."""
    html = _NOT_XML_CHARS.sub("", html)
    if "doctype" in beginning:
        first, _, rest = html.partition("\n")
        html = _SLASHED_DOCTYPE.sub("", first, count=1) + "\n" + rest
    for line in html[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            return _SELF_CLOSED_HTML.sub(r"\1>", html, count=1)
    return html


def _needs_repair(html: str, data: bytes, beginning: str) -> bool:
    """True when _repair would change the text: it holds a control character or U+FFFE/U+FFFF,
    a doctype line to fix, or a self-closing <html/>."""
    suspects = data.translate(None, _XML_SAFE_BYTES)   # the control bytes and 0xEF lead bytes
    if suspects and (suspects.strip(b"\xef") or b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data):
        return True
    if "doctype" in beginning and ("\n" not in html or _SLASHED_DOCTYPE.match(html[:html.index("\n")])):
        return True
    return any("<html" in line and line.endswith("/>") for line in html[:4096].splitlines()[:4])


def _paragraphs(text: str, titles: set[str]) -> list[str]:
    """The non-empty lines of an extracted text, without title lines and lexicon boilerplate."""
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return [line for line in lines if line and line not in titles and not is_boilerplate(line)]


def _visible_tree(html: str) -> HtmlElement:
    """The page's tree as the fallback reads it: without the inert elements, furniture included."""
    tree = parse_html(html)   # parsed once already, so not None
    _strip_inert(tree)
    return tree


def _from_visible_text(tree, titles: set[str]) -> list[str]:
    """The text-dump cleaner on every visible line of the article element (microdata
    itemprop=articleBody) or else of the whole page: the fallback when trafilatura finds little."""
    marked = tree.xpath("//*[@itemprop='articleBody']")
    body = marked[0] if marked else tree.find(".//body")
    chunks = (body if body is not None else tree).itertext()
    lines = [" ".join(line.split()) for chunk in chunks for line in chunk.split("\n")]
    lines = [line for line in lines if line]
    language = page_language(lines)
    return [p for p in extract_lines(lines, language).paragraphs if p not in titles]


def _words(paragraphs: list[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)


def _strip_inert(tree, *also: str) -> None:
    """Remove scripts, styles, SVG drawings and HTML comments in place (after metadata read them),
    and the elements tagged `also` (one walk of the tree for all), then the <head> (title, meta
    tags): no extractor reads it, trafilatura drops it itself."""
    etree.strip_elements(tree, *_INERT, etree.Comment, *also, with_tail=False)
    head = tree.find("head")
    if head is not None and tree.find("body") is not None and head.find(".//*[@itemprop='articleBody']") is None:
        tree.remove(head)
