"""bench/throughput_rows.py: the issue's targets set beside the figures the bench scripts return."""
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))   # the bench scripts import each other by name, as when run from bench/

import throughput_rows as rows_of  # noqa: E402
from throughput_rows import Row  # noqa: E402


def growth(empty_ms: float, big_ms: float, index_bytes: int) -> dict:
    return {"dialect": "sqlite", "articles": 10, "stores": [
        {"fill": 0, "median_ms": 9.0, "mean_ms": 9.0, "cpu_median_ms": 9.0, "cpu_mean_ms": empty_ms, "statements": 9.0,
         "index_bytes": 9000, "indexed": 10},
        {"fill": 100_000, "median_ms": 1.0, "mean_ms": 1.0, "cpu_median_ms": 1.0, "cpu_mean_ms": big_ms, "statements": 9.0,
         "index_bytes": index_bytes, "indexed": 100_010}]}


def production(scaling: float, overhead: float, rss: int, half_pss: int, pss: int) -> dict:
    memory = [{"largest_rss": rss, "total_pss": pss, "processes": 2, "half_rss": rss, "half_pss": half_pss}]
    return {"dumps": 2000, "rounds": 1, "one": 20.0, "two": 20.0 * scaling, "scaling": scaling, "in_process": 22.0,
            "queue_overhead": overhead, "rss_one": memory, "rss_two": []}


def marks(rows: list[Row]) -> dict[str, str]:
    return {r.measure: r.mark for r in rows}


def test_given_the_largest_store_saves_at_85_percent_of_the_empty_rate_then_row_4_is_met():
    rows = rows_of.growth_table(growth(empty_ms=1.7, big_ms=2.0, index_bytes=100_010 * 500))
    assert marks(rows)["saves/s into a store of 100,000 articles (SQLite, CPU)"] == "met"
    assert marks(rows)["saves/s into an empty store (SQLite, CPU)"] == ""          # no target on the baseline


def test_given_the_largest_store_saves_slower_than_85_percent_then_row_4_is_missed_and_says_the_issue_means_1m():
    rows = rows_of.growth_table(growth(empty_ms=1.0, big_ms=1.2, index_bytes=100_010 * 500))
    big = next(r for r in rows if "100,000 articles" in r.measure)
    assert big.mark == "MISSED" and "83%" in big.figure and "at 1M" in big.target


def test_given_index_bytes_per_article_then_row_5_is_met_up_to_1000_bytes():
    at, over = (rows_of.growth_table(growth(1.0, 1.0, 100_010 * b))[-1] for b in (1000, 1001))
    assert (at.row, at.mark, at.figure) == (5, "met", "1,000 B")
    assert over.mark == "MISSED"


def test_given_production_figures_then_rows_3_and_6_carry_each_target():
    rows = rows_of.production_table(production(scaling=1.7, overhead=0.11, rss=180, half_pss=200, pss=220))
    got = marks(rows)
    assert got["production, 2 workers"] == "met"
    assert got["queue overhead: 1 worker against in process"] == "MISSED"
    assert got["worker RSS after 2,000 dumps (1 worker)"] == "met"
    assert got["worker memory, half-way to the end (PSS)"] == "met"                  # +10%: flat enough


def test_given_a_worker_over_300_mb_or_growing_then_row_6_is_missed():
    rows = rows_of.production_table(production(scaling=1.9, overhead=0.0, rss=301, half_pss=200, pss=221))
    assert [r.mark for r in rows if r.row == 6] == ["MISSED", "MISSED"]


def test_given_no_memory_measured_then_there_is_no_row_6():
    r = production(1.9, 0.0, 200, 200, 200)
    r["rss_one"] = []
    assert {row.row for row in rows_of.production_table(r)} == {3}


def test_given_stage_seconds_then_row_1_gives_docs_per_second_of_each():
    prep = {"dumps": 100, "best_cpu": 0.8, "laps": {"clean": 0.5, "classify": 0.1, "dedup": 0.05, "stories": 0.1}}
    clean = {"html": {"rates": [60.0, 70.0, 80.0], "pages": 181, "kib": 170.0},
             "text": {"rates": [300.0], "pages": 181, "kib": 9.0}}
    figures = {r.measure: r.figure for r in rows_of.stage_table(prep, clean)}
    assert figures["clean, language ID included (100 corpus dumps)"] == "200 docs/s"
    assert figures["all stages, as a pool's child runs them (100 dumps)"] == "125 docs/s"
    assert figures["clean alone, HTML pages of extraction-dev (181, 170 KiB avg)"] == "70 docs/s"   # the median


def test_given_rows_of_several_groups_then_render_numbers_each_group_once_in_order():
    text = rows_of.render([Row(2, "b", "2/s", ">= 1", True), Row(1, "a", "1/s"), Row(2, "c", "3/s", ">= 9", False)])
    body = text.splitlines()[2:]
    assert [line.split()[0] for line in body] == ["1", "2", "c"]
    assert body[1].endswith("met") and body[2].endswith("MISSED") and not body[0].endswith(("met", "MISSED"))


def test_given_the_machine_s_redis_and_postgresql_then_production_is_ready():
    assert rows_of.production_ready() is None


def test_given_no_redis_server_on_path_then_production_ready_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert "redis-server" in rows_of.production_ready()
