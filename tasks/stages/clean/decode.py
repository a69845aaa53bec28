"""Bytes to text: gunzip (every member), size checks, charset detection.

A dump arrives as bytes in any charset, maybe gzipped. `decode_dump` returns the text or
raises one of the dump errors. The order of trust when picking a charset:

1. a byte-order mark (UTF-8, UTF-16, UTF-32) always wins;
2. bytes that decode as strict UTF-8 (and are not NUL-riddled UTF-16) are UTF-8 (non-UTF-8 text almost never does by
   accident), whatever an HTML page declares: a page that says iso-8859-1 but is UTF-8
   decodes right; so are bytes whose valid multi-byte UTF-8 sequences far outnumber a few
   invalid bytes (those become U+FFFD, rather than the whole text being read in a wrong charset);
3. otherwise a declared charset (HTML meta, XML prolog) is tried, and kept only if the
   result looks like text (a page that says utf-8 but is cp1252 falls through);
4. otherwise charset-normalizer guesses; cp1252 is the last resort for Western text.

Text that still holds many control characters after all that is binary junk.
"""
from __future__ import annotations

import codecs
import re
import zlib

from charset_normalizer import from_bytes

from tasks.errors import DumpTooLarge, EmptyDump, UndecodableDump

GZIP_MAGIC = b"\x1f\x8b"
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w:.-]{2,40})"""
                       rb"""|<\?xml[^>]{0,100}?encoding\s*=\s*["']([\w:.-]{2,40})""", re.I)
_JUNK = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd\ue000-\uf8ff]")
MAX_JUNK_RATIO = 0.02
MOSTLY_UTF8 = 2   # valid multi-byte UTF-8 characters per invalid byte, at least
# Every byte but the ASCII junk of _JUNK (tab, LF, FF, CR are fine), for a C-speed pre-check of UTF-8 bytes.
_NOT_JUNK_BYTES = bytes(b for b in range(256) if not (b <= 0x08 or b == 0x0B or 0x0E <= b <= 0x1F or b == 0x7F))
_WEB_CHARSETS = ["cp1252", "cp1251", "gb18030", "gbk", "shift_jis", "euc_jp", "euc_kr", "big5", "cp1250",
                 "iso8859_2", "cp1256", "cp1253", "cp1254", "cp1255", "cp874", "koi8_r", "iso8859_15"]


def decode_dump(raw: bytes, *, max_bytes: int) -> str:
    """Return the text of a dump (gunzipped, decoded); raise EmptyDump, DumpTooLarge or UndecodableDump."""
    check_size(raw, max_bytes)
    if raw[:2] == GZIP_MAGIC:
        raw = gunzip(raw, max_bytes)
        check_size(raw, max_bytes)
    text = to_text(raw)
    if not text.strip():
        raise EmptyDump("the dump holds only whitespace: check the scraper that wrote it")
    return text


def check_size(raw: bytes, max_bytes: int) -> None:
    """Raise EmptyDump for whitespace-only bytes and DumpTooLarge above max_bytes."""
    if not raw or not raw.strip(b" \t\r\n\x0b\x0c\x00"):
        raise EmptyDump("the dump is empty (0 bytes or only whitespace): check the scraper that wrote it")
    if len(raw) > max_bytes:
        raise DumpTooLarge(f"the dump is {len(raw):,} bytes, above the limit of {max_bytes:,}: "
                           "split it into smaller dumps or raise the size limit")


def gunzip(raw: bytes, max_bytes: int) -> bytes:
    """Decompress every member of gzip bytes (`cat a.gz b.gz` is one valid gzip file), refusing
    to inflate beyond max_bytes (a zip bomb stays small); a truncated stream fails as truncated."""
    out, rest = [], raw
    size = 0
    while rest:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            chunk = inflater.decompress(rest, max_bytes + 1 - size)
        except zlib.error as exc:
            raise UndecodableDump(f"the dump starts like gzip but is corrupt ({exc}): "
                                  "re-fetch or re-compress it") from exc
        size += len(chunk)
        out.append(chunk)
        if size > max_bytes:
            raise DumpTooLarge(f"the gzipped dump inflates beyond the limit of {max_bytes:,} bytes: "
                               "split it into smaller dumps or raise the size limit")
        if not inflater.eof:
            raise UndecodableDump("the gzip data is truncated (the file ends mid-stream, "
                                  "a copy cut short?): re-fetch or re-compress it")
        rest = inflater.unused_data.lstrip(b"\x00")   # tape-style NUL padding between or after members
        if rest and rest[:2] != GZIP_MAGIC:
            raise UndecodableDump(f"the gzip data is followed by {len(rest):,} bytes that are not gzip: "
                                  "re-fetch or re-compress it")
    return b"".join(out)


