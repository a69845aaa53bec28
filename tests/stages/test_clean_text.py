"""Text dumps: a page that renders its article twice gives it once; a box of links to other
stories above the article does not hide it."""
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


def test_a_most_read_box_between_a_photo_gallery_and_the_article_does_not_end_it():
    # given a dump with a gallery's captions, then a "Most Popular" box, then the article
    captions = [f"{i} of 3\nA shopper looks at extension cords at a hardware store on Tuesday, in preparation "
                f"for the planned power shutoff, number {i}." for i in range(1, 4)]
    popular = ["Most Popular", "Fire damages club in the old town", "Best pizza of the region 2019"]
    body = [f"Paragraph {i}: the utility said it would begin shutting off power on Wednesday to thousands of "
            f"people in the north of the state, as dry winds raised the risk of wildfires there." for i in range(8)]
    dump = "\n".join(["Menu", "Search", *captions, *popular, *body, "About us"])
    # when it is cleaned
    article, = clean(dump.encode(), "page.txt")
    # then the article's paragraphs are all kept
    assert all(p in article.paragraphs for p in body)
