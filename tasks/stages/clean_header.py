"""Metadata written in a plain-text dump itself: dates and scraper header fields.

HTML pages get theirs from their markup (metadata.py).
"""
from __future__ import annotations

import re
from datetime import date

_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.+Z-]*)?\b")
_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I)
_MDY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)

# A scraper's header field at the very start of a dump: "date 2025-07-12 …", "Title: …".
_HEADER = re.compile(r"^\s*(date|published|pubdate|datum|fecha|title|headline|url|source|link)\s*[:=]?\s+", re.I)


def iso_date(text: str) -> str | None:
    """The first plausible date in the text as YYYY-MM-DD (ISO, '12 July 2025' or 'July 12, 2025')."""
    for pattern, order in ((_ISO, "ymd"), (_DMY, "dmy"), (_MDY, "mdy")):
        for m in pattern.finditer(text):
            parts = dict(zip(order, m.groups()))
            found = _valid(parts["y"], parts["m"], parts["d"])
            if found:
                return found
    return None


def _valid(y: str, m: str, d: str) -> str | None:
    month = int(m) if m.isdigit() else _MONTHS.get(m.lower().rstrip("."))
    try:
        day = date(int(y), month or 0, int(d))
    except ValueError:
        return None
    return day.isoformat() if 1990 <= day.year <= 2100 else None


def split_header_fields(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Peel scraper header fields off the first lines; return (fields, remaining lines).

    '  date 2025-07-12 Russian Foreign Minister …' gives {'date': '2025-07-12'} and keeps
    'Russian Foreign Minister …' as the first line.
    """
    fields: dict[str, str] = {}
    lines = list(lines)
    while lines:
        m = _HEADER.match(lines[0])
        if not m:
            break
        key, rest = m.group(1).lower(), lines[0][m.end():]
        if key in ("date", "published", "pubdate", "datum", "fecha"):
            d = _ISO.match(rest)
            if not d or not _valid(*d.groups()):
                break
            fields["published"] = _valid(*d.groups())
            rest = rest[d.end():].strip()
        elif key in ("url", "link", "source") and len(rest.split()) == 1 and "." in rest:
            fields["url" if key != "source" or "/" in rest else "source"] = rest.strip()
            rest = ""
        elif key in ("title", "headline") and ":" in m.group(0):
            fields["title"] = rest.strip()
            rest = ""
        else:
            break
        if rest:
            lines[0] = rest
            break
        lines.pop(0)
    return fields, lines
