"""The classify stage's default (lexicon) classifier and `load_classifier`."""
from __future__ import annotations

import pytest

from tasks.stages.topics import DEFAULT, LexiconClassifier, classify, load_classifier, topics_reason
from tasks.stages.topics.classifier import TITLE_BODY_TOKENS, TITLE_WEIGHT, title_weight
from tasks.stages.topics.lexicon import load_lexicon
from tasks.stages.topics.lexicon.loader import parse_line
from tasks.stages.topics.text import stem, tokenize
from tasks.stages.model import TOPIC_LABELS, Topic
from tests.conftest import SEEDS

FIRST_LABEL_CASES = [
    ("Late rally wins it for the home side", "The shortstop homered in the ninth inning and the pitcher struck out the last batter."),
    ("Fed raises interest rates", "The Federal Reserve lifted its benchmark rate as inflation worries grew on Wall Street."),
    ("Microsoft patches Windows flaw", "The software maker released a security update for its operating system."),
    ("Suicide bomber kills 12 in Baghdad", "Insurgents attacked a police station as US troops patrolled the city."),
    ("Quake kills hundreds", "Rescue teams searched the rubble after the earthquake destroyed villages."),
    ("Parliament approves budget", "The opposition voted against the government's bill in a late-night session."),
    ("Man charged with murder", "Police arrested the suspect and prosecutors said he would appear in court on Monday."),
    ("Bird flu spreads", "Health officials said the virus had infected patients in two hospitals."),
    ("Pope visits shrine", "The pontiff celebrated mass before thousands of pilgrims at the cathedral."),
    ("Oscar nominee's new film", "The actress stars in a comedy that topped the box office this weekend."),
]
EXPECTED = ["sport", "economy-business-finance", "science-technology", "conflict-war-peace",
            "disaster-accident-emergency", "politics", "crime-law-justice", "health", "religion",
            "arts-culture-entertainment"]


@pytest.mark.parametrize(("case", "expected"), list(zip(FIRST_LABEL_CASES, EXPECTED)))
def test_given_a_typical_article_then_its_topic_comes_first(case, expected):
    title, text = case
    assert classify(title, text)[0].label == expected
    assert classify(None, f"{title}. {text}")[0].label == expected


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name)
def test_given_a_seed_dump_then_politics_or_war_comes_first(seed):
    topics = classify(None, seed.read_text(encoding="utf8"))
    assert topics[0].label in {"politics", "conflict-war-peace"}


def test_given_any_text_then_topics_are_known_labels_with_scores_best_first():
    for title, text in FIRST_LABEL_CASES + [(None, ""), ("", "   "), (None, "zzz qqq")]:
        topics = classify(title, text)
        assert topics and all(isinstance(t, Topic) and t.label in TOPIC_LABELS for t in topics)
        assert all(0.0 <= t.score <= 1.0 for t in topics)
        assert [t.score for t in topics] == sorted((t.score for t in topics), reverse=True)
        assert len({t.label for t in topics}) == len(topics)


def test_given_a_phrase_then_it_wins_over_its_ambiguous_words():
    text = "A price war between supermarkets cut margins and hit the retailers' shares."
    assert classify(None, text)[0].label == "economy-business-finance"


def test_given_a_clear_short_article_then_the_best_score_is_high():
    topics = classify("Hosts win the derby", "The guard scored 40 points and grabbed ten rebounds as the home team won the basketball game.")
    assert topics[0].label == "sport" and topics[0].score >= 0.8


def test_given_a_long_article_then_scores_do_not_saturate():
    seed = sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf8")
    topics = classify(None, "\n".join([seed] * 10))
    assert topics[0].score < 0.999
    assert {t.label for t in topics} >= {"politics", "conflict-war-peace"}


def test_given_the_title_then_it_weighs_more_than_the_body():
    body = "The minister spoke to reporters after the meeting on Tuesday."
    assert classify("Police arrest suspect in murder inquiry", body)[0].label == "crime-law-justice"
    assert classify("Parliament passes the budget bill", body)[0].label == "politics"


