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
