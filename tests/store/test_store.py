"""The store on SQLite and on the real PostgreSQL: registration by content, states, dedup writes."""

import pytest

from tasks.errors import NotFound
from tasks.stages import dedup
from tasks.stages.model import Extracted, Topic
from tasks.store import Store
from tasks.store.articles import Draft

WIRE = ("Russian Foreign Minister Sergei Lavrov on Saturday met with North Korean leader Kim Jong Un during "
        "his visit to the secretive country and key Moscow ally. Russian and North Korean state media "
        "announced the visit earlier, saying Lavrov would stay until Sunday. It is the latest in a series of "
        "high-profile trips by top Moscow officials as both countries deepen military and political ties.")
OTHER = ("The central bank raised interest rates by a quarter point on Wednesday, citing inflation that has "
         "stayed above its target for two years, and signalled that more increases may follow this autumn.")


def draft(text: str, index: int = 0) -> Draft:
    ex = Extracted(title="t", paragraphs=(text,))
    return Draft(index, ex, (Topic("politics", 0.9),), "test", dedup.fingerprint(text))


def ingest(store: Store, tmp_path, name: str, text: str) -> tuple[str, list]:
    path = tmp_path / name
    path.write_text(text)
    reg = store.register(path, 10_000, "v")
    store.claim(reg.dump_id)
    verdicts = store.save_articles(reg.dump_id, name, [draft(text)], dedup.decide, "v")
    return reg.dump_id, verdicts


def test_register_many_registers_each_file_in_one_go_and_reports_a_missing_one(store, tmp_path):
    # given two files and a path that is not there
    (tmp_path / "a.txt").write_text(WIRE)
    (tmp_path / "b.txt").write_text(OTHER)
    files = [(tmp_path / "a.txt", None), (tmp_path / "gone.txt", None), (tmp_path / "b.txt", None)]
    # when they are registered together
    a, gone, b = store.register_many(files, 10_000, "v")
    # then both files are queued dumps, the missing one is its OSError, and nothing else failed
    assert (a.new, a.state, b.new, b.state) == (True, "queued", True, "queued")
    assert isinstance(gone, FileNotFoundError)
    assert store.states([a.dump_id, b.dump_id]) == {a.dump_id: "queued", b.dump_id: "queued"}
    assert store.register(tmp_path / "a.txt", 10_000, "v").dump_id == a.dump_id


def test_register_many_knows_stored_content_rewritten_files_and_a_file_listed_twice(store, tmp_path):
    # given a stored file, and a file whose earlier content is stored under its path
    (tmp_path / "a.txt").write_text(WIRE)
    (tmp_path / "b.txt").write_text(WIRE)
    (tmp_path / "other").mkdir()
    stored = store.register(tmp_path / "a.txt", 10_000, "v")
    earlier = store.register(tmp_path / "b.txt", 10_000, "v")
    (tmp_path / "b.txt").write_text(OTHER)
    (tmp_path / "other" / "a.txt").write_text(WIRE)
    # when they are registered together with a new file listed twice and a copy of a.txt elsewhere
    (tmp_path / "c.txt").write_text(OTHER + " More.")
    files = [(tmp_path / n, None) for n in ("a.txt", "b.txt", "c.txt", "c.txt", "other/a.txt")]
    a, b, c, c_again, copy = store.register_many(files, 10_000, "v")
    # then the stored content is known (not new), the rewritten file supersedes its earlier dump,
    # the new file is one new dump, and the same bytes under the same name elsewhere are that dump
    assert (a.dump_id, a.new, a.state) == (stored.dump_id, False, "queued")
    assert b.new and b.superseded == (earlier.dump_id,)
    assert store.states([earlier.dump_id]) == {earlier.dump_id: "superseded"}
    assert c.new and (c_again.dump_id, c_again.new) == (c.dump_id, False)
    assert (copy.dump_id, copy.new) == (stored.dump_id, False)
    assert store.dump(stored.dump_id)["path"] == str((tmp_path / "other" / "a.txt").absolute())
    assert store.counts()["queued"] == 3


