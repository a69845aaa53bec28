"""The boilerplate lexicon states kinds of furniture, not sites: lines that seed sites and single
dev pages used are examples the general rules must catch; news prose must pass."""
import pytest

from tasks.stages.clean.boilerplate import cues, is_boilerplate, is_end_marker, is_link_box

# Furniture seen on the seed sites and on single pages of the extraction benchmark.
SITE_FURNITURE = [
    "What's Your Reaction?",                        # a reactions widget
    "Not ready to support today?",                  # a donation pop-up ...
    "Remind me later.",                             # ... and its dismiss button
    "Subscribers agree to the Privacy Policy",      # a sign-up form's small print
    "Let our news meet your inbox. The news and stories that matters, delivered weekday mornings.",
    "This site is protected by recaptcha",
    "If you enjoyed this article, we have a proposition for you: Join NRPLUS. Members get all of our content "
    "(including the magazine), no paywalls or content meters, an advertising-minimal experience.",
    "Contributing: Kristine Phillips",
    "Follow AP's full coverage of Brexit and British politics at https://www.apnews.com/Brexit",
    "Reach the reporters on Twitter at http://twitter.com/MegKinnardAP and http://twitter.com/emarvelous",
    "More AP news: https://apnews.com/hub/brexit",
    "Our weekly newsletter contains a hand-picked selection of news, features, analysis and more from The Daily. "
    "You will receive it in your mailbox every Friday.",
    "Ne ratez rien : abonnez-vous à notre newsletter",
    "Später erinnern",
    "Pinterest", "Google+", "Flipboard",            # share buttons, one network a line
    "We've detected you are on Internet Explorer. For the best experience, please update to a modern browser.",
    "Please enable JavaScript to view the comments.",
    "Clique na imagem ao lado e veja todas as datas, locais e horários de todos os treinos e corridas da temporada.",
    "Click the image above to see this season's full ranking of the drivers.",
    "Cliquez ici pour lire la suite de notre dossier.",
    "to our newsletter.",
    "An email with an activation link has just been sent to your email address. Please activate your subscription "
    "by clicking on the activation link inside the email.",
    # an author's bio and a wire photo's caption credit, however long
    "Brigit Katz is a freelance writer based in Toronto. Her work has appeared in a number of publications.",
    "Meg James is a corporate media reporter for the Los Angeles Times, covering the business of television.",
    "Max Mustermann ist freier Journalist in Berlin und schreibt über Verkehr und Stadtplanung.",
    "In this Sunday, Nov. 10, 2019, photograph, a long row of unsold sports-utility vehicles sits at a dealership "
    "in Littleton, Colo. (AP Photo/David Zalubowski)",
]
# Furniture that opens the after-article part of a page.
SITE_END_MARKERS = ["Feed for comments", "A message from The Daily:", "12 comments"]
# Boxes of links to other stories: sites render them beside (or inside) the article, so they
# end it only when less prose follows (see test_clean_text).
SITE_LINK_BOXES = ["Most read", "Most Popular", "Trending Now", "Related articles", "You may also like"]
# Consent banners: prose-long, so only a rule about their kind catches them.
COOKIE_NOTICES = [
    "This website uses cookies to improve your experience. We'll assume you're ok with this, but you can opt-out if you wish.",
    "Necessary cookies are absolutely essential for the website to function properly. This category only includes "
    "cookies that ensures basic functionalities and security features of the website.",
    "Diese Website verwendet Cookies, um Ihnen ein besseres Nutzererlebnis zu bieten.",
    "Ce site utilise des cookies pour vous offrir une meilleure expérience de navigation.",
]
PROSE = [
    "The minister said your support is needed, and thanked members for joining the talks.",
    "Do you support the plan?",
    "Residents were asked to share their views on the new footbridge at a meeting later this month.",
    "The council will decide later.",
    "Follow-up talks are planned for next week in Geneva, officials said.",
    "The reporter who broke the story said she had been threatened.",
    "Clicking through the filings, analysts found three more accounts.",
    "Tap water in the district was declared safe to drink on Monday.",
    "Officials said they would email every resident a copy of the plan.",
    "Prime Minister Jane Doe is a former journalist, which her critics say shows in her speeches.",
]


@pytest.mark.parametrize("line", SITE_FURNITURE)
def test_site_furniture_is_caught_by_a_general_rule(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", SITE_END_MARKERS)
def test_the_furniture_after_an_article_is_an_end_marker(line):
    assert is_end_marker(line) or is_boilerplate(line)


@pytest.mark.parametrize("line", SITE_LINK_BOXES)
def test_a_most_read_or_related_box_heading_is_a_link_box(line):
    assert is_link_box(line)


@pytest.mark.parametrize("line", COOKIE_NOTICES)
def test_a_cookie_notice_is_boilerplate_whatever_its_length(line):
    assert is_boilerplate(line)


def test_news_about_cookies_is_kept():
    assert not is_boilerplate("Regulators said advertisers would have to stop tracking people with third-party cookies "
                              "by the end of next year, a change the industry has resisted.")


@pytest.mark.parametrize("line", PROSE)
def test_news_prose_that_mentions_a_kind_word_is_kept(line):
    assert not any(cues(line))