def test_given_a_long_article_then_its_title_keeps_its_say():
    # given a headline, and a body whose few topical words speak for another topic, told briefly
    # and then at length (the same evidence amid many more words of narrative)
    title = "Coach returns to his team"
    medical = ("Doctors at the hospital found a clot in his lung, a surgeon operated twice and the nurses "
               "kept him on medication for weeks.")
    narrative = ("He remembers the cold morning in the kitchen, the kettle on the stove and the letters on the "
                 "table. His daughter drove him to the coast in the spring, and they walked along the harbour "
                 "every evening. He wrote to friends he had not seen for years and learned to cook for himself.\n")
    brief, long = classify(title, medical), classify(title, medical + "\n" + narrative * 8)
    share = {t.label: t.score for t in long}
    # when both are classified, then the headline's topic keeps most of its share in the long one
    # (a fixed title weight let it fade to half: one of the body's hundreds of words)
    assert [t.label for t in brief[:2]] == ["health", "sport"]
    assert share["sport"] >= 0.7 * brief[1].score
    # and a brief's title counts as before: twice a body word
    assert title_weight(TITLE_BODY_TOKENS) == TITLE_WEIGHT == 2.0
    assert title_weight(4 * TITLE_BODY_TOKENS) == 2 * TITLE_WEIGHT


def test_given_a_deal_between_technology_companies_then_the_field_comes_before_the_business_frame():
    text = ("The chipmaker raised its hostile bid for a rival semiconductor maker to $100 billion, "
            "offering shareholders more cash for the company whose processors run most smartphones.")
    assert [t.label for t in classify(None, text)[:2]] == ["science-technology", "economy-business-finance"]
    plain = "The retailer raised its bid for a rival supermarket chain, offering shareholders more cash."
    assert classify(None, plain)[0].label == "economy-business-finance"


def test_given_a_body_in_another_order_then_its_topics_are_the_same():
    # given an article's sentences, and the same sentences with the opening one moved to the end
    match = "The striker scored twice as the home team won the cup final in front of a full stadium."
    money = "Ticket prices and the club's sponsorship revenue were discussed by the board."
    # when both are classified without a title
    first, last = classify(None, f"{match} {money}"), classify(None, f"{money} {match}")
    # then the body is scored by all of its evidence, wherever it stands
    assert first == last and first[0].label == "sport"


def test_given_no_model_file_then_load_classifier_returns_the_lexicon_one(tmp_path):
    assert load_classifier(None) is DEFAULT
    assert load_classifier(tmp_path / "missing.npz") is DEFAULT
    assert DEFAULT.name == "lexicon-v2"
    assert isinstance(DEFAULT, LexiconClassifier)


def test_given_the_data_files_then_every_topic_has_terms():
    lex = load_lexicon()
    topics_with_terms = {topic for entries in lex.entries.values() for topic, _ in entries}
    assert topics_with_terms == set(range(len(TOPIC_LABELS)))
    assert len(lex.priors) == len(TOPIC_LABELS)


def test_given_lexicon_lines_then_they_parse_into_term_and_weight():
    assert parse_line("world cup 3") == ("world cup", 3.0)
    assert parse_line("footbal*   2.5  # prefix") == ("footbal*", 2.5)
    assert parse_line("touchdown") == ("touchdown", 1.0)
    assert parse_line("# a comment") is None and parse_line("   ") is None


def test_given_words_then_tokens_are_lowercased_light_stems():
    assert tokenize("Companies' Shares: the Minister's storm") == ["company", "share", "the", "minister", "storm"]
    assert stem("minister's") == "minister" and stem("boss") == "boss" and stem("goals") == "goal"
    assert stem("physics") == "physics" and stem("athletics") == "athletics" and stem("news") == "news"


def test_given_a_section_label_in_the_title_then_its_rule_decides():
    assert classify("Cricket: a long day at the office", "Rain stopped play after lunch.")[0].label == "sport"
    assert classify(None, "Tech: what the new rules mean for you\nA long read.")[0].label == "science-technology"


def test_given_clear_evidence_for_a_rarer_topic_then_base_rates_do_not_override_it():
    assert classify(None, "Flu vaccine shortage worsens")[0].label == "health"
    assert classify(None, "Pope visits the cathedral")[0].label == "religion"
    assert classify(None, "Heavy snow and rain forecast for the weekend")[0].label == "weather"


def test_given_no_known_term_then_one_low_scored_topic():
    topics = classify(None, "Zzz qqq xyzzy.")
    assert len(topics) == 1 and topics[0].score < 0.5


def test_given_an_article_in_a_language_the_lexicon_does_not_cover_then_no_topics_and_a_reason():
    assert topics_reason(DEFAULT, "en") is None and topics_reason(DEFAULT, None) is None
    reason = topics_reason(DEFAULT, "de")
    assert "'de'" in reason and "covers: en" in reason


