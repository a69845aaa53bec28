"""Metadata written in a plain-text dump itself: dates, scraper header fields, the site's name.

HTML pages get theirs from their markup (metadata.py).
"""
from __future__ import annotations

import re
from datetime import date

from tasks.stages.clean.boilerplate import cues

_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.+Z-]*)?\b")
_MONTH_NAMES = (   # January … December in English, German, French, Spanish, Italian, Portuguese, Dutch
    "january february march april may june july august september october november december",
    "januar februar märz april mai juni juli august september oktober november dezember",
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "januari februari maart april mei juni juli augustus september oktober november december",
)
_MONTHS = {name: i + 1 for names in _MONTH_NAMES for i, name in enumerate(names.split())}
_MONTHS.update({name[:3]: i for name, i in list(_MONTHS.items()) if name[:3] not in _MONTHS})
_MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th|er|º)?\.?\s+(?:de\s+)?({_MONTH_RE})\.?,?\s+(?:de\s+)?(\d{{4}})\b", re.I)
_MDY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)

_SITE_SEPARATOR = re.compile(r"\s+[|\-–—:•·»]\s+")
MAX_SITE_WORDS = 5
MIN_FURNITURE_MENTIONS = 2
# A proper name: capitalized words (linked by &, of, de …), maybe after an article; an article
# inside a run starts a new name ("Support The Daily" -> "The Daily").
_ARTICLES = "The|La|Le|Les|Der|Die|Das|El|Los|Il|Lo|O|A|De|Het"
_CAP = r"[A-Z\u00c0-\u00de\u0410-\u042f][\w'’.&-]*"
_CAPITAL = re.compile(_CAP[:_CAP.index("]") + 1])   # a line without one names nobody
_PROPER_NAME = re.compile(rf"(?:\b(?:{_ARTICLES}) )?(?!(?:{_ARTICLES})\b){_CAP}(?: (?:(?:of|de|&|and) )?(?!(?:{_ARTICLES})\b){_CAP}){{0,3}}")

# A scraper's header field at the very start of a dump: "date 2025-07-12 …", "Title: …".
_HEADER = re.compile(r"^\s*(date|published|pubdate|datum|fecha|title|headline|url|source|link)\s*[:=]?\s+", re.I)


def iso_date(text: str) -> str | None:
    """The first plausible date in the text as YYYY-MM-DD (ISO, '12 July 2025' or 'July 12, 2025')."""
    if _YEAR.search(text) is None:   # cheap test first: every pattern needs a year
        return None
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


def guess_source(lines: list[str], title: str | None) -> str | None:
    """The site's name: the 'Site' of a page title 'Headline - Site' on the dump's first line, or
    a short first line that is not the headline ('The Daily'), or else the name the page's own
    furniture repeats ('Support The Daily!', 'A message from The Daily:'); None when unsure."""
    if not lines:
        return None
    first = lines[0]
    parts = _SITE_SEPARATOR.split(first)
    if len(parts) > 1 and len(parts[-1].split()) <= MAX_SITE_WORDS and parts[-1] != title:
        candidate = parts[-1]
    elif len(first.split()) <= MAX_SITE_WORDS - 1 and first != title:
        candidate = first
    else:
        return named_in_furniture(lines)
    if any(cues(candidate)) or iso_date(candidate) or not any(c.isalpha() for c in candidate):
        return named_in_furniture(lines)
    return candidate.strip()


def named_in_furniture(lines: list[str]) -> str | None:
    """The proper name (2 to 5 capitalized words, an article first allowed) that at least
    MIN_FURNITURE_MENTIONS lines of page furniture (appeals, sign-up pitches, end markers) name:
    a site names itself in its own furniture. None if no name recurs."""
    counts: dict[str, int] = {}
    for line in lines:
        if len(line) > 400 or _CAPITAL.search(line) is None or not any(cues(line)):   # cheap tests first
            continue
        for name in {m.group(0) for m in _PROPER_NAME.finditer(line)}:
            if len(name.split()) >= 2 and not any(cues(name)):
                counts[name] = counts.get(name, 0) + 1
    best = max(counts.items(), key=lambda kv: (kv[1], len(kv[0])), default=(None, 0))
    return best[0] if best[1] >= MIN_FURNITURE_MENTIONS else None
