"""bench/index_growth.py: one store per fill size, the same articles saved into each."""
import gzip
import json
import sys
from pathlib import Path

import sqlalchemy as sa

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import index_growth  # noqa: E402
from tests.integration.faultkit import PG_URL  # noqa: E402

TEXTS = ["The council met on Tuesday and agreed a budget for roads, schools and the new library after a long debate "
         f"that ran late into the evening, with {i} members voting in favour and the rest against the plan." for i in range(6)]


def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf8") as f:
        for text in TEXTS:
            f.write(json.dumps({"text": text}) + "\n")
    return path


def bench_schemas() -> set[str]:
    engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        names = {r[0] for r in conn.exec_driver_sql("SELECT nspname FROM pg_namespace")}
    engine.dispose()
    return {n for n in names if n.startswith("bench_")}


def test_given_three_fills_then_each_store_is_filled_and_gets_every_article(tmp_path):
    r = index_growth.measure([0, 20, 50], articles=6, rounds=2, corpus=corpus(tmp_path), log=lambda _: None)
    assert r["dialect"] == "sqlite" and r["articles"] == 6
    assert [s["fill"] for s in r["stores"]] == [0, 20, 50]
    for s in r["stores"]:
        assert s["fill"] < s["indexed"] <= s["fill"] + 6 and s["index_bytes"] > 0
        assert s["median_ms"] > 0 and s["statements"] > 0
        assert 0 < s["cpu_median_ms"] and 0 < s["cpu_mean_ms"]


def test_given_a_fill_then_its_ids_and_exact_hashes_are_in_no_order_of_arrival_as_real_ones(tmp_path):
    store = index_growth.Store(f"sqlite:///{tmp_path}/s.db")
    try:
        index_growth.fill(store, 200)
        with store.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT dump_id, id, exact_hash FROM articles ORDER BY seq").fetchall()
    finally:
        store.close()
    dumps, ids, exact = (list(col) for col in zip(*rows))
    assert len(set(dumps)) == 200 and ids == [f"{d}-0" for d in dumps]
    assert dumps != sorted(dumps) and exact != sorted(exact)
    assert all(len(d) == 16 and int(d, 16) >= 0 for d in dumps) and all(len(e) == 32 for e in exact)


def test_given_postgresql_then_the_stores_schemas_are_dropped_at_the_end(tmp_path):
    before = bench_schemas()
    r = index_growth.measure([10], articles=3, rounds=1, corpus=corpus(tmp_path), url=PG_URL, log=lambda _: None)
    assert r["dialect"] == "postgresql" and r["stores"][0]["indexed"] > 10
    assert bench_schemas() == before


def test_given_a_sqlite_fill_then_the_stores_connections_keep_the_engines_page_cache(tmp_path):
    store = index_growth.Store(f"sqlite:///{tmp_path}/s.db")
    try:
        with store.engine.connect() as conn:
            before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        index_growth.fill(store, 10)
        with store.engine.connect() as conn:
            after = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    finally:
        store.close()
    assert after == before