def test_register_is_idempotent_by_name_and_content(store, tmp_path):
    # given a file registered twice, and the same bytes under another name
    (tmp_path / "a.txt").write_text(WIRE)
    first = store.register(tmp_path / "a.txt", 10_000, "v")
    again = store.register(tmp_path / "a.txt", 10_000, "v")
    (tmp_path / "b.txt").write_text(WIRE)
    copy = store.register(tmp_path / "b.txt", 10_000, "v")
    # then the file is one dump, and the copy another (to be stored as an exact duplicate)
    assert first.new and not again.new and first.dump_id == again.dump_id
    assert copy.new and copy.dump_id != first.dump_id
    assert store.counts()["queued"] == 2 and store.dump(first.dump_id)["source_file"] == "a.txt"


def test_a_huge_dump_is_registered_failed_with_its_reason(store, tmp_path):
    (tmp_path / "big.txt").write_text("x" * 5000)
    reg = store.register(tmp_path / "big.txt", 1000, "v")
    assert reg.state == "failed" and "INGEST_MAX_DUMP_BYTES" in store.dump(reg.dump_id)["error"]
    # and it can be claimed again from its path once re-queued
    assert store.requeue([reg.dump_id]).ids == [reg.dump_id]
    store.claim(reg.dump_id)
    assert store.raw(reg.dump_id) == b"x" * 5000


def test_claim_returns_the_raw_bytes_and_counts_attempts(store, tmp_path):
    (tmp_path / "a.txt").write_bytes(b"caf\xe9")
    reg = store.register(tmp_path / "a.txt", 10_000, "v")
    store.claim(reg.dump_id)
    assert store.raw(reg.dump_id) == b"caf\xe9"
    assert store.dump(reg.dump_id)["state"] == "processing" and store.dump(reg.dump_id)["attempts"] == 1


def test_exact_and_near_duplicates_link_to_the_original(store, tmp_path):
    original, _ = ingest(store, tmp_path, "a.txt", WIRE)
    _, exact = ingest(store, tmp_path, "b.txt", WIRE.upper())
    _, near = ingest(store, tmp_path, "c.txt", WIRE + " Pyongyang sent thousands of troops to Kursk.")
    _, other = ingest(store, tmp_path, "d.txt", OTHER)
    assert exact[0].kind == "exact" and exact[0].duplicate_of == f"{original}-0"
    assert near[0].kind == "near" and near[0].duplicate_of == f"{original}-0"
    assert other[0].duplicate_of is None
    assert store.totals() == {"original": 2, "duplicate": 2}
    exported = list(store.export())
    assert [a["status"] for a in exported] == ["original", "duplicate", "duplicate", "original"]
    assert exported[0]["topics"] == [{"label": "politics", "score": 0.9}]


def test_a_follow_up_built_around_a_stored_story_is_not_its_duplicate(store, tmp_path):
    # given a stored story of eight paragraphs
    story = [" ".join(f"s{p}w{i}" for i in range(30)) for p in range(8)]
    own = [" ".join(f"f{p}w{i}" for i in range(30)) for p in range(4)]
    original, _ = ingest(store, tmp_path, "a.txt", "\n\n".join(story))
    # when a follow-up holds it whole with four paragraphs of its own after the lead,
    # and a copy adds short furniture lines around it
    _, follow_up = ingest(store, tmp_path, "b.txt", "\n\n".join(story[:1] + own + story[1:]))
    _, copy = ingest(store, tmp_path, "c.txt", "\n\n".join(["Share this", "Most read today"] + story))
    # then the store reads both texts: the follow-up is an original, the copy a near duplicate
    assert follow_up[0].duplicate_of is None
    assert copy[0].kind == "near" and copy[0].duplicate_of == f"{original}-0"


def test_reprocessing_keeps_an_original_original(store, tmp_path):
    # given an original and its duplicate
    original, _ = ingest(store, tmp_path, "a.txt", WIRE)
    ingest(store, tmp_path, "b.txt", WIRE + " Extra line about flights between Moscow and Pyongyang.")
    # when the original is processed again (a requeue --all)
    store.requeue([original])
    store.claim(original)
    again = store.save_articles(original, "a.txt", [draft(WIRE)], dedup.decide, "v2")
    # then it is still the original, not a copy of its own duplicate
    assert again[0].duplicate_of is None
    assert store.article(f"{original}-0")["pipeline_version"] == "v2"
    assert store.totals() == {"original": 1, "duplicate": 1}


def test_failures_are_listed_and_requeued(store, tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"")
    reg = store.register(tmp_path / "bad.txt", 10_000, "v")
    lease = store.claim(reg.dump_id)
    assert store.fail(reg.dump_id, "dump is empty", lease.token)
    assert store.recent_failures()[0]["error"] == "dump is empty"
    assert store.requeue(only_failed=True).ids == [reg.dump_id]
    assert store.counts()["failed"] == 0 and store.dump(reg.dump_id)["error"] is None


