"""The rows of bench/throughput.py's table that other bench scripts measure: each function runs
one script (imported, or as a subprocess printing JSON) and turns its figures into rows, each
with the target of issue 8 beside it and whether it is met.
"""
from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PREPARE_STAGES = (("clean", "clean, language ID included"), ("classify", "classify (topics)"),
                  ("dedup", "fingerprint (dedup)"), ("stories", "story features and candidates"))
KB = 1000           # "<= 1 KB an article", counted in decimal bytes (the stricter reading)
RSS_MB = 300
FLAT = 0.10         # "flat": at most 10% more memory at the end of the run than half-way through it


@dataclass
class Row:
    row: int
    measure: str
    figure: str
    target: str = "-"
    ok: bool | None = None   # None: no target of the issue applies (or skipped)

    @property
    def mark(self) -> str:
        return "" if self.ok is None else ("met" if self.ok else "MISSED")


def render(rows: list[Row]) -> str:
    widths = (2, max(len(r.measure) for r in rows), max(len(r.figure) for r in rows), max(len(r.target) for r in rows))
    head = f"{'#':>2}  {'measure':<{widths[1]}}  {'figure':<{widths[2]}}  {'target (issue 8)':<{widths[3]}}  mark"
    lines = [head, "-" * len(head)]
    last = None
    for r in sorted(rows, key=lambda r: r.row):
        num = str(r.row) if r.row != last else ""
        last = r.row
        lines.append(f"{num:>2}  {r.measure:<{widths[1]}}  {r.figure:<{widths[2]}}  {r.target:<{widths[3]}}  {r.mark}")
    return "\n".join(lines)


def skipped(row: int, measure: str, why: str) -> Row:
    return Row(row, measure, f"skipped: {why}", "")


