"""`ingest run` registers new files in batches (workers/runner.py REGISTER_BATCH)."""
from rich.console import Console

from config.settings import Settings
from workers import runner


def test_a_folder_larger_than_one_batch_is_registered_and_processed_whole(tmp_path, monkeypatch):
    # given more files than one registration batch holds, one of them empty (it must fail, kept)
    monkeypatch.setattr(runner, "REGISTER_BATCH", 3)
    inbox = tmp_path / "in"
    inbox.mkdir()
    for k in range(7):
        (inbox / f"{k}.txt").write_text(f"Story {k}. " + "The council met to agree the budget for schools. " * (8 + k))
    (inbox / "empty.txt").write_text("")
    settings = Settings(data_dir=tmp_path / "data", embedded_processes=1)
    # when the folder is run
    report = runner.run(settings, [inbox], Console(quiet=True))
    # then every file is a dump: seven processed, the empty one failed with its reason
    assert (report.seen, report.distinct, report.processed) == (8, 8, 7)
    assert [f["source_file"] for f in report.failed] == ["empty.txt"]


def test_the_stages_load_while_new_files_register_and_not_for_a_rerun_of_known_files(tmp_path, monkeypatch):
    # given a folder of new files, and the loading of the stages watched
    started = []
    real = runner._Loading.start
    monkeypatch.setattr(runner._Loading, "start", classmethod(lambda cls, *a: started.append(1) or real(*a)))
    inbox = tmp_path / "in"
    inbox.mkdir()
    for k in range(3):
        (inbox / f"{k}.txt").write_text(f"Story {k}. " + "The council met to agree the budget for schools. " * 9)
    settings = Settings(data_dir=tmp_path / "data", embedded_processes=2)
    # when the folder is run, then run again unchanged, then again with one file added
    first = runner.run(settings, [inbox], Console(quiet=True))
    loads_first = len(started)
    again = runner.run(settings, [inbox], Console(quiet=True))
    loads_again = len(started)
    (inbox / "new.txt").write_text("Story new. " + "The mayor opened a bridge over the river. " * 9)
    third = runner.run(settings, [inbox], Console(quiet=True))
    # then the stages were loaded ahead for the new files only, and every file was processed
    assert (loads_first, loads_again, len(started)) == (1, 1, 2)
    assert (first.processed, again.processed, again.already_done, third.processed) == (3, 0, 3, 1)
    assert not first.failed and not third.failed