def test_requeue_of_an_unknown_id_says_so(store):
    with pytest.raises(NotFound, match="nope"):
        store.requeue(["nope"])


def test_an_exact_copy_of_a_near_duplicate_links_to_the_original(store, tmp_path):
    original, _ = ingest(store, tmp_path, "a.txt", WIRE)
    near_text = WIRE + " Pyongyang sent thousands of troops to Kursk."
    ingest(store, tmp_path, "b.txt", near_text)
    _, copy = ingest(store, tmp_path, "c.txt", near_text + "\n")
    assert copy[0].kind == "exact" and copy[0].duplicate_of == f"{original}-0"


def test_a_batch_of_dumps_is_deduped_against_itself_and_a_lost_lease_writes_nothing(store, tmp_path):
    # given three dumps saved in one batch: a story, its edited copy, and one whose lease was taken back
    from tasks.errors import LeaseLost
    from tasks.store.writer import DumpWrite
    batch = []
    for name, text in (("a.txt", WIRE), ("b.txt", WIRE + " Extra."), ("c.txt", OTHER)):
        (tmp_path / name).write_text(text)
        reg = store.register(tmp_path / name, 10_000, "v")
        lease = store.claim(reg.dump_id)
        batch.append(DumpWrite(reg.dump_id, name, [draft(text)], token=lease.token))
    store.claim(batch[2].dump_id, token="another")   # refused: still held by the first lease
    batch[2] = DumpWrite(batch[2].dump_id, "c.txt", [draft(OTHER)], token="stale")
    # when the batch is saved
    a, b, c = store.save_batch(batch, dedup.decide, "v")
    # then the copy is a duplicate of the story saved before it in the same transaction
    assert a[0].duplicate_of is None and b[0].duplicate_of == f"{batch[0].dump_id}-0" and b[0].kind == "near"
    # and the dump whose lease is lost gets LeaseLost, with nothing of it written
    assert isinstance(c, LeaseLost) and store.articles_of(batch[2].dump_id) == []
    assert store.counts()["done"] == 2


SUBJECTS = ["harbour dredging", "school lunches", "tram timetable", "museum roof", "bridge tolls", "park fires"]


def save_with_footer(store, tmp_path, i: int, text: str) -> int:
    """Save `text` as original article `i` of one source, counted with a shared footer line; the footer's hash."""
    from tasks.stages.clean import line_hash
    footer = line_hash("Support independent journalism: donate today.")
    (tmp_path / f"{i}.txt").write_text(text)
    reg = store.register(tmp_path / f"{i}.txt", 10_000, "v")
    d = Draft(0, Extracted(title="t", paragraphs=(text,), source="The Daily"), (Topic("politics", 1.0),),
              "test", dedup.fingerprint(text), frozenset({footer, line_hash(text)}))
    store.claim(reg.dump_id)
    store.save_articles(reg.dump_id, f"{i}.txt", [d], dedup.decide, "v")
    return footer


def test_lines_recurring_across_a_sources_originals_are_learned_as_templates(store, tmp_path):
    # given six different original articles of one source, each holding the same footer line
    for i, subject in enumerate(SUBJECTS):
        text = " ".join(f"{subject} {word}{i}" for word in ("alpha", "beta", "gamma", "delta", "eps", "zeta", "eta"))
        footer = save_with_footer(store, tmp_path, i, text)
        # then the footer becomes a template only once it stood in five articles
        assert (footer in store.templates({"The Daily"})) == (i >= 4)
    # and no article's own text, nor another source, is affected
    assert store.templates({"The Daily"}) == frozenset({footer})
    assert store.templates({"Other"}) == frozenset()


def test_a_file_hashed_in_blocks_and_read_whole_gets_the_same_id(store, tmp_path):
    # given a file first registered as too large (hashed in blocks, never read whole)
    (tmp_path / "big.txt").write_bytes(b"y" * 3_000_000)
    first = store.register(tmp_path / "big.txt", 1000, "v")
    # when it is seen again under a higher limit (read whole)
    again = store.register(tmp_path / "big.txt", 10_000_000, "v")
    # then it is the same dump, not a new one
    assert not again.new and again.dump_id == first.dump_id


