"""Stories in the store, on SQLite and the real PostgreSQL: online assignment, duplicates and
rewrites going with their original, and no split story when two workers race."""
import threading

import pytest

from tasks.stages import dedup
from tasks.stages.model import Extracted, Topic
from tasks.stages.stories import StoryRules
from tasks.store import Store
from tasks.store.articles import Draft

RULES = StoryRules.english()

CRASH = [
    ("Small plane crashes near Lake Tahoe, killing four",
     "A small plane carrying four people crashed on Tuesday near Lake Tahoe, the Placer County sheriff said. "
     "The Cessna 172 had left Truckee airport shortly before 9 a.m. Investigators from the National "
     "Transportation Safety Board arrived on Wednesday.", "2019-03-12"),
    ("Four killed as Cessna goes down near Lake Tahoe",
     "Four people died when their Cessna 172 crashed near Lake Tahoe shortly after taking off from Truckee, "
     "Placer County officials said on Tuesday. The National Transportation Safety Board is investigating.",
     "2019-03-13"),
]
OTHER = ("Central bank of Norway raises rates to 4.5 percent",
         "Norges Bank raised its key policy rate to 4.5 percent on Thursday, governor Ida Wolden Bache said in "
         "Oslo, citing inflation in Norway that has stayed above its target for two years.", "2019-03-14")


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    return f"sqlite:///{tmp_path}/s.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")


@pytest.fixture
def store(url):
    s = Store(url)
    yield s
    s.close()


def draft(title, text, published, index=0) -> Draft:
    ex = Extracted(title=title, paragraphs=(text,), published=published)
    return Draft(index, ex, (Topic("politics", 0.9),), "test", dedup.fingerprint(text),
                 story=RULES.read(title, text, published))


def ingest(store: Store, tmp_path, name: str, title, text, published) -> dict:
    path = tmp_path / name
    path.write_text(f"{title}\n{text}")
    reg = store.register(path, 10_000, "v")
    store.claim(reg.dump_id)
    store.save_articles(reg.dump_id, name, [draft(title, text, published)], dedup.decide, "v", rules=RULES)
    return store.articles_of(reg.dump_id)[0]


def test_reports_of_one_event_share_a_story_and_another_event_gets_its_own(store, tmp_path):
    # given two outlets' reports of one crash and a report of something else
    a = ingest(store, tmp_path, "a.txt", *CRASH[0])
    b = ingest(store, tmp_path, "b.txt", *CRASH[1])
    c = ingest(store, tmp_path, "c.txt", *OTHER)
    # then the crash is one story of two, titled by its first article, and the other its own
    assert a["story_id"] == b["story_id"] == "s-" + a["id"]
    assert c["story_id"] not in (a["story_id"], None)
    story = store.story(a["story_id"])
    assert story["size"] == 2 and story["first_article"] == a["id"] and story["last_article"] == b["id"]
    assert story["title"] == CRASH[0][0] and (story["first_date"], story["last_date"]) == ("2019-03-12", "2019-03-13")
    assert [x["id"] for x in story["articles"]] == [a["id"], b["id"]]
    listed = store.stories()
    assert {s["id"] for s in listed} == {a["story_id"], c["story_id"]}
    assert [s["id"] for s in store.stories(since="2019-03-14")] == [c["story_id"]]


def test_a_duplicate_joins_its_originals_story_without_a_rewrite_link(store, tmp_path):
    a = ingest(store, tmp_path, "a.txt", *CRASH[0])
    title, text, day = CRASH[0]
    copy = ingest(store, tmp_path, "copy.txt", "Copy: " + title, text + " ", day)
    assert copy["duplicate_of"] == a["id"] and copy["story_id"] == a["story_id"]
    assert copy["rewrite_of"] is None and store.story(a["story_id"])["size"] == 2


def test_a_requeued_article_keeps_its_story(store, tmp_path):
    a = ingest(store, tmp_path, "a.txt", *CRASH[0])
    store.requeue([a["dump_id"]])
    store.claim(a["dump_id"])
    store.save_articles(a["dump_id"], "a.txt", [draft(*CRASH[0])], dedup.decide, "v", rules=RULES)
    again = store.articles_of(a["dump_id"])[0]
    assert again["story_id"] == a["story_id"] and store.story(a["story_id"])["size"] == 1


def test_racing_workers_do_not_split_a_story(url, tmp_path):
    # given two workers (each its own engine), each saving one report of the same event at once
    stores = [Store(url) for _ in range(2)]
    regs = []
    for i, (s, report) in enumerate(zip(stores, CRASH)):
        path = tmp_path / f"{i}.txt"
        path.write_text(report[1])
        regs.append(s.register(path, 10_000, "v").dump_id)
        s.claim(regs[-1])
    barrier = threading.Barrier(2)

    def save(i):
        barrier.wait()
        stores[i].save_articles(regs[i], f"{i}.txt", [draft(*CRASH[i])], dedup.decide, "v", rules=RULES)
    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then both are in one story, whichever committed first
    ids = {stores[0].articles_of(d)[0]["story_id"] for d in regs}
    assert len(ids) == 1 and stores[0].story(ids.pop())["size"] == 2
    for s in stores:
        s.close()


