"""The clean stage: raw dump bytes in, the articles found in them out.

    clean(raw, filename, *, max_bytes=20 MiB, template_lines=frozenset(), pages=None) -> Cleaned

`Cleaned` is a sequence of Extracted (one per article, in dump order) that also says which
record of the dump each came from (`records`) and what could not be read (`warning`: JSON
Lines that do not parse, records without an article), so nothing is dropped unseen.

Steps, one module each:

* decode.py: gzip (every member), size, charset;
* records.py: scraper JSON / JSON Lines / a JSON array: one article per record that holds
  one; a record's html goes through the HTML path, its text through the text path, and its
  url/title/published/source override what extraction found;
* html.py (with metadata.py): an HTML page (`.html`, `.htm`, or sniffed from its first bytes);
* text.py (with segments.py, header.py): a plain-text dump, every visible line of a page;
* boilerplate.py: the lexicon of furniture kinds both paths drop; language.py: language ID
  and stop words; templates.py: the line hashes of learned per-source templates.

Errors (tasks/errors.py): EmptyDump, DumpTooLarge, UndecodableDump from decoding,
BrokenJson for JSON that does not parse, and NoArticleFound ("no article found: …") when no
part of the dump holds article prose.

The stage is pure: no settings from the environment, no broker, no store.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tasks.errors import NoArticleFound
from tasks.stages.clean.boilerplate import is_boilerplate
from tasks.stages.clean.decode import decode_dump
from tasks.stages.clean.header import guess_source, iso_date, split_header_fields
from tasks.stages.clean.html import HtmlArticle, extract_html
from tasks.stages.clean.language import detect_language, page_language, stop_words
from tasks.stages.clean.records import Records, looks_like_json, parse_records
from tasks.stages.clean.segments import MIN_STOP_SHARE, features
from tasks.stages.clean.templates import drop_templates, line_hash, normalize_line, template_candidates
from tasks.stages.clean.text import extract_lines, title_like
from tasks.stages.model import Extracted

__all__ = ["Cleaned", "clean", "line_hash", "normalize_line", "template_candidates"]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MIN_ARTICLE_WORDS = 25   # an article has this many words in all ...
MIN_BRIEF_WORDS = 10     # ... or is a news brief: one sentence of prose this long
MAX_BRIEF_LINES = 3      # a dump this short is taken whole when no prose block stands out
MIN_BRIEF_SENTENCE_SHARE = 0.1   # a whole sentence in such a dump is prose with this share of stop words
_SENTENCE_ENDS = frozenset(".!?\u2026")
_CLOSERS = "\"'\u201d\u2019\u00bb)]"
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
_HTML_START = re.compile(r"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|div|article|p)\b", re.I | re.S)


@dataclass(frozen=True)
class Cleaned(Sequence):
    """The articles of a dump, the index of the record each came from, and what was skipped."""
    articles: tuple[Extracted, ...]
    records: tuple[int, ...]         # the dump's record index of each article (0 for a page)
    warning: str | None = None       # records that could not be read, or held no article

    def __getitem__(self, i):
        return self.articles[i]

    def __len__(self) -> int:
        return len(self.articles)


def clean(raw: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
          template_lines: frozenset[int] = frozenset(), pages: dict | None = None) -> Cleaned:
    """Every article in the dump; raise a DumpError subclass when there is none.

    `pages`: a dict the caller owns, for a dump it cleans twice (again with the template lines
    its store learned): each HTML page is extracted once, the second clean takes the first's
    extraction from it (an HTML page's template lines go after extraction, not before)."""
    text = decode_dump(raw, max_bytes=max_bytes)
    name = filename.lower().removesuffix(".gz")
    records = parse_records(text, name) if looks_like_json(text, name) else None
    if records is None:
        page = _from_page(text, name, {}, template_lines, pages)
        if page is None:
            raise NoArticleFound("no article found: the dump holds no article (an index page, a login wall "
                                 "or an empty scrape?); check the scraper's target, then requeue the dump")
        return Cleaned((page,), (0,))
    found = [(i, a) for i, r in records.items if (a := _from_record(r, template_lines, pages)) is not None]
    if not found:
        why = f" ({records.first_error})" if records.first_error else ""
        raise NoArticleFound(f"no article found: the dump holds no JSON record with an article{why}; "
                             "check the scraper's target, then requeue the dump")
    return Cleaned(tuple(a for _, a in found), tuple(i for i, _ in found), _warning(records, len(found)))


def _warning(records: Records, articles: int) -> str | None:
    """'2 of 23 records skipped: 1 unreadable (first: line 4: …), 1 without an article', or None."""
    empty = len(records.items) - articles
    if not records.skipped and not empty:
        return None
    parts = [f"{records.skipped} unreadable (first: {records.first_error})"] if records.skipped else []
    parts += [f"{empty} without an article"] if empty else []
    return f"{records.skipped + empty} of {records.skipped + len(records.items)} records skipped: {', '.join(parts)}"


def _from_record(record: dict, template_lines: frozenset[int], pages: dict | None) -> Extracted | None:
    """The article of one scraper record, its own fields overriding what extraction found."""
    if "html" in record:
        return _from_page(record["html"], ".html", record, template_lines, pages)
    if "text" in record:
        return _from_page(record["text"], ".txt", record, template_lines, pages)
    return None


def _from_page(text: str, name: str, given: dict, template_lines: frozenset[int],
               pages: dict | None = None) -> Extracted | None:
    """One page (HTML or text dump) to an Extracted, or None if it holds no article."""
    if name.endswith(_HTML_SUFFIXES) or _HTML_START.match(text[:2000]):
        found = _html_fields(text, given.get("url"), template_lines, pages)
    else:
        found = _text_fields(text, template_lines)
    if found is None:
        return None
    for key in ("title", "url", "source"):
        if given.get(key):
            found[key] = given[key].strip()
    if given.get("published"):
        found["published"] = iso_date(given["published"]) or found.get("published")
    paragraphs = tuple(found["paragraphs"])
    if not _is_article(paragraphs):
        return None
    language = found.get("language") or detect_language("\n".join(paragraphs))
    return Extracted(title=found.get("title"), paragraphs=paragraphs, published=found.get("published"),
                     source=found.get("source"), language=language, url=found.get("url"))


def _html_fields(html: str, url: str | None, template_lines: frozenset[int], pages: dict | None) -> dict | None:
    page = _extracted_page(html, url, pages)
    if page is None:
        return None
    return {"title": page.title, "paragraphs": drop_templates(page.paragraphs, template_lines),
            "published": page.published, "source": page.source, "url": page.url, "language": page.language}


def _extracted_page(html: str, url: str | None, pages: dict | None) -> HtmlArticle | None:
    """extract_html(html, url), from `pages` when this page was extracted for it already (never
    changed there: the template lines are dropped from a copy of its paragraphs)."""
    if pages is None:
        return extract_html(html, url)
    if (html, url) not in pages:
        pages[html, url] = extract_html(html, url)
    return pages[html, url]


def _text_fields(text: str, template_lines: frozenset[int]) -> dict:
    lines = [_folded(line) for line in text.splitlines()]
    fields, lines = split_header_fields([line for line in lines if line])
    lines = drop_templates(lines, template_lines)
    language = page_language(lines)
    found = extract_lines(lines, language)
    title, paragraphs = fields.get("title") or found.title, found.paragraphs
    if not paragraphs and len(lines) <= MAX_BRIEF_LINES:
        paragraphs = _brief(lines, language)
        title = title or _brief_headline(lines, paragraphs, language)
    return {"title": title, "paragraphs": paragraphs, "language": language, "url": fields.get("url"),
            "published": fields.get("published") or iso_date(" ".join(found.lead_in)),
            "source": fields.get("source") or guess_source(lines, title)}


def _folded(line: str) -> str:
    """The line with its spacing folded (" ".join(line.split())), without the split for a line
    that has none to fold: a printable line holds no whitespace but " " (the usual line)."""
    if line.isprintable() and "  " not in line and line[:1] != " " and line[-1:] != " ":
        return line
    return " ".join(line.split())


def _brief(lines: list[str], language: str | None) -> list[str]:
    """A dump of a few lines has no page furniture to strip: its lines that read as prose and are
    not boilerplate are the article. Prose here is MIN_BRIEF_WORDS words with the language's share
    of stop words, even without a full stop (a feed item's headline and lead run together), or a
    whole sentence with a smaller share (MIN_BRIEF_SENTENCE_SHARE): a news lead is dense with
    names and figures ("Acme Corp. shares jumped 7% Monday after first-quarter profit beat forecasts.")."""
    stops = stop_words(language)
    return [line for line in lines
            if (seg := features(line, stops)).words >= MIN_BRIEF_WORDS and not is_boilerplate(line)
            and seg.stop_share >= (MIN_BRIEF_SENTENCE_SHARE if _full_sentence(line) else MIN_STOP_SHARE)]


def _full_sentence(line: str) -> bool:
    """Ends with a full stop, question or exclamation mark (maybe inside quotes or brackets)."""
    return line.rstrip(_CLOSERS)[-1:] in _SENTENCE_ENDS


def _brief_headline(lines: list[str], paragraphs: list[str], language: str | None) -> str | None:
    """A brief's headline: the heading-like line (a few words, no full stop, no furniture cue)
    just before its first paragraph, as a feed item or a scraper's text field puts it."""
    at = lines.index(paragraphs[0]) if paragraphs else 0
    if at == 0:
        return None
    return lines[at - 1] if title_like(features(lines[at - 1], stop_words(language))) else None


def _is_article(paragraphs: tuple[str, ...]) -> bool:
    """Enough prose for an article: 25 words in all, or one real sentence (a news brief of a
    headline and a lead is an article; an index page's teasers and a login wall's prompts are
    short separate lines, so neither passes)."""
    counts = [len(p.split()) for p in paragraphs]
    return (sum(counts) >= MIN_ARTICLE_WORDS or max(counts, default=0) >= MIN_BRIEF_WORDS
            or _has_cjk_prose(paragraphs))


def _has_cjk_prose(paragraphs: tuple[str, ...]) -> bool:
    return sum(len(p) for p in paragraphs) >= 100 and any("\u3040" <= c <= "\u9fff" for p in paragraphs for c in p)
