"""The pipeline shell over a real SQLite store: the one path from a dump id to stored articles."""
import json

from config.settings import Settings
from tasks.pipeline import Pipeline
from tasks.store import Store

FOOTER = "The Valley Daily has been owned by the people of the valley since 1901 and is read in every town along the river."
STORIES = [
    "Dredging of the harbour mouth starts in March. Fishing crews welcomed the work, which lets larger boats "
    "land their catch at high tide. The port authority expects the job to take eleven weeks.",
    "Pupils at the primary school will get free lunches from September. Parents collected signatures for two "
    "years before the council found the money in its education budget for this autumn.",
    "Trams will run every six minutes on the northern line after new carriages arrive. Commuters complained "
    "all winter about crowded platforms and delays caused by broken doors and ageing signals.",
    "Rain has leaked through the museum roof into the gallery of Roman coins. Curators moved the collection to "
    "a storeroom while engineers decide whether the lead sheeting can be patched or must go.",
    "Drivers crossing the old bridge will pay a toll of two euros from June. Shopkeepers on both banks fear the "
    "charge will keep customers away, while cyclists and pedestrians will still cross free of charge.",
    "Frost in April destroyed half of the apple blossom in the orchards south of town. Growers asked for "
    "emergency help, saying many family farms could not survive another poor harvest this year.",
]


def story(i: int) -> str:
    return STORIES[i].replace(". ", ".\n\n")


def dump(tmp_path, store, name, i):
    path = tmp_path / name
    path.write_text(json.dumps({"text": story(i) + "\n\n" + FOOTER, "source": "The Valley Daily"}))
    return store.register(path, 1_000_000, "t").dump_id


def test_a_line_learned_as_the_sources_template_is_dropped_from_later_articles(tmp_path):
    # given five original stories of one source, each ending with the same prose-like footer
    store = Store(f"sqlite:///{tmp_path}/s.db")
    pipeline = Pipeline(Settings(data_dir=tmp_path / "data"), store)
    for i in range(5):
        assert pipeline.process(dump(tmp_path, store, f"{i}.json", i)).state == "done"
    assert store.totals() == {"original": 5, "duplicate": 0}
    first = store.articles_of(store.export().__next__()["dump_id"])[0]
    assert FOOTER in first["text"]            # nothing learned yet: the footer got through
    # when a sixth story of that source arrives
    sixth = dump(tmp_path, store, "6.json", 5)
    pipeline.process(sixth)
    # then its footer is dropped, and its own paragraphs kept
    (article,) = store.articles_of(sixth)
    assert FOOTER not in article["text"] and article["text"].startswith("Frost in April")


def page(tmp_path, store, name, i):
    paragraphs = "".join(f"<p>{p}</p>" for p in story(i).split("\n\n") + [FOOTER])
    path = tmp_path / name
    path.write_text(f"<html><head><title>Story {i}</title><meta property='og:site_name' content='The Valley Daily'>"
                    f"</head><body><article><h1>Story {i}</h1>{paragraphs}</article></body></html>")
    return store.register(path, 1_000_000, "t").dump_id


def test_an_html_page_whose_source_has_a_learned_template_is_extracted_once(tmp_path, monkeypatch):
    # given five pages of one source that taught the store its footer
    store = Store(f"sqlite:///{tmp_path}/s.db")
    pipeline = Pipeline(Settings(data_dir=tmp_path / "data"), store)
    for i in range(5):
        assert pipeline.process(page(tmp_path, store, f"{i}.html", i)).state == "done"
    import tasks.stages.clean as clean_stage
    extracted = []
    real = clean_stage.extract_html
    monkeypatch.setattr(clean_stage, "extract_html", lambda html, url=None: extracted.append(url) or real(html, url))
    # when a sixth page of that source arrives (cleaned twice: again without its learned lines)
    sixth = page(tmp_path, store, "6.html", 5)
    assert pipeline.process(sixth).state == "done"
    # then the page was extracted once, and its footer is dropped, its own paragraphs kept
    assert len(extracted) == 1
    (article,) = store.articles_of(sixth)
    assert FOOTER not in article["text"] and article["text"].startswith("Frost in April")