def test_lines_seen_in_one_article_are_pruned_and_templates_survive(store, tmp_path, monkeypatch):
    # given pruning every 6 originals, and six originals of one source sharing a footer line
    from tasks.store import templates
    monkeypatch.setattr(templates, "PRUNE_EVERY", 6)
    for i, subject in enumerate(SUBJECTS):
        text = " ".join(f"{subject} {word}" for word in ("alpha", "beta", "gamma", "delta", "eps", "zeta", "eta"))
        footer = save_with_footer(store, tmp_path, i, text)
    # then the lines seen once are gone, and the footer is still learned
    with store.engine.connect() as conn:
        kept = conn.exec_driver_sql("SELECT hash FROM template_lines").scalars().all()
    assert kept == [footer] and store.templates({"The Daily"}) == frozenset({footer})


def test_a_text_woven_from_two_stored_articles_is_nobodys_copy_whichever_arrives_last(store, tmp_path):
    # given a stored report of six paragraphs
    report = [" ".join(f"r{p}w{i}" for i in range(40)) for p in range(6)]
    story = [" ".join(f"s{p}w{i}" for i in range(30)) for p in range(8)]
    ingest(store, tmp_path, "report.txt", "\n\n".join(report))
    # when a page weaves one of its paragraphs into another story (a sixth of the report: too
    # little to compare the two by their texts as near copies, enough to have lent a passage)
    _, woven = ingest(store, tmp_path, "woven.txt", "\n\n".join(story[:2] + report[3:4] + story[2:]))
    # and then the story itself arrives, inside the woven page as a copy inside its original
    _, alone = ingest(store, tmp_path, "story.txt", "\n\n".join(story))
    # then neither is a copy: the page's surplus is the report's passage (rule 6, found by
    # looking the page itself up in the index)
    assert woven[0].duplicate_of is None
    assert alone[0].duplicate_of is None


def test_a_page_woven_from_a_stored_story_and_a_stored_report_is_not_the_storys_copy(store, tmp_path):
    # given a stored report and a stored story
    report = [" ".join(f"r{p}w{i}" for i in range(40)) for p in range(6)]
    story = [" ".join(f"s{p}w{i}" for i in range(30)) for p in range(8)]
    ingest(store, tmp_path, "report.txt", "\n\n".join(report))
    story_id, _ = ingest(store, tmp_path, "story.txt", "\n\n".join(story))
    # when a page weaves one paragraph of the report (a sixth of it) into the story
    _, woven = ingest(store, tmp_path, "woven.txt", "\n\n".join(story[:2] + report[3:4] + story[2:]))
    # then the store re-read the report as a possible lender (rule 5): the page is an original
    assert woven[0].duplicate_of is None
    # while the story's plain copy is still its duplicate
    _, copy = ingest(store, tmp_path, "copy.txt", "\n\n".join(["Share this"] + story))
    assert copy[0].duplicate_of == f"{story_id}-0"


def test_reading_gives_the_dump_its_templates_and_story_candidates_on_one_connection(store, tmp_path):
    from dataclasses import replace

    from sqlalchemy import event

    from tasks.stages.stories import StoryRules
    # given a source whose footer line is learned, and a new dump claimed
    for i, subject in enumerate(SUBJECTS):
        footer = save_with_footer(store, tmp_path, i, " ".join(f"{subject} {w}{i}" for w in ("alpha", "beta", "gamma",
                                                                                             "delta", "eps", "zeta")))
    (tmp_path / "new.txt").write_text(WIRE)
    reg = store.register(tmp_path / "new.txt", 10_000, "v")
    store.claim(reg.dump_id)
    rules = StoryRules.english()
    drafts = [replace(draft(WIRE), story=rules.read("Lavrov meets Kim", WIRE, None))]
    checkouts = []

    def count(*_):
        checkouts.append(1)
    event.listen(store.engine, "checkout", count)
    # when the dump, its source's templates and its story candidates are read through Store.reading
    try:
        raw, learned, priors = store.reading(lambda reads: (reads.raw(reg.dump_id), reads.templates({"The Daily"}),
                                                            reads.story_priors(drafts, rules)))
    finally:
        event.remove(store.engine, "checkout", count)
    # then one connection served them all, and each is what the store's own read gives
    assert len(checkouts) == 1
    assert raw == store.raw(reg.dump_id) == WIRE.encode()
    assert learned == store.templates({"The Daily"}) == frozenset({footer})
    assert priors == store.story_priors(drafts, rules) and len(priors) == 1