AG_ERA_ARTEFACTS = ("#36;", "#39;", "quote, profile", "update 2-", "peoplesoft", "longhorn", "vioxx", "yukos",
                    "allawi", "najaf", "fallujah", "zarqawi", "spaceshipone", "itanium", "grokster", "kazaa",
                    "kerry wood", "nhl lockout", "fiorina", "tiger woods", "goldman sachs", "bill gates")


def test_the_lexicon_holds_no_scrape_artefacts_or_names_of_one_news_year():
    from importlib import resources
    folder = resources.files("tasks.stages.topics.lexicon")
    text = "\n".join(f.read_text(encoding="utf8").lower() for f in folder.iterdir() if f.name.endswith(".tsv"))
    assert [a for a in AG_ERA_ARTEFACTS if a in text] == []
    from tasks.stages.topics.text import KEEP
    assert not KEEP & {"athens", "mets", "woods", "sachs", "gates"}


def test_given_a_household_bill_then_it_is_a_consumer_cost_not_legislation():
    # given a story about a family's electricity bill (a "bill" alone reads as a law in the making)
    text = ("The family was stunned when their electricity bill for December came to thousands of dollars, "
            "and the supplier blamed a meter error.")
    # then it is business, and politics is not among its topics
    assert [t.label for t in classify(None, text)] == ["economy-business-finance"]


def test_given_an_airline_story_then_it_is_the_transport_industry():
    # given a story about a carrier's passengers and fares (IPTC: transport under economy, business and finance)
    text = ("The carrier said passengers on the delayed flight would be rebooked, and airfares on the route "
            "would not rise. Its airways division carries most of the travellers.")
    # then it is business
    assert classify(None, text)[0].label == "economy-business-finance"


def test_given_an_intergovernmental_league_then_it_is_politics_not_sport():
    text = "Foreign ministers of the Arab League will meet in Cairo on Sunday to discuss the crisis."
    assert [t.label for t in classify(None, text)] == ["politics"]


def test_given_a_screen_genre_named_after_science_then_it_is_arts():
    # given a story about a television series whose genre is "science fiction"
    text = ("The science fiction series returns for a second season; the showrunner said the cast filmed "
            "the finale in the spring.")
    # then the genre phrase counts for arts, not for science
    assert [t.label for t in classify(None, text)] == ["arts-culture-entertainment"]


def test_given_everyday_words_that_technology_also_uses_then_they_do_not_make_a_story_technology():
    # given a search for missing people, and a parade report ending in a subscription prompt
    search = "The search for the missing hikers went on overnight after they were discovered to be overdue."
    parade = ("Thousands lined the boulevard as floats and a marching band opened the annual parade. "
              "Sign up for digital access to read on, or re-enter your zip code.")
    # then neither is filed under science and technology
    assert classify(None, search)[0].label == "disaster-accident-emergency"
    assert classify(None, parade)[0].label == "arts-culture-entertainment"


def test_given_a_competition_inquiry_then_it_is_business_not_war():
    # given a story about a price war between telecoms operators and the competition watchdog
    text = ("The competition watchdog opened an inquiry into the price war between the two mobile operators, "
            "which it said could end in a monopoly.")
    # then "price war" is a phrase of business, and the story is business
    assert [t.label for t in classify(None, text)] == ["economy-business-finance"]


def test_given_a_frame_leading_a_spread_of_topics_then_a_field_takes_the_lead_only_when_the_two_dominate():
    from tasks.stages.topics.classifier import field_first
    business, arts = TOPIC_LABELS.index("economy-business-finance"), TOPIC_LABELS.index("arts-culture-entertainment")
    crime, sport = TOPIC_LABELS.index("crime-law-justice"), TOPIC_LABELS.index("sport")
    scores = [0.0] * len(TOPIC_LABELS)
    scores[business], scores[arts] = 8.0, 7.0
    # given business leading arts, the two holding most of the scores (a story about a studio's deal)
    probs = [0.0] * len(TOPIC_LABELS)
    probs[business], probs[arts] = 0.4, 0.3
    # then the field takes the lead
    swapped = field_first(scores, probs)[1]
    assert swapped.index(max(swapped)) == arts
    # given the same two, with crime and sport scoring about as much (a long article's spread)
    spread = list(probs)
    spread[business], spread[arts], spread[crime], spread[sport] = 0.25, 0.2, 0.2, 0.15
    scores[crime] = scores[sport] = 6.5
    # then the frame keeps the lead: the field's terms may be incidental
    kept = field_first(scores, spread)[1]
    assert kept.index(max(kept)) == business


