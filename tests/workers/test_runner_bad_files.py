"""`ingest run` over folders holding bad files: one bad file never stops the others, and
nothing a file name carries reaches the terminal as markup or control codes."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import SEEDS
from workers.cli import cli
from workers.intake import Found

BIN = Path(sys.executable).parent
SEED = sorted(SEEDS.glob("*.txt"))


@pytest.fixture
def ingest(env, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")     # rich tables: one line a row, so a test can read them
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


def stored(ingest) -> list[str]:
    """The exported articles' JSON lines (CliRunner mixes stderr into the output)."""
    return [line for line in ingest("export").output.splitlines() if line.startswith("{")]


def without_root_powers(args: list[str]) -> list[str]:
    """Root reads any file: drop that power (CAP_DAC_*) so permissions count as for a user."""
    if os.geteuid() != 0:
        return args
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", *args]


def test_an_unreadable_file_is_a_failed_dump_and_the_others_are_stored(env, tmp_path):
    # given a folder with two good dumps and one the user cannot read
    folder = tmp_path / "in"
    folder.mkdir()
    for seed in SEED[2:4]:
        shutil.copy(seed, folder / seed.name)
    (folder / "secret.txt").write_text("a dump nobody may read")
    (folder / "secret.txt").chmod(0)
    # when it is ingested
    run = lambda *a: subprocess.run(without_root_powers([str(BIN / "ingest"), *a]), capture_output=True,  # noqa
                                    text=True, env={**os.environ, "COLUMNS": "250"}, timeout=120)
    done = run("run", str(folder))
    # then the run ends (exit 1: a failure), the good ones are stored, the bad one is failed with a reason
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "secret.txt" in done.stdout and "cannot read secret.txt: Permission denied" in done.stdout
    status = run("status")
    assert "dumps done" in status.stdout and "secret.txt" in status.stdout
    assert len(run("export").stdout.splitlines()) == 2
    # and a rerun goes the same way, without a crash
    assert run("run", str(folder)).returncode == 1


def test_a_file_that_vanishes_before_it_is_read_is_listed_and_the_run_goes_on(ingest, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED[2], folder / SEED[2].name)
    # given a file seen by the scan, deleted before it could be read
    gone = folder / "gone.txt"
    import workers.runner as runner
    real_walk = runner.walk
    monkeypatch.setattr(runner, "walk", lambda *a, **k: [Found(gone, 10, 0), *real_walk(*a, **k)])
    result = ingest("run", str(folder))
    assert result.exit_code == 0, result.output
    assert "gone.txt" in result.output and "vanished before it could be read" in result.output
    assert "processed" in result.output and len(stored(ingest)) == 1


def test_a_fifo_is_a_failed_dump_never_opened(ingest, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED[2], folder / SEED[2].name)
    os.mkfifo(folder / "pipe.txt")          # reading it would block forever
    result = ingest("run", str(folder))
    assert result.exit_code == 1
    assert "pipe.txt is not a regular file (fifo)" in result.output
    assert len(stored(ingest)) == 1


def test_file_names_with_markup_or_terminal_escapes_are_shown_escaped(ingest, tmp_path):
    # given dumps (empty, so they fail and are listed) whose names carry markup and escapes
    folder = tmp_path / "in"
    folder.mkdir()
    names = ["[red]alarm.txt", "[link=mailto:x@evil.example]x.txt", "clear\x1b[2J\x1b[H.txt",
             "bell\x07\u202eexe.txt"]
    for name in names:
        (folder / name).write_bytes(b"")
    result = ingest("run", str(folder))
    status = ingest("status")
    for out in (result.output, status.output):
        assert "[red]alarm.txt" in out and "[link=mailto:x@evil.example]x.txt" in out
        assert "clear\\x1b[2J\\x1b[H.txt" in out and "bell\\x07\\u202eexe.txt" in out
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out


def test_symlinks_out_of_the_folder_are_not_followed_unless_asked(ingest, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(SEED[2], outside / "private.txt")
    (outside / "sub").mkdir()
    shutil.copy(SEED[3], outside / "sub" / "other.txt")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED[4], folder / SEED[4].name)
    (folder / "link.txt").symlink_to(outside / "private.txt")
    (folder / "linkdir").symlink_to(outside / "sub")
    (folder / "inner.txt").symlink_to(folder / SEED[4].name)   # inside the folder: fine
    # when run without the flag: the links out are listed as skipped, not read
    result = ingest("run", str(folder))
    assert result.exit_code == 0, result.output
    assert "link.txt" in result.output and "linkdir" in result.output and "--follow-symlinks" in result.output
    assert [a for a in stored(ingest) if "private.txt" in a or "other.txt" in a] == []
    # and with it, they are ingested
    result = ingest("run", "--follow-symlinks", str(folder))
    assert result.exit_code == 0, result.output
    assert any('"source_file": "link.txt"' in a for a in stored(ingest))
    assert any('"source_file": "other.txt"' in a for a in stored(ingest))
