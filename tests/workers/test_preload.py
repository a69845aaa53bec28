"""`ingest run` embedded loads its stages ahead (workers/preload.py): the language model first
when the work is certain, a new SQLite store with files to ingest."""
import pytest
from rich.console import Console

from config.settings import Settings
from tasks.store import Store
from workers import preload, runner
from workers.intake import walk


def folder(tmp_path, files: int):
    inbox = tmp_path / "in"
    inbox.mkdir()
    for k in range(files):
        (inbox / f"{k}.txt").write_text(f"Story {k}. " + "The council met to agree the budget for schools. " * 9)
    return inbox


def test_a_sqlite_store_not_created_yet_is_absent_and_no_other(tmp_path):
    new = Settings(data_dir=tmp_path / "data")
    assert preload.store_absent(new)
    Store(new.store_url_or_default()).close()
    assert not preload.store_absent(new)
    for url in ("sqlite://", "sqlite:///:memory:", f"sqlite:///{tmp_path}/x.db?timeout=5",
                "postgresql://u@localhost/db"):
        assert not preload.store_absent(Settings(data_dir=tmp_path / "data", store_url=url))


@pytest.mark.parametrize("files, created, opened, embedded, expected", [
    (2, False, False, True, True),     # a new store and files: certain work
    (0, False, False, True, False),    # nothing to ingest
    (2, True, False, True, False),     # the store exists: the known files decide, later
    (2, False, True, True, False),     # the run was handed an open store
    (2, False, False, False, False),   # the workers ingest, not this process
])
def test_the_language_model_starts_first_only_when_the_work_is_certain(tmp_path, files, created, opened,
                                                                       embedded, expected):
    # given a folder, a store new or not, a run embedded or not
    settings = Settings(data_dir=tmp_path / "data", broker_url=None if embedded else "redis://127.0.0.1:1/0")
    items = list(walk(folder(tmp_path, files)))
    if created:
        Store(settings.store_url_or_default()).close()
    # when the run decides whether to load the language model at once
    thread = preload.early_language(settings, opened, items)
    # then it does so only for certain work, in a thread that ends
    assert (thread is not None) == expected
    if thread is not None:
        thread.join()


def test_a_new_stores_run_hands_the_model_loading_to_the_stages_loading(tmp_path, monkeypatch):
    # given a folder of new files, a new store opened by the run, and the loadings watched
    handed = []
    real = preload.Loading.start
    monkeypatch.setattr(runner._Loading, "start", classmethod(lambda cls, *a: handed.append(a[2]) or real(*a)))
    settings = Settings(data_dir=tmp_path / "data", embedded_processes=2)
    opened = []
    monkeypatch.setattr(runner, "Store", lambda *a, **k: opened.append(1) or Store(*a, **k))
    # when the folder is run
    report = runner.run(settings, [folder(tmp_path, 3)], Console(quiet=True))
    # then the store was opened once, the model's loading started before it went to the stages'
    # loading, and every file was processed
    assert opened == [1]
    assert len(handed) == 1 and handed[0] is not None and not handed[0].is_alive()
    assert (report.processed, report.failed) == (3, [])