def test_given_a_broadcasters_programming_then_it_is_not_technology():
    # given "programming" in its broadcasting sense
    text = "The broadcaster said its autumn programming would include two new drama series and a quiz show."
    # then it is arts alone: only computer programming and programming languages are technology
    assert [t.label for t in classify(None, text)] == ["arts-culture-entertainment"]


def test_given_words_sport_shares_with_other_news_then_they_do_not_make_a_story_sport():
    # given a police shootout, a round of talks and a back yard: words a match report also uses
    shootout = "Two police officers were wounded in a shootout with a gunman outside an apartment block overnight."
    talks = "Negotiators began a new round of talks on the trade agreement in Geneva on Monday."
    storm = "Heavy rain and strong winds from the storm tore the roof off a house and felled a tree across the back yard."
    # then none of them is filed under sport
    assert classify(None, shootout)[0].label == "crime-law-justice"
    assert "sport" not in [t.label for t in classify(None, talks)]
    assert "sport" not in [t.label for t in classify(None, storm)]
    # while the sporting phrases keep their weight
    assert classify(None, "The holders were knocked out in the round of 16 after a penalty shootout.")[0].label == "sport"


def test_given_a_scam_then_it_is_crime_not_technology():
    # given a swindler arrested for an e-mail scam (IPTC: crime > fraud)
    text = "Police arrested a man accused of running an e-mail scam that swindled retirees out of their savings."
    # then it is crime first
    assert classify(None, text)[0].label == "crime-law-justice"


RECENT_VOCABULARY_CASES = [
    # (IPTC health > communicable disease; technology > artificial intelligence; labour > gig work)
    ("Covid rules return", "Another lockdown begins on Monday as coronavirus cases rise.", "health"),
    ("A chatbot for the firm", "The firm's new chatbot answers questions with a large language model.",
     "science-technology"),
    ("Gig workers ask for holiday pay", "Gig workers who deliver meals say the platforms owe them holiday pay.",
     "labour"),
]


@pytest.mark.parametrize(("title", "text", "expected"), RECENT_VOCABULARY_CASES, ids=("covid", "chatbot", "gig-work"))
def test_given_vocabulary_of_recent_news_then_its_field_comes_first(title, text, expected):
    # given the words of news written after the older vocabulary (the old lexicon read them as
    # crime, business and arts: rules, a firm, a gig); then the field they name comes first
    assert classify(title, text)[0].label == expected


def test_given_a_cryptocurrency_then_it_counts_for_both_business_and_technology():
    lex = load_lexicon()
    topics = {TOPIC_LABELS[t] for t, _ in lex.entries["cryptocurrenc*"]}
    assert topics == {"economy-business-finance", "science-technology"}


HOMOGRAPH_CASES = [
    # (text, its topic): a phrase that holds another desk's word wins over that word
    ("Inspectors from the International Atomic Energy Agency will visit the site next week.", "politics"),
    ("Four tourists died when their coach crashed on a mountain road.", "disaster-accident-emergency"),
    ("Hundreds of passengers on the cruise ship came down with a stomach bug.", "health"),
    ("The property developer plans 300 homes on the former factory site.", "economy-business-finance"),
    ("Local families rely on the food bank more than ever this winter.", "society"),
]


@pytest.mark.parametrize(("text", "expected"), HOMOGRAPH_CASES, ids=("atomic", "coach", "bug", "developer", "food-bank"))
def test_given_a_phrase_holding_another_desks_word_then_the_phrase_decides(text, expected):
    # given an atom that is a watchdog's, a coach that is a bus, a bug that is an illness, a
    # developer who builds houses, a bank that gives food; then the phrase's topic comes first
    assert classify(None, text)[0].label == expected


def test_given_a_territory_named_with_a_business_word_then_it_is_not_business():
    # given a raid in the West Bank (a "bank" that is no lender)
    topics = classify(None, "Troops raided a village in the West Bank overnight and detained two men.")
    # then conflict comes first, and business is not among the topics
    assert topics[0].label == "conflict-war-peace"
    assert "economy-business-finance" not in {t.label for t in topics}
