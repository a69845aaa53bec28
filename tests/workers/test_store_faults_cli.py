"""A damaged or unusable store, and an export that cannot be written, end in one line that
says what is wrong and what to do, never a traceback."""
import subprocess
import sys
from pathlib import Path

import pytest

INGEST = str(Path(sys.executable).parent / "ingest")


def ingest(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([INGEST, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def one_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_a_damaged_sqlite_file_is_named_with_what_to_do(env, tmp_path):
    db = Path(env["INGEST_DATA_DIR"]) / "ingest.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database, it was overwritten by mistake" * 100)
    line = one_line(ingest("status", cwd=tmp_path))
    assert str(db) in line and "restore it from a backup" in line


def test_a_data_dir_that_cannot_be_created_is_named(env, tmp_path, monkeypatch):
    (tmp_path / "afile").write_text("x")
    monkeypatch.setenv("INGEST_DATA_DIR", str(tmp_path / "afile" / "data"))
    line = one_line(ingest("status", cwd=tmp_path))
    assert str(tmp_path / "afile" / "data") in line and "INGEST_DATA_DIR" in line


@pytest.mark.parametrize("target", ["missing/folder/out.jsonl", "/dev/full"])
def test_an_export_that_cannot_be_written_says_so(env, seeds_dir, tmp_path, target):
    assert ingest("run", str(seeds_dir), cwd=tmp_path).returncode == 0
    line = one_line(ingest("export", "--out", target, cwd=tmp_path))
    assert "cannot write the export" in line and target in line
