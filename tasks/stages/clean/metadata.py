"""Metadata of an HTML page: title, publication date, site name, canonical URL.

Read in order of trust from an lxml tree:

1. JSON-LD (`<script type="application/ld+json">`) of an Article-like object: headline,
   datePublished, publisher.name, url;
2. meta tags (Open Graph, article:*, Dublin Core, Parsely, itemprop) and `<time>`; for the
   site's name og:site_name comes first (JSON-LD's publisher of a syndicated story is the
   agency, not the site);
3. for the title, the page's `<h1>` (when it matches the `<title>`), else `<title>` without
   its " - Site Name" suffix; for the date, htmldate's fast (non-extensive) search.

All cheap: a page costs about a millisecond unless htmldate has to run.
"""
from __future__ import annotations

import json
import re
from html import unescape
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from tasks.stages.clean.header import iso_date

_ARTICLE_TYPES = re.compile(r"article|posting|report|newsarticle|webpage", re.I)
_TITLE_SPLIT = re.compile(r"\s+[|\-–—:•·»]\s+")
_DATE_META = ("article:published_time", "og:article:published_time", "datepublished", "date", "pubdate",
              "publishdate", "publish-date", "publish_date", "dc.date", "dc.date.issued", "dcterms.created",
              "sailthru.date", "parsely-pub-date", "citation_publication_date", "article.published",
              "og:published_time", "cxenseparse:recs:publishtime", "article_date_original")
_SITE_META = ("og:site_name", "application-name", "publisher", "dc.publisher", "cxenseparse:site")
_TITLE_META = ("og:title", "twitter:title", "dc.title", "parsely-title", "headline")


@dataclass
class PageMeta:
    title: str | None = None
    published: str | None = None
    source: str | None = None
    url: str | None = None
    title_variants: tuple[str, ...] = ()   # every title-like string of the page, to drop from the body
    body: str | None = None                # JSON-LD articleBody, when the page carries one


def page_metadata(tree: HtmlElement, url: str | None = None) -> PageMeta:
    """Title, date, site name and URL of the page (each None when absent)."""
    ld = _json_ld(tree)
    meta = _meta_tags(tree)
    h1 = _text_of(tree.find(".//h1"))
    head_title = _text_of(tree.find(".//title"))
    title = ld.get("headline") or _pick(meta, _TITLE_META) or h1 or _strip_site(head_title)
    variants = tuple(v for v in {title, h1, head_title, _strip_site(head_title), _pick(meta, _TITLE_META)} if v)
    published = (_date(ld.get("datePublished")) or _date(_pick(meta, _DATE_META)) or _time_tag(tree)
                 or _htmldate(tree))
    source = (_pick(meta, _SITE_META) or ld.get("publisher") or _title_site(head_title)
              or _host(url or ld.get("url") or meta.get("og:url")) or meta.get("twitter:site"))
    if source and source.startswith("@"):
        source = source[1:]
    title = _without_site(_clean(title), _clean(source))
    return PageMeta(title=title, published=published, source=_clean(source),
                    url=url or meta.get("og:url") or _canonical(tree) or ld.get("url"), title_variants=variants,
                    body=ld.get("articleBody"))


def _json_ld(tree: HtmlElement) -> dict[str, str]:
    """headline, datePublished, publisher, url, articleBody of the first Article-like JSON-LD object."""
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        for obj in _walk(data):
            kind = obj.get("@type")
            kind = " ".join(kind) if isinstance(kind, list) else str(kind or "")
            if _ARTICLE_TYPES.search(kind) and (obj.get("headline") or obj.get("datePublished")):
                publisher = obj.get("publisher")
                name = publisher.get("name") if isinstance(publisher, dict) else None
                fields = (("headline", obj.get("headline")), ("datePublished", obj.get("datePublished")),
                          ("publisher", name), ("url", obj.get("url")), ("articleBody", obj.get("articleBody")))
                return {k: v for k, v in fields if isinstance(v, str)}
    return {}


def _walk(data, depth: int = 0):
    """Every dict in a JSON-LD value (lists and @graph included), shallow first."""
    if depth > 4:
        return
    if isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity"):
            yield from _walk(data.get(key), depth + 1)
    elif isinstance(data, list):
        for item in data:
            yield from _walk(item, depth + 1)


def _meta_tags(tree: HtmlElement) -> dict[str, str]:
    """Lower-cased name/property/itemprop -> content of the page's meta tags (first one wins)."""
    found: dict[str, str] = {}
    for el in tree.iterfind(".//meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop")
        value = el.get("content")
        if key and value and value.strip():
            found.setdefault(key.strip().lower(), value.strip())
    return found


def _pick(meta: dict[str, str], keys: tuple[str, ...]) -> str | None:
    return next((meta[k] for k in keys if k in meta), None)


def _date(value: str | None) -> str | None:
    return iso_date(value) if value else None


def _time_tag(tree: HtmlElement) -> str | None:
    """The date of a `<time>` that says it is the publication date: HTML5's `pubdate` attribute,
    or itemprop/class naming it (datePublished, published, publish-date). A plain
    `<time datetime>` (a comment's, a related story's) says nothing about this page."""
    for el in tree.iterfind(".//time[@datetime]"):
        marked = el.get("pubdate") is not None or "publish" in (el.get("itemprop", "") + " " + el.get("class", "")).lower()
        if marked and (found := _date(el.get("datetime"))):
            return found
    return None


def _htmldate(tree: HtmlElement) -> str | None:
    from htmldate import find_date
    try:
        return find_date(tree, extensive_search=False, original_date=True)
    except (ValueError, TypeError, AttributeError, IndexError, OverflowError, LookupError):
        return None   # htmldate is best effort; a page without a date is fine. (Nothing broader:
        # a worker's time limit is an exception too, and must reach the task.)


def _canonical(tree: HtmlElement) -> str | None:
    link = tree.find(".//link[@rel='canonical']")
    return link.get("href") if link is not None else None


def _host(url: str | None) -> str | None:
    host = urlsplit(url).hostname if url and "//" in url else None
    return host.removeprefix("www.") if host else None


def _text_of(el) -> str | None:
    text = " ".join(el.text_content().split()) if el is not None else ""
    return text or None


def _strip_site(title: str | None) -> str | None:
    """'Big news - The Daily' -> 'Big news' (the longest part of a title split at separators)."""
    if not title:
        return None
    parts = _TITLE_SPLIT.split(title)
    return max(parts, key=len) if len(parts) > 1 else title


def _title_site(title: str | None) -> str | None:
    """'Big news - The Daily' -> 'The Daily' (a short last part of a title split at separators)."""
    parts = _TITLE_SPLIT.split(title) if title else []
    return parts[-1] if len(parts) > 1 and len(parts[-1].split()) <= 5 else None


def _clean(value: str | None) -> str | None:
    """Spacing folded and HTML entities decoded (JSON-LD often carries '&#8211;' as text)."""
    value = " ".join(unescape(value).split()) if value else ""
    return value or None


def _without_site(title: str | None, site: str | None) -> str | None:
    """'Big news | The Daily' -> 'Big news' when 'The Daily' is the page's site name."""
    if not title or not site:
        return title
    parts = _TITLE_SPLIT.split(title)
    if len(parts) > 1 and _folded(parts[-1]) == _folded(site):
        return title[: title.rindex(parts[-1])].rstrip(" |-–—:•·»") or title
    return title


def _folded(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())