def to_text(raw: bytes) -> str:
    """Decode bytes by the order of trust in the module docstring."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return _checked(raw[len(bom):].decode(encoding, errors="replace"))
    text = _utf8(raw)
    if text is not None:
        return text
    text = _mostly_utf8(raw)
    if text is not None:
        return text
    for encoding in _candidates(raw):
        text = _try(raw, encoding)
        if text is not None:
            return text
    raise UndecodableDump("the dump is not text in any charset we know (binary junk?): "
                          "check that the scraper saved the page body, not an image or archive")


def _candidates(raw: bytes) -> list[str]:
    """Charsets worth trying on non-UTF-8 bytes: UTF-16 without its BOM (every other byte NUL),
    the declared one, then charset-normalizer's guesses."""
    found = _utf16_guess(raw)
    declared = _DECLARED.search(raw[:4096])
    if declared:
        name = (declared.group(1) or declared.group(2)).decode("ascii", "ignore").lower()
        found.append("cp1252" if name in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii") else name)
    found.extend(_guesses(raw))
    found.append("cp1252")
    return found


def _utf16_guess(raw: bytes) -> list[str]:
    """['utf-16-le'] or ['utf-16-be'] when most odd (or even) bytes of the start are NUL."""
    head = raw[:4000]
    if len(head) < 8:
        return []
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if odd > 0.4 * len(head) / 2 and even < 0.05 * len(head) / 2:
        return ["utf-16-le"]
    if even > 0.4 * len(head) / 2 and odd < 0.05 * len(head) / 2:
        return ["utf-16-be"]
    return []


def _guesses(raw: bytes) -> list[str]:
    """charset-normalizer's candidates, least chaotic first; ties go to the charsets most used on the web
    (cp1250 and cp1252 read French equally 'well', but cp1252 is far more likely)."""
    matches = from_bytes(raw[:200_000], steps=5, chunk_size=1024)

    def rank(match):
        common = _WEB_CHARSETS.index(match.encoding) if match.encoding in _WEB_CHARSETS else len(_WEB_CHARSETS)
        return round(match.chaos, 2), -round(match.coherence, 2), common
    return [m.encoding for m in sorted(matches, key=rank)]


def _utf8(raw: bytes) -> str | None:
    """_try(raw, "utf-8"), skipping the junk regex when the bytes cannot hold junk: no control
    byte, and no lead byte of U+E000-U+FFFF (0xEE, 0xEF: private use, U+FFFD) at all."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not raw.translate(None, _NOT_JUNK_BYTES) and b"\xee" not in raw and b"\xef" not in raw:
        return text
    try:
        return _checked(text)
    except UndecodableDump:
        return None


def _mostly_utf8(raw: bytes) -> str | None:
    """UTF-8 with a few stray bytes (a cp1252 quote pasted into UTF-8 text), decoded as UTF-8 with
    U+FFFD for each bad byte, when its valid multi-byte sequences outnumber the bad bytes
    MOSTLY_UTF8 to one: legacy 8-bit text almost never forms valid UTF-8 sequences by chance."""
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - raw.count(b"\xef\xbf\xbd")
    if bad <= 0:
        return None
    multibyte = sum(1 for c in text if c > "\x7f") - bad
    if multibyte < MOSTLY_UTF8 * bad:
        return None
    try:
        return _checked(text)
    except UndecodableDump:
        return None


def _try(raw: bytes, encoding: str) -> str | None:
    """The text in this encoding if it decodes strictly and looks like text, else None."""
    try:
        return _checked(raw.decode(encoding))
    except (LookupError, UnicodeDecodeError, UndecodableDump):
        return None


def _checked(text: str) -> str:
    """Raise UndecodableDump if the text is mostly control or replacement characters."""
    sample = text[:100_000]
    if sample and len(_JUNK.findall(sample)) > MAX_JUNK_RATIO * len(sample):
        raise UndecodableDump("the dump decodes only to control characters (binary junk?): "
                              "check that the scraper saved the page body, not an image or archive")
    return text
