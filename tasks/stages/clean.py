"""The clean stage: raw dump bytes in, the articles found in them out.

    clean(raw, filename, *, max_bytes=20 MiB, template_lines=frozenset()) -> list[Extracted]

Steps: decode (decode.py: gzip, size, charset) -> sniff the form -> extract:

* scraper JSON / JSON Lines / a JSON array (clean_records.py): one article per record that
  holds one; a record's html goes through the HTML path, its text through the text path,
  and its url/title/published/source override what extraction found;
* HTML (`.html`, `.htm`, or sniffed from the first bytes): clean_html.py;
* anything else is a plain-text dump, every visible line of a page: clean_text.py.

Errors (tasks/errors.py): EmptyDump, DumpTooLarge, UndecodableDump from decoding, and
NoArticleFound ("no article found: …") when no part of the dump holds article prose.

Learned templates (CCNet style). The store may learn, per source, which lines recur in
many articles (site furniture that extraction let through) and pass their hashes back as
`template_lines`; such lines are then dropped before extraction. The API:

* `line_hash(line) -> int`: a stable signed 64-bit hash (fits a BIGINT) of a line,
  normalized like CCNet (lower case, digits as 0, punctuation and spacing folded), so
  "© 2025 AFP" and "© 2024 AFP" share one hash;
* `template_candidates(ex) -> set[int]`: the hashes to count for an extracted article:
  its paragraphs' lines. Count them per `ex.source` over original (not duplicate)
  articles only (a republished wire story would otherwise teach its own text), and pass a
  hash once it appears in, say, >= 5 articles and >= 20% of the source's articles.

The stage is pure: no settings from the environment, no broker, no store.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from tasks.errors import NoArticleFound
from tasks.stages.boilerplate import is_boilerplate
from tasks.stages.clean_html import extract_html
from tasks.stages.clean_language import detect_language
from tasks.stages.clean_records import looks_like_json, parse_records
from tasks.stages.clean_header import guess_source, iso_date, split_header_fields
from tasks.stages.clean_text import extract_lines
from tasks.stages.decode import decode_dump
from tasks.stages.model import Extracted

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MIN_ARTICLE_WORDS = 25   # an article has this many words in all ...
MIN_BRIEF_WORDS = 10     # ... or is a news brief: one paragraph of this many words
MAX_BRIEF_LINES = 3      # a dump this short is taken whole when no prose block stands out
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
_HTML_START = re.compile(r"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|div|article|p)\b", re.I | re.S)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_DIGIT = re.compile(r"\d")


def clean(raw: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
          template_lines: frozenset[int] = frozenset()) -> list[Extracted]:
    """Every article in the dump; raise a DumpError subclass when there is none."""
    text = decode_dump(raw, max_bytes=max_bytes)
    name = filename.lower().removesuffix(".gz")
    records = parse_records(text) if looks_like_json(text, name) else None
    if records is not None:
        found = [a for r in records if (a := _from_record(r, template_lines)) is not None]
        kind = "JSON record with an article"
    else:
        found = [a for a in [_from_page(text, name, {}, template_lines)] if a is not None]
        kind = "article"
    if not found:
        raise NoArticleFound(f"no article found: the dump holds no {kind} (an index page, a login wall "
                             "or an empty scrape?); check the scraper's target, then requeue the dump")
    return found


def _from_record(record: dict, template_lines: frozenset[int]) -> Extracted | None:
    """The article of one scraper record, its own fields overriding what extraction found."""
    if "html" in record:
        return _from_page(record["html"], ".html", record, template_lines)
    if "text" in record:
        return _from_page(record["text"], ".txt", record, template_lines)
    return None


def _from_page(text: str, name: str, given: dict, template_lines: frozenset[int]) -> Extracted | None:
    """One page (HTML or text dump) to an Extracted, or None if it holds no article."""
    if name.endswith(_HTML_SUFFIXES) or _HTML_START.match(text[:2000]):
        found = _html_fields(text, given.get("url"), template_lines)
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


def _html_fields(html: str, url: str | None, template_lines: frozenset[int]) -> dict | None:
    page = extract_html(html, url)
    if page is None:
        return None
    paragraphs = _drop_templates(page.paragraphs, template_lines)
    return {"title": page.title, "paragraphs": paragraphs, "published": page.published,
            "source": page.source, "url": page.url, "language": page.language}


def _text_fields(text: str, template_lines: frozenset[int]) -> dict:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    fields, lines = split_header_fields([line for line in lines if line])
    lines = _drop_templates(lines, template_lines)
    language = detect_language(" ".join(sorted(lines, key=len, reverse=True)[:5]))
    found = extract_lines(lines, language)
    title = fields.get("title") or found.title
    paragraphs = found.paragraphs or (_brief(lines) if len(lines) <= MAX_BRIEF_LINES else [])
    return {"title": title, "paragraphs": paragraphs, "language": language, "url": fields.get("url"),
            "published": fields.get("published") or iso_date(" ".join(found.lead_in)),
            "source": fields.get("source") or guess_source(lines, title)}


def _brief(lines: list[str]) -> list[str]:
    """A dump of a few lines has no page furniture to strip: its long lines that are not
    boilerplate are the article (a wire brief, a feed item: headline and lead on one line)."""
    return [line for line in lines if len(line.split()) >= MIN_BRIEF_WORDS and not is_boilerplate(line)]


def _drop_templates(lines: list[str], template_lines: frozenset[int]) -> list[str]:
    if not template_lines:
        return lines
    return [line for line in lines if line_hash(line) not in template_lines]


def _is_article(paragraphs: tuple[str, ...]) -> bool:
    """Enough prose for an article: 25 words in all, or one real sentence (a news brief of a
    headline and a lead is an article; an index page's teasers and a login wall's prompts are
    short separate lines, so neither passes)."""
    counts = [len(p.split()) for p in paragraphs]
    return (sum(counts) >= MIN_ARTICLE_WORDS or max(counts, default=0) >= MIN_BRIEF_WORDS
            or _has_cjk_prose(paragraphs))


def _has_cjk_prose(paragraphs: tuple[str, ...]) -> bool:
    return sum(len(p) for p in paragraphs) >= 100 and any("\u3040" <= c <= "\u9fff" for p in paragraphs for c in p)


def normalize_line(line: str) -> str:
    """CCNet-style normal form: NFKC, lower case, digits as 0, punctuation and spaces folded."""
    line = unicodedata.normalize("NFKC", line).lower()
    return " ".join(_NOT_WORD.sub(" ", _DIGIT.sub("0", line)).split())


def line_hash(line: str) -> int:
    """A stable signed 64-bit hash of the line's normal form (same in every process)."""
    digest = hashlib.blake2b(normalize_line(line).encode("utf8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def template_candidates(ex: Extracted) -> set[int]:
    """Hashes of the article's lines, to count per source (see the module docstring)."""
    return {line_hash(line) for p in ex.paragraphs for line in p.split("\n") if normalize_line(line)}
