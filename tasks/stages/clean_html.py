"""Find the article in an HTML page.

The page is parsed once; metadata.py reads title, date and site from it, and trafilatura
extracts the main content from a copy. Its text then goes through the same line lexicon
as the text dumps (boilerplate.py), which drops furniture it let through, and loses the
title lines (the export keeps the title in its own field).
"""
from __future__ import annotations

from dataclasses import dataclass

import trafilatura
from trafilatura.utils import load_html

from tasks.stages.boilerplate import is_boilerplate
from tasks.stages.metadata import page_metadata

TRAFILATURA_OPTIONS = dict(include_comments=False, include_tables=True, favor_precision=True)


@dataclass
class HtmlArticle:
    title: str | None
    paragraphs: list[str]
    published: str | None
    source: str | None
    url: str | None


def extract_html(html: str, url: str | None = None) -> HtmlArticle | None:
    """The article of a page, or None when the page has no main content."""
    tree = load_html(html)
    if tree is None:
        return None
    meta = page_metadata(tree, url)
    doc = trafilatura.bare_extraction(tree, url=meta.url, with_metadata=False, **TRAFILATURA_OPTIONS)
    if doc is None or not doc.text:
        return None
    titles = {" ".join(t.split()) for t in meta.title_variants}
    lines = (" ".join(line.split()) for line in doc.text.split("\n"))
    paragraphs = [line for line in lines if line and line not in titles and not is_boilerplate(line)]
    return HtmlArticle(meta.title, paragraphs, meta.published, meta.source, meta.url)
