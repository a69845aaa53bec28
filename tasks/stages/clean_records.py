"""Scraper JSON: one record, an array of records, or JSON Lines, each {"html"|"text", "url"?, "title"?, "published"?}.

`parse_records` returns the records of a dump, or None when the dump is not JSON at all
(it is then read as HTML or text). Values of the known fields are strings; anything else
is dropped, so a malformed record cannot crash the stage.
"""
from __future__ import annotations

import json

FIELDS = ("html", "text", "url", "title", "published", "source")
_ALIASES = {"raw_html": "html", "content_html": "html", "body_html": "html", "content": "text",
            "body": "text", "article": "text", "articleBody": "text", "link": "url",
            "headline": "title", "date": "published", "datePublished": "published",
            "published_at": "published", "sitename": "source", "site": "source"}
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")


def looks_like_json(text: str, filename: str) -> bool:
    """True if the dump is named like JSON or starts like it."""
    return filename.lower().endswith(JSON_SUFFIXES) or text.lstrip()[:1] in ("{", "[")


def parse_records(text: str) -> list[dict] | None:
    """The dump's records (dicts with the known fields), or None if it does not parse as JSON."""
    try:
        data = json.loads(text)
    except ValueError:
        data = _json_lines(text)
        if data is None:
            return None
    items = data if isinstance(data, list) else [data]
    return [_record(item) for item in items if isinstance(item, dict)]


def _json_lines(text: str) -> list | None:
    """JSON Lines: every non-empty line one value; None if most lines are not JSON."""
    values, bad = [], 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            values.append(json.loads(line))
        except ValueError:
            bad += 1
    return values if values and bad <= len(values) // 10 else None


def _record(item: dict) -> dict:
    """The known fields of one record, under their canonical names, as non-empty strings."""
    out: dict[str, str] = {}
    for key, value in item.items():
        name = key if key in FIELDS else _ALIASES.get(key)
        if name and isinstance(value, str) and value.strip() and name not in out:
            out[name] = value
    return out
