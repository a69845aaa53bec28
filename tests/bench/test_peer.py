"""bench/peer.py: the peer reads one flat folder; flat_view makes one of a tree of dumps."""
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import peer  # noqa: E402


def test_given_dumps_in_subfolders_then_flat_view_links_each_file_into_one_folder(tmp_path):
    for sub, name in (("f00", "c00000.txt"), ("f01", "c00001.txt"), ("f01", "c00101.txt")):
        (tmp_path / "tree" / sub).mkdir(parents=True, exist_ok=True)
        (tmp_path / "tree" / sub / name).write_text(name, encoding="utf8")
    n = peer.flat_view(tmp_path / "tree", tmp_path / "flat")
    flat = sorted((tmp_path / "flat").iterdir())
    assert n == 3 and [p.name for p in flat] == ["c00000.txt", "c00001.txt", "c00101.txt"]
    assert flat[2].stat().st_ino == (tmp_path / "tree" / "f01" / "c00101.txt").stat().st_ino   # the same file


@pytest.mark.skipif(not (peer.SHARED_BENCH / "perf_vs_peer.py").is_file(),
                    reason="the shared bench folder is not beside this checkout (a bare clone)")
def test_given_the_shared_bench_folder_then_the_peer_is_its_perf_vs_peer_script():
    assert "MinHashLSH" in peer._perf_vs_peer().PEER


def test_given_no_shared_bench_folder_then_the_peer_says_where_it_looked_and_how_to_skip(tmp_path, monkeypatch):
    monkeypatch.setattr(peer, "SHARED_BENCH", tmp_path / "shared" / "bench")
    with pytest.raises(SystemExit) as stop:
        peer._perf_vs_peer()
    assert str(tmp_path / "shared" / "bench") in str(stop.value) and "--no-peer" in str(stop.value)
