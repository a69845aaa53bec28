"""Learned templates: stable line hashes, and lines the store learned to be boilerplate are dropped."""
import subprocess
import sys
from pathlib import Path

from tasks.stages.clean import clean, line_hash, normalize_line, template_candidates

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clean"
PROMO = "Our reporters bring you the stories that matter in the region, every single day of the week."


def test_a_line_hash_is_a_signed_64_bit_integer_stable_across_processes():
    here = line_hash("© 2025 AFP")
    there = subprocess.run([sys.executable, "-c", "from tasks.stages.clean import line_hash; print(line_hash('© 2025 AFP'))"],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert here == int(there) == -2706449860834923869
    assert -2**63 <= here < 2**63


def test_hashes_ignore_case_digits_punctuation_and_spacing():
    assert line_hash("© 2025 AFP") == line_hash("©2024   afp")
    assert line_hash("Read more!") == line_hash("read more")
    assert line_hash("Read more") != line_hash("Read less")


def test_ascii_and_non_ascii_lines_share_one_normal_form():
    # given the same line in ASCII and in full-width forms, with an underscore and non-ASCII digits
    # when both are normalized (ASCII lines take a shortcut past NFKC)
    # then they give one normal form: letters lower-cased, every digit 0, "_" and punctuation a space
    assert normalize_line("Read_more: 2025 AFP!") == normalize_line("Ｒｅａｄ＿ｍｏｒｅ： ２０２５ ＡＦＰ！") == "read more 0000 afp"
    assert normalize_line("Ціна — ٣٤ грн…") == "ціна 00 грн"
    assert normalize_line(" -- ") == normalize_line("— …") == ""
    assert line_hash("Read_more: 2025 AFP!") == line_hash("Ｒｅａｄ＿ｍｏｒｅ： ２０２５ ＡＦＰ！")


def test_a_learned_template_line_is_dropped_from_the_article():
    dump = (FIXTURES / "article.txt").read_text(encoding="utf8").replace("Advertisement", PROMO)
    before, = clean(dump.encode(), "article.txt")
    after, = clean(dump.encode(), "article.txt", template_lines=frozenset({line_hash(PROMO)}))
    assert PROMO in before.paragraphs
    assert PROMO not in after.paragraphs
    assert len(after.paragraphs) == len(before.paragraphs) - 1


def test_template_candidates_are_the_hashes_of_the_article_lines():
    article, = clean((FIXTURES / "article.txt").read_bytes(), "article.txt")
    assert template_candidates(article) == {line_hash(p) for p in article.paragraphs}


def test_a_page_cleaned_again_with_its_learned_lines_reuses_its_extraction(monkeypatch):
    # given an HTML page whose footer line is a learned template, cleaned once with a `pages` dict
    import tasks.stages.clean as clean_stage
    prose = " ".join(["The council met on Tuesday and agreed to repair the bridge before the winter."] * 3)
    html = (f"<html><head><title>Bridge</title></head><body><article><h1>Bridge</h1><p>{prose}</p><p>{prose}</p>"
            f"<p>{PROMO}</p></article></body></html>").encode()
    pages: dict = {}
    first, = clean(html, "bridge.html", pages=pages)
    runs = []
    real = clean_stage.extract_html
    monkeypatch.setattr(clean_stage, "extract_html", lambda page, url=None: runs.append(url) or real(page, url))
    # when it is cleaned again with the template line and the same dict
    again, = clean(html, "bridge.html", template_lines=frozenset({line_hash(PROMO)}), pages=pages)
    # then the page is not extracted again, and the result is that of a clean without the dict
    assert runs == []
    assert again == clean(html, "bridge.html", template_lines=frozenset({line_hash(PROMO)}))[0]
    assert PROMO in first.paragraphs and PROMO not in again.paragraphs
