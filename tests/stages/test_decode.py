"""Charsets: BOMs, legacy encodings, and HTML pages whose declared charset is wrong."""
from pathlib import Path

import pytest

from tasks.errors import UndecodableDump
from tasks.stages.clean import clean
from tasks.stages.clean.decode import decode_dump

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clean"
MAX = 1_000_000
ACCENTED = "Le café de la gare a rouvert ses portes à Noël, après une rénovation complète de la façade."


def page(declared: str) -> str:
    """An HTML page that declares `declared` as its charset, with accented French prose."""
    body = "".join(f"<p>{ACCENTED} Les habitants du quartier étaient {n} à fêter l'événement.</p>" for n in range(5))
    return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={declared}">'
            f"<title>Le café de la gare</title></head><body><article><h1>Le café de la gare</h1>{body}"
            "</article></body></html>")


def test_a_page_declaring_latin1_but_written_in_utf8_decodes_as_utf8():
    article, = clean(page("iso-8859-1").encode("utf-8"), "cafe.html")
    assert ACCENTED in article.text
    assert article.language == "fr"


def test_a_page_declaring_utf8_but_written_in_cp1252_still_decodes_right():
    article, = clean(page("utf-8").encode("cp1252"), "cafe.html")
    assert ACCENTED in article.text


def test_a_correctly_declared_legacy_charset_is_honoured():
    russian = "Кафе на вокзале снова открылось после ремонта фасада, сообщили жители района."
    html = f'<html><head><meta charset="windows-1251"></head><body><p>{russian}</p></body></html>'
    assert russian in decode_dump(html.encode("cp1251"), max_bytes=MAX)


@pytest.mark.parametrize("bom, encoding", [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                                           (b"\xfe\xff", "utf-16-be")])
def test_a_byte_order_mark_wins(bom, encoding):
    assert decode_dump(bom + ACCENTED.encode(encoding), max_bytes=MAX) == ACCENTED


def test_an_undeclared_legacy_text_is_detected():
    text = (ACCENTED + "\n") * 20
    assert decode_dump(text.encode("cp1252"), max_bytes=MAX) == text


def test_a_cyrillic_text_dump_in_a_legacy_charset_is_detected():
    text = "Министр иностранных дел России прибыл в Пхеньян с рабочим визитом, сообщили государственные СМИ.\n" * 10
    assert decode_dump(text.encode("cp1251"), max_bytes=MAX) == text


def test_a_text_dump_in_utf16_with_its_bom_is_cleaned_like_utf8():
    raw = (FIXTURES / "article.txt").read_text(encoding="utf8").encode("utf-16")
    article, = clean(raw, "article.txt")
    assert article.title == "Town council approves new footbridge over the river"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_its_byte_order_mark_is_recognised(encoding):
    text = (ACCENTED + "\n") * 5
    assert decode_dump(text.encode(encoding), max_bytes=MAX) == text


def test_nul_padded_junk_is_undecodable():
    with pytest.raises(UndecodableDump):
        decode_dump(b"\x00\x01\x02\x03\x04\x05" * 500 + b"some text", max_bytes=MAX)
