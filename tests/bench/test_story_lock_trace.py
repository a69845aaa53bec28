"""bench/story_lock_trace.py: the story lock's hold per save, and paired with another checkout's."""
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import story_lock_trace  # noqa: E402
from tasks.store import placing, stories, storylock  # noqa: E402
from tests.bench.test_index_growth import bench_schemas, corpus  # noqa: E402
from tests.integration.faultkit import PG_URL  # noqa: E402


def test_given_another_checkout_then_the_saves_alternate_and_each_side_is_traced(tmp_path):
    # given a small store and this very checkout as the other side
    before, patched = bench_schemas(), (placing.Placer.settle, storylock.locked, stories.lock)
    # when six articles are saved, paired
    out = story_lock_trace.measure(PG_URL, 20, 6, other=BENCH.parent, corpus=corpus(tmp_path))
    # then each side saved three of them (ABBA), each save took the lock through that side's
    # statement, and the store is gone, this code's functions back in place
    assert set(out) == {"this", "against"}
    for side in out.values():
        assert len(side["holds"]) == 3 and all(h > 0 for h in side["holds"])
        assert len(side["steps"]["pipeline: storylock.locked"]) == 3
    assert bench_schemas() == before and (placing.Placer.settle, storylock.locked, stories.lock) == patched
