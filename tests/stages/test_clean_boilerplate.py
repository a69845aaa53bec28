"""The boilerplate lexicon states kinds of furniture, not sites: lines that seed sites and single
dev pages used are examples the general rules must catch; news prose must pass."""
import pytest

from tasks.stages.clean.boilerplate import cues, is_boilerplate, is_end_marker

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
]
# Furniture that opens the after-article part of a page.
SITE_END_MARKERS = ["Feed for comments", "A message from The Daily:", "Most read", "12 comments"]
PROSE = [
    "The minister said your support is needed, and thanked members for joining the talks.",
    "Do you support the plan?",
    "Residents were asked to share their views on the new footbridge at a meeting later this month.",
    "The council will decide later.",
    "Follow-up talks are planned for next week in Geneva, officials said.",
]


@pytest.mark.parametrize("line", SITE_FURNITURE)
def test_site_furniture_is_caught_by_a_general_rule(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", SITE_END_MARKERS)
def test_the_furniture_after_an_article_is_an_end_marker(line):
    assert is_end_marker(line) or is_boilerplate(line)


@pytest.mark.parametrize("line", PROSE)
def test_news_prose_that_mentions_a_kind_word_is_kept(line):
    assert not any(cues(line))