def run_json(script: str, *args: str) -> dict:
    """Run bench/<script> with --json in a process of its own; its figures."""
    done = subprocess.run([sys.executable, str(BENCH / script), *args, "--json"], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise SystemExit(f"bench/{script} failed (rc {done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def stage_rows(folder: Path, data: Path | None, rounds: int, repeat: int) -> list[Row]:
    """Row 1: bench/prepare_cpu.py (the pipeline's stages over the dumps of `folder`, CPU time,
    one process) and bench/bench_clean.py (the clean stage on the extraction pages, CPU time)."""
    args = [str(folder), "--rounds", str(rounds), "--cpu-laps"] + (["--data", str(data)] if data else [])
    prep = run_json("prepare_cpu.py", *args)
    clean = run_json("bench_clean.py", "--cpu", "--no-anchor", "--repeat", str(repeat))
    return stage_table(prep, clean)


def stage_table(prep: dict, clean: dict) -> list[Row]:
    """Row 1 from the figures of prepare_cpu.py and bench_clean.py (their --json output)."""
    n = prep["dumps"]
    rows = [Row(1, f"{label} ({n:,} corpus dumps)", f"{n / prep['laps'][stage]:,.0f} docs/s")
            for stage, label in PREPARE_STAGES if prep["laps"].get(stage)]
    rows.append(Row(1, f"all stages, as a pool's child runs them ({n:,} dumps)", f"{n / prep['best_cpu']:,.0f} docs/s",
                    "none (300/s on 2 cores needs >= 150)"))
    for form, label in (("html", "HTML pages"), ("text", "text dumps")):
        r = clean[form]
        rows.append(Row(1, f"clean alone, {label} of extraction-dev ({r['pages']}, {r['kib']:.0f} KiB avg)",
                        f"{statistics.median(r['rates']):,.0f} docs/s"))
    return rows


def growth_rows(fills: list[int], articles: int, rounds: int, log) -> list[Row]:
    """Rows 4 and 5 (SQLite): bench/index_growth.py, the same real articles saved into stores
    pre-filled with each of `fills` synthetic originals, rounds alternating."""
    import index_growth
    return growth_table(index_growth.measure(sorted(fills), articles, rounds, log=log))


def growth_table(result: dict) -> list[Row]:
    """Rows 4 and 5 from index_growth.measure's figures (stores in increasing size). Row 4 is
    on the CPU time per save, its mean (see bench/index_growth.py: wall medians swing with the
    machine's other load)."""
    stores = result["stores"]
    base = stores[0]
    rows = []
    for s in stores:
        rate = 1e3 / s["cpu_mean_ms"]
        target, ok = "-", None
        if s is stores[-1] and len(stores) > 1:
            ratio = base["cpu_mean_ms"] / s["cpu_mean_ms"]
            base_name = "empty" if base["fill"] == 0 else f"{base['fill']:,} stored"
            target = f">= 85% of {base_name}'s" + (" (issue: at 1M stored)" if s["fill"] < 1_000_000 else "")
            ok = ratio >= 0.85
        rel = f", {base['cpu_mean_ms'] / s['cpu_mean_ms']:.0%}" if s is not base else ""
        rows.append(Row(4, f"saves/s into {store_name(s['fill'])} (SQLite, CPU)",
                        f"{rate:,.0f} docs/s ({s['cpu_mean_ms']:.2f} ms CPU, wall median {s['median_ms']:.2f} ms, "
                        f"{s['statements']:.0f} stmts{rel})", target, ok))
    big = stores[-1]
    rows.append(index_row(f"SQLite, {big['fill']:,} stored", big))
    return rows


def store_name(fill: int) -> str:
    return "an empty store" if fill == 0 else f"a store of {fill:,} articles"


def index_row(label: str, store: dict) -> Row:
    per = store["index_bytes"] / store["indexed"]
    return Row(5, f"index bytes per article, {label}", f"{per:,.0f} B", f"<= 1 KB ({KB:,} B)", per <= KB)


def pg_index_row(fill: int, log) -> Row:
    """Row 5 (PostgreSQL): bench/index_growth.py on a fresh schema of `fill` originals."""
    import index_growth
    import production  # noqa: F401  (puts the checkout on sys.path for faultkit)
    from tests.integration.faultkit import PG_URL
    result = index_growth.measure([fill], articles=40, rounds=1, url=PG_URL, log=log)
    return index_row(f"PostgreSQL, {fill:,} stored", result["stores"][0])


def production_ready() -> str | None:
    """Why the production rows cannot run here, or None."""
    if shutil.which("redis-server") is None:
        return "redis-server is not on PATH"
    import sqlalchemy as sa
    import production  # noqa: F401  (puts the checkout on sys.path for faultkit)
    from tests.integration.faultkit import PG_URL
    try:
        engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"),
                                  connect_args={"connect_timeout": 5})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:   # any failure to connect means: no PostgreSQL to run on
        return f"PostgreSQL at {PG_URL} is not reachable ({type(exc).__name__}); set INGEST_TEST_PG_URL"
    return None


def production_rows(n: int, rounds: int, rss: bool) -> list[Row]:
    """Rows 3 and 6: bench/production.py (Procfile workers, Redis, PostgreSQL)."""
    import production
    return production_table(production.measure(n, rss=rss, rounds=rounds))


def production_table(r: dict) -> list[Row]:
    """Rows 3 and 6 from production.measure's figures (row 6 when it measured memory)."""
    rounds = r["rounds"]
    each = f"{r['dumps']:,} dumps" + (f", median of {rounds}" if rounds > 1 else "")
    rows = [Row(3, f"production, 1 worker ({each})", f"{r['one']:,.1f} docs/s"),
            Row(3, "production, 2 workers", f"{r['two']:,.1f} docs/s, x{r['scaling']:.2f}", ">= 1.7x of 1 worker",
                r["scaling"] >= 1.7),
            Row(3, "queue overhead: 1 worker against in process", f"{r['queue_overhead']:+.0%} "
                f"(in process {r['in_process']:,.1f} docs/s)", "<= 10%", r["queue_overhead"] <= 0.10)]
    if r["rss_one"]:
        m = r["rss_one"][0]
        rows.append(Row(6, f"worker RSS after {r['dumps']:,} dumps (1 worker)",
                        f"{m['largest_rss']} MB largest process, {m['total_pss']} MB PSS",
                        f"<= {RSS_MB} MB", max(m["largest_rss"], m["total_pss"]) <= RSS_MB))
        if "half_pss" in m:
            growth = m["total_pss"] / m["half_pss"] - 1
            rows.append(Row(6, "worker memory, half-way to the end (PSS)", f"{m['half_pss']} -> {m['total_pss']} MB "
                            f"({growth:+.0%})", f"flat (<= +{FLAT:.0%})",
                            m["total_pss"] - m["half_pss"] <= FLAT * m["half_pss"]))
    return rows
