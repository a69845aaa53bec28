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


def test_a_sentence_broken_at_a_linked_name_is_one_paragraph():
    # given a dump whose page set names in links, so each name sits on a line of its own
    lines = ["Menu", "After a three-year silence, there is news on the fourth film in the rebooted", "Star Trek",
             "film series: a writer best known for creating", "Legion", "is in final talks to direct it.",
             *[f"Sentence {i} of the story goes on about the film and its cast, as reports said this week." for i in range(6)]]
    # when it is cleaned
    article, = clean("\n".join(lines).encode(), "page.txt")
    # then the broken sentence is one paragraph of the article
    assert article.paragraphs[0] == ("After a three-year silence, there is news on the fourth film in the rebooted Star Trek "
                                     "film series: a writer best known for creating Legion is in final talks to direct it.")


def test_a_comments_button_in_a_share_bar_above_the_article_does_not_end_it():
    # given a page whose share bar (with a 'Comments' button) sits between a teaser and the article
    teaser = ("The retailer earned $2.8 billion in the third quarter, the company said on Tuesday morning, as its "
              "sales rose by less than analysts had expected. Its co-founder discusses how the business grew from "
              "one store into a chain of thousands, and what he thinks the next year holds for its workers and "
              "its shareholders, in an interview recorded at the company's headquarters last week.")
    body = [f"Paragraph {i}: the home-improvement retailer said sales were below its expectations, and its "
            f"shares fell in early trading as investors weighed the outlook for the rest of the year." for i in range(6)]
    dump = "\n".join(["Markets", teaser, "Facebook", "Twitter", "Comments", "Print", "Email", *body])
    # when it is cleaned
    article, = clean(dump.encode(), "page.txt")
    # then the article's paragraphs are kept
    assert all(p in article.paragraphs for p in body)


def test_teasers_the_page_lists_twice_are_not_taken_for_the_article():
    # given a page that lists the same ten teasers (each a lead paragraph) above and below its article
    teasers = [f"CITY {i}: Officials said on Wednesday that item number {i} of the day's news would be decided "
               f"by a committee of the regional council after months of debate and two public hearings." for i in range(10)]
    listing = [line for t in teasers for line in (f"Headline {t[:20]}", t)]
    body = [f"Paragraph {i}: nearly 150 people returned home on Wednesday after they were deported, and said they had "
            f"spent their savings on the journey, an official at the airport told reporters." for i in range(6)]
    dump = "\n".join(["Menu", *listing, "Search", *body, "More news", *listing])
    # when it is cleaned
    article, = clean(dump.encode(), "page.txt")
    # then the article is the body, without the teasers
    assert list(article.paragraphs) == body


LEAD = ("Three people died during protests on Tuesday after clashes broke out between the former "
        "leader's supporters and the security forces near a fuel plant outside the capital.")
BODY = [f"Paragraph {i}: the public defender's office said another thirty people had been injured, "
        f"and that the exact circumstances of the deaths remained unclear to its staff." for i in range(6)]


def test_a_list_after_the_lead_does_not_cut_the_lead_off_the_article():
    # given a page whose article sets a list (tour dates, a table's rows) between its lead and its body
    dates = [f"June {d} -- Coral Sky Amphitheatre, West Palm Beach, FL" for d in range(1, 13)]
    dump = "\n".join(["Daily Gazette", "Home | World | Business", "Protesters killed near fuel plant",
                      LEAD, *dates, *BODY, "Comments are closed."])
    # when it is cleaned
    article, = clean(dump.encode(), "page.txt")
    # then the lead, the list and the body are the article, under its headline
    assert article.paragraphs[0] == LEAD
    assert all(d in article.paragraphs for d in dates) and all(p in article.paragraphs for p in BODY)
    assert article.title == "Protesters killed near fuel plant"


def test_a_teaser_before_a_box_of_links_is_not_taken_for_the_lead():
    # given a page with a teaser under its headline, a box of links to other stories, then the article
    links = ["Most read", *[f"Fire Damages Club {i} In Old Town Centre" for i in range(10)]]
    dump = "\n".join(["Daily Gazette", "Another story of the day", LEAD, *links, "Protesters killed near fuel plant",
                      *BODY])
    # when it is cleaned
    article, = clean(dump.encode(), "page.txt")
    # then the article starts at its own body, without the teaser or the links
    assert article.paragraphs[0] == BODY[0]
    # while without the box's heading, the same lines after a lead under a headline are its list
    article, = clean("\n".join(["Daily Gazette", "Another story of the day", LEAD, *links[1:], *BODY]).encode(),
                     "page.txt")
    assert article.paragraphs[0] == LEAD


def test_a_list_that_closes_the_article_is_kept_when_its_lines_are_built_alike():
    # given a page whose article closes on a list of results, then the page's furniture
    results = ["Palm Bay d. Rockledge 70-44", "Viera d. Melbourne 55-41", "Eau Gallie d. Satellite 61-58",
               "Titusville d. Cocoa 48-39"]
    dump = "\n".join(["Daily Gazette", "Protesters killed near fuel plant", LEAD, *BODY, *results,
                      "Comments are closed."])
    # when it is cleaned
    article, = clean(dump.encode(), "page.txt")
    # then the list is the article's close
    assert list(article.paragraphs[-4:]) == results


def test_links_after_the_article_are_not_taken_for_its_list():
    # given a page whose article is followed by a site's links: tags, other stories' headlines
    links = ["Opinion", "Beltway Confidential", "Royals", "Gronk Tells All About His Summer",
             "Serious Allegation Against The Mayor"]
    dump = "\n".join(["Daily Gazette", "Protesters killed near fuel plant", LEAD, *BODY, *links])
    # when it is cleaned
    article, = clean(dump.encode(), "page.txt")
    # then the article ends at its last paragraph
    assert article.paragraphs[-1] == BODY[-1]