def test_a_copied_page_text_under_another_events_title_goes_with_its_title(store, tmp_path):
    # given a crash story, and a rate-decision report whose page gave only its boilerplate line
    crash = ingest(store, tmp_path, "a.txt", *CRASH[0])
    boiler = "Sign up for our newsletter and follow us for the latest updates from around the world as they unfold."
    bank = ingest(store, tmp_path, "bank.txt", OTHER[0], boiler, OTHER[2])
    # when another crash report arrives whose page gave the same line (an exact copy of its text)
    late = ingest(store, tmp_path, "late.txt", CRASH[1][0], boiler, CRASH[1][2])
    # then it is linked to the copy, but placed in the story its title tells
    assert late["duplicate_of"] == bank["id"]
    assert late["story_id"] == crash["story_id"] != bank["story_id"]


def test_candidates_are_the_stories_within_reach_sharing_key_terms_most_first(store, tmp_path):
    from tasks.store import stories
    # given two crash reports in one story and a rate decision in another
    a = ingest(store, tmp_path, "a.txt", *CRASH[0])
    ingest(store, tmp_path, "b.txt", *CRASH[1])
    c = ingest(store, tmp_path, "c.txt", *OTHER)
    report = RULES.read("Cessna crash near Lake Tahoe: Norway's bank staff among the dead", CRASH[0][1], "2019-03-15")
    with store.engine.connect() as conn:
        # when a report of the crash that names the bank looks up candidates, on its date and undated
        found, more = stories.ranked(conn, report.features, RULES.weights)
        undated, _ = stories.ranked(conn, RULES.read(None, CRASH[0][1], None).features, RULES.weights)
        # then the crash story comes first, sharing more key terms, and the bank's after it
        assert [sid for sid, _, _ in found] == [a["story_id"], c["story_id"]] and not more
        assert found[0][1] > found[1][1] > 0 and undated[0][0] == a["story_id"]
        # and a report dated beyond the stories' reach finds none of them
        late = RULES.read(*CRASH[0][:2], "2024-03-12")
        assert stories.ranked(conn, late.features, RULES.weights) == ([], False)
        # and only the first `limit` are given, with word that more share some
        assert stories.ranked(conn, report.features, RULES.weights, limit=1) == (found[:1], True)


def test_an_article_with_few_key_terms_counts_each_shared_term_once(store, tmp_path):
    from dataclasses import replace

    from tasks.stages.stories import keys
    from tasks.store import stories
    # given a story, and an article whose only key terms are two of the story's
    a = ingest(store, tmp_path, "a.txt", *CRASH[0])
    with store.engine.connect() as conn:
        summary = stories.load(conn, [a["story_id"]])[a["story_id"]].summary
        two = keys(summary)[:2]
        article = replace(RULES.read(*CRASH[0]).features, body={t: 1.0 for t in two}, title={}, entities={})
        # when it looks up its candidates (fewer key terms than the look-up has places for)
        found, more = stories.ranked(conn, article, RULES.weights)
    # then the story shares exactly those two, not the repeats filling the places
    assert keys(article) == two
    assert [(sid, shared) for sid, shared, _ in found] == [(a["story_id"], 2)] and not more


def test_a_prior_holds_the_newest_story_change_whether_or_not_it_finds_candidates(store, tmp_path):
    from tasks.store import stories
    # given two stories
    ingest(store, tmp_path, "a.txt", *CRASH[0])
    ingest(store, tmp_path, "c.txt", *OTHER)
    with store.engine.connect() as conn:
        newest = stories.horizon(conn)
        # when articles look up their candidates: one finds some, one is beyond every story's
        # reach, one has no key term at all
        found = stories.prior(conn, RULES.read(*CRASH[1]), RULES)
        beyond = stories.prior(conn, RULES.read(*CRASH[0][:2], "2024-03-12"), RULES)
        empty = stories.prior(conn, RULES.read(None, "", None), RULES)
    # then each holds the newest change as its horizon
    assert newest > 0 and found.refs and not beyond.refs and not empty.refs
    assert found.horizon == beyond.horizon == empty.horizon == newest


def test_signatures_read_before_are_not_decoded_again(store, tmp_path):
    from tasks.store import stories
    # given a story of two reports, its recent members read once
    a = ingest(store, tmp_path, "a.txt", *CRASH[0])
    b = ingest(store, tmp_path, "b.txt", *CRASH[1])
    with store.engine.connect() as conn:
        decoded = {}
        first = stories.recent(conn, a["story_id"], 10, decoded)
        # when they are read again with the signatures decoded then, less the newest one's
        del decoded[first[0][0]]
        again = stories.recent(conn, a["story_id"], 10, decoded)
    # then the newest comes first, each signature as stored, the one still known the very object read before
    assert [aid for aid, _, _ in again] == [b["id"], a["id"]] and again == first and len(decoded) == 2
    assert again[1][2] is first[1][2] and again[0][2] is not first[0][2]
    assert again[0][2] == RULES.read(*CRASH[1]).signature