def test_a_dump_the_stages_reject_is_kept_as_failed_with_the_reason(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/s.db")
    (tmp_path / "empty.txt").write_bytes(b"   \n")
    dump_id = store.register(tmp_path / "empty.txt", 1000, "t").dump_id
    outcome = Pipeline(Settings(data_dir=tmp_path / "data"), store).process(dump_id)
    assert outcome.state == "failed" and "empty" in outcome.error
    assert store.dump(dump_id)["state"] == "failed" and "empty" in store.dump(dump_id)["error"]


def test_a_crash_of_ours_is_recorded_as_the_dumps_failure_and_the_caller_goes_on(tmp_path, monkeypatch):
    # given a classifier that crashes on one dump
    store = Store(f"sqlite:///{tmp_path}/s.db")
    pipeline = Pipeline(Settings(data_dir=tmp_path / "data"), store)
    dump_id = dump(tmp_path, store, "0.json", 0)

    class Broken:
        name = "broken"

        def classify(self, title, text):
            raise RuntimeError("boom")
    monkeypatch.setattr(pipeline, "classifier", lambda: Broken())
    # when it is processed in-process
    outcome = pipeline.process_in_process(dump_id)
    # then no exception escapes and the dump is kept as failed with the reason
    assert outcome.state == "failed" and "RuntimeError: boom" in outcome.error
    assert store.dump(dump_id)["state"] == "failed" and "internal error" in store.dump(dump_id)["error"]


def test_an_articles_id_is_its_record_index_whatever_the_other_records_yield(tmp_path):
    # given a JSON Lines dump whose second record holds no article
    store = Store(f"sqlite:///{tmp_path}/s.db")
    pipeline = Pipeline(Settings(data_dir=tmp_path / "data"), store)
    lines = [{"text": story(0)}, {"text": "Subscribe now"}, {"text": story(1)}]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in lines))
    dump_id = store.register(path, 1_000_000, "t").dump_id
    # when it is processed
    assert pipeline.process(dump_id).state == "done"
    # then the articles are named by their record's index in the dump
    assert [a["id"] for a in store.articles_of(dump_id)] == [f"{dump_id}-0", f"{dump_id}-2"]


def test_a_dump_too_deep_to_read_fails_with_a_reason_not_an_internal_error(tmp_path, monkeypatch):
    # given a stage that hits Python's recursion limit on a dump
    import tasks.pipeline as module
    store = Store(f"sqlite:///{tmp_path}/s.db")
    pipeline = Pipeline(Settings(data_dir=tmp_path / "data"), store)

    def too_deep(*_a, **_k):
        raise RecursionError("maximum recursion depth exceeded")
    monkeypatch.setattr(module, "clean", too_deep)
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000)
    dump_id = store.register(path, 1_000_000, "t").dump_id
    # when it is processed, it fails with a reason a person can act on
    outcome = pipeline.process_in_process(dump_id)
    assert outcome.state == "failed" and "nested too deeply" in store.dump(dump_id)["error"]
    assert "internal error" not in store.dump(dump_id)["error"]


def test_a_worker_pipeline_keeps_as_many_stories_as_the_setting_allows(tmp_path):
    # given a worker's settings with a small story cache
    from config import load
    settings = load({"INGEST_DATA_DIR": str(tmp_path), "INGEST_STORY_CACHE": "7"})
    # when the worker builds its pipeline
    pipeline = Pipeline.from_settings(settings)
    # then its store keeps at most 7 stories decoded
    assert pipeline.store.story_cache.size == 7
    pipeline.store.close()


def test_a_draft_carries_its_texts_5_grams_for_the_writer(tmp_path):
    # given a dump prepared by the stages (as a pool's child prepares it)
    from tasks.stages.dedup import sketch
    from tasks.store import memo
    store = Store(f"sqlite:///{tmp_path}/s.db")
    pipeline = Pipeline(Settings(data_dir=tmp_path / "data"), store)
    dump_id = dump(tmp_path, store, "a.json", 0)
    prepared = pipeline.prepare_claimed(pipeline.claim_many([dump_id])[0])
    # then each draft carries the 5-grams of its text, packed: those the writer would count
    d = prepared.drafts[0]
    assert memo.unpack(d.grams) == sketch.grams(d.extracted.text) and len(d.grams) == 8 * d.fingerprint.size
