#!/usr/bin/env python3
"""Throughput of the clean stage alone, one core: pages per second for HTML and for text dumps.

    python bench/bench_clean.py [--data DIR] [--repeat N] [--no-anchor] [--cpu]

Uses the extraction benchmark's pages (HTML as they are, text dumps built as the scorer
builds them). A few warm-up pages load the models (py3langid, stop lists) before timing;
the per-line caches are emptied before each timed pass, so a repeat does not read its own
cache (in a worker they do carry over from dump to dump of the same site).

A shared VM is noisy (±20% from run to run), so each figure is timed over --repeat passes,
the HTML passes alternating with the anchor's (so a burst of load hits both), and printed as
best and median, with the ratio of the medians (--cpu times each pass by the process's CPU
time instead of the wall clock: steadier when other work shares the cores). The anchor times
`trafilatura.extract` alone, with the options clean/html.py uses (its full cascade: the
extraction quality clean/html.py matches), on the same HTML pages in the same run: the HTML
path should be at least as fast as trafilatura on its own. The anchor in fast mode (no readability/jusText comparison, lower
F1) is printed too, for reference. --json prints the figures as one JSON object.
"""
from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from pathlib import Path
from typing import Callable

import trafilatura
from eval_clean import DEFAULT_DATA, load_dumps

from tasks.errors import DumpError
from tasks.stages.clean.boilerplate import _cached_cues
from tasks.stages.clean import clean
from tasks.stages.clean.html import TRAFILATURA_OPTIONS
from tasks.stages.clean.segments import _line_features


def pass_rates(runs: list[tuple[list, Callable]], repeat: int,
               clock: Callable[[], float] = time.perf_counter) -> list[list[float]]:
    """Pages per second of each of `repeat` timed passes of each run() over its items (after a
    warm-up), the runs alternating pass by pass; `clock` times them (wall or CPU time)."""
    for items, run in runs:
        for item in items[:5]:
            run(item)
    rates: list[list[float]] = [[] for _ in runs]
    for _ in range(repeat):
        for (items, run), out in zip(runs, rates):
            _cached_cues.cache_clear()
            _line_features.cache_clear()
            gc.collect()
            started = clock()
            for item in items:
                run(item)
            out.append(len(items) / (clock() - started))
    return rates


def _clean(item: tuple[bytes, str]) -> None:
    try:
        clean(*item)
    except DumpError:
        pass


def _trafilatura(html: str) -> None:
    trafilatura.extract(html, **TRAFILATURA_OPTIONS)


def _trafilatura_fast(html: str) -> None:
    trafilatura.extract(html, fast=True, **TRAFILATURA_OPTIONS)


def _report(label: str, rates: list[float], detail: str) -> None:
    print(f"{label}: {max(rates):.1f} pages/s best, {statistics.median(rates):.1f} median "
          f"of {len(rates)} passes ({detail})")


def measure(data: Path, repeat: int, anchor: bool, clock: Callable[[], float]) -> dict[str, dict]:
    """Per form (html, text; with `anchor`, the trafilatura anchors too): the pages/s of each
    pass, the number of pages and their mean size in KiB."""
    out = {}
    for form, suffix in (("html", ".html"), ("text", ".txt")):
        dumps = load_dumps(data, form)
        raws = [(dump.encode("utf8"), key + suffix) for key, _, dump in dumps]
        kib = sum(len(r) for r, _ in raws) / len(raws) / 1024
        runs = [(raws, _clean)]
        if form == "html" and anchor:
            pages = [dump for _, _, dump in dumps]
            runs += [(pages, _trafilatura), (pages, _trafilatura_fast)]
        for name, rates in zip((form, "anchor", "anchor_fast"), pass_rates(runs, repeat, clock)):
            out[name] = {"rates": rates, "pages": len(raws), "kib": kib}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-anchor", action="store_true", help="skip timing trafilatura.extract alone")
    ap.add_argument("--cpu", action="store_true", help="time by CPU time, not wall time (a shared machine)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    a = ap.parse_args()
    r = measure(a.data, a.repeat, not a.no_anchor, time.process_time if a.cpu else time.perf_counter)
    if a.json:
        print(json.dumps(r))
        return
    for form in ("html", "text"):
        _report(form, r[form]["rates"], f"{r[form]['pages']} pages, mean {r[form]['kib']:.0f} KiB")
        if form == "html" and "anchor" in r:
            _report("  anchor trafilatura.extract", r["anchor"]["rates"], "same pages, same options, alternating")
            _report("  trafilatura.extract fast=True", r["anchor_fast"]["rates"], "for reference")
            print(f"  html / anchor: {statistics.median(r['html']['rates']) / statistics.median(r['anchor']['rates']):.2f}x "
                  "(medians)")


if __name__ == "__main__":
    main()
