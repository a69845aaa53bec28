"""Text dumps: a page that renders its article twice gives it once."""
from pathlib import Path

from tasks.stages.clean import clean

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clean"


def test_an_article_rendered_twice_in_a_text_dump_is_kept_once():
    # given a text dump whose page repeats its whole article (a hidden copy, a print view)
    once, = clean((FIXTURES / "article.txt").read_bytes(), "article.txt")
    lines = (FIXTURES / "article.txt").read_text(encoding="utf8").splitlines()
    end = max(i for i, line in enumerate(lines) if " ".join(line.split()) == once.paragraphs[-1])
    dump = "\n".join(lines[:end + 1] + [*once.paragraphs] + lines[end + 1:])
    # when it is cleaned
    twice, = clean(dump.encode(), "article.txt")
    # then each paragraph is kept once, in order
    assert list(twice.paragraphs) == list(once.paragraphs)
