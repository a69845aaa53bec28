"""Scraper JSON: one record, an array of records, or JSON Lines, each {"html"|"text", "url"?, "title"?, "published"?}.

`parse_records(text, filename)` returns a `Records` (the records of the dump and what could
not be read), or None when the dump is not JSON at all (it is then read as HTML or text).

* A dump named `.json`, or one that starts like a JSON object or array (`{"`, `[{` …), that
  does not parse, raises BrokenJson: it is never read as text (JSON cut off mid-string is
  not an article).
* JSON Lines: every line that parses is a record; the lines that do not are counted, and
  the first error is kept (`Records.skipped`, `Records.first_error`), so the store can
  record them on the dump. When most lines do not parse, the dump is broken JSON.
* JSON nested deeper than the parser can follow fails as BrokenJson, not as an internal error.

Values of the known fields are strings; anything else is dropped, so a malformed record
cannot crash the stage.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from tasks.errors import BrokenJson

FIELDS = ("html", "text", "url", "title", "published", "source")
_ALIASES = {"raw_html": "html", "content_html": "html", "body_html": "html", "content": "text",
            "body": "text", "article": "text", "articleBody": "text", "link": "url",
            "headline": "title", "date": "published", "datePublished": "published",
            "published_at": "published", "sitename": "source", "site": "source"}
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
LINES_SUFFIXES = (".jsonl", ".ndjson")
# A start no prose has: an object with a quoted key, or an array of objects, arrays or strings.
_JSON_START = re.compile(r'\s*(\{\s*"|\[\s*[\[{"]|\{\s*\}|\[\s*\])')


@dataclass(frozen=True)
class Records:
    """The records of a JSON dump (position in the dump, fields), and the items that could not be read."""
    items: tuple[tuple[int, dict], ...]
    skipped: int = 0                 # lines that are not JSON, or items that are not objects
    first_error: str | None = None   # what was wrong with the first skipped one


def looks_like_json(text: str, filename: str) -> bool:
    """True if the dump is named like JSON or starts like it."""
    return filename.lower().endswith(JSON_SUFFIXES) or text.lstrip()[:1] in ("{", "[")


def parse_records(text: str, filename: str = "") -> Records | None:
    """The dump's records, None if it is not JSON at all; raise BrokenJson for JSON that does not parse."""
    name = filename.lower().removesuffix(".gz")
    claims_json = name.endswith(JSON_SUFFIXES) or _JSON_START.match(text[:100]) is not None
    try:
        data = json.loads(text)
    except RecursionError:
        raise BrokenJson("the JSON is nested too deeply to read (thousands of levels): "
                         "fix the scraper's output, then requeue the dump") from None
    except ValueError as exc:
        found = _json_lines(text, exc, strict=name.endswith(LINES_SUFFIXES))
        if found is not None:
            return found
        if claims_json:
            raise BrokenJson(f"the dump is broken JSON ({_reason(exc)}): it may be cut short or "
                             "hand-edited; re-fetch it or fix the scraper, then requeue the dump") from None
        return None
    items = data if isinstance(data, list) else [data]
    return _collect(list(enumerate(items)), skipped=0, first_error=None)


def _json_lines(text: str, whole_error: ValueError, *, strict: bool) -> Records | None:
    """JSON Lines: every non-empty line one value. None unless most lines parse (or, for a
    dump named .jsonl, at least one does)."""
    values: list[tuple[int, object]] = []
    bad, first = 0, None
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    for number, line in enumerate(lines, 1):
        try:
            values.append((number - 1, json.loads(line)))
        except RecursionError:
            bad, first = bad + 1, first or f"line {number}: nested too deeply"
        except ValueError as exc:
            bad, first = bad + 1, first or f"line {number}: {_reason(exc)}"
    objects = sum(isinstance(v, dict) for _, v in values)
    if not objects or (not strict and objects < bad):
        return None
    return _collect(values, skipped=bad, first_error=first)


def _collect(items: list[tuple[int, object]], *, skipped: int, first_error: str | None) -> Records:
    """Records of the JSON objects among the items; anything else is counted as skipped."""
    records = []
    for index, item in items:
        if isinstance(item, dict):
            records.append((index, _record(item)))
        else:
            skipped += 1
            first_error = first_error or f"item {index + 1}: a JSON {type(item).__name__}, not an object"
    return Records(tuple(records), skipped, first_error)


def _reason(exc: ValueError) -> str:
    return str(exc)[:200]


def _record(item: dict) -> dict:
    """The known fields of one record, under their canonical names, as non-empty strings."""
    out: dict[str, str] = {}
    for key, value in item.items():
        name = key if key in FIELDS else _ALIASES.get(key)
        if name and isinstance(value, str) and value.strip() and name not in out:
            out[name] = value
    return out
