#!/usr/bin/env python3
"""Throughput of the clean stage alone, one core: pages per second for HTML and for text dumps.

    python bench/bench_clean.py [--data DIR] [--repeat N] [--no-anchor]

Uses the extraction benchmark's pages (HTML as they are, text dumps built as the scorer
builds them). A few warm-up pages load the models (py3langid, stop lists) before timing;
the per-line caches are emptied before each timed pass, so a repeat does not read its own
cache (in a worker they do carry over from dump to dump of the same site).

A shared VM is noisy (±20% from run to run), so each figure is timed over --repeat passes
and printed as best and median. The anchor line times `trafilatura.extract` alone, with the
options clean/html.py uses, on the same HTML pages in the same run: the HTML path should be
at least as fast as trafilatura on its own.
"""
from __future__ import annotations

import argparse
import gc
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


def pass_rates(items: list, run: Callable, repeat: int) -> list[float]:
    """Pages per second of each of `repeat` timed passes of run() over the items (after a warm-up)."""
    for item in items[:5]:
        run(item)
    rates = []
    for _ in range(repeat):
        _cached_cues.cache_clear()
        _line_features.cache_clear()
        gc.collect()
        started = time.perf_counter()
        for item in items:
            run(item)
        rates.append(len(items) / (time.perf_counter() - started))
    return rates


def _clean(item: tuple[bytes, str]) -> None:
    try:
        clean(*item)
    except DumpError:
        pass


def _trafilatura(html: str) -> None:
    trafilatura.extract(html, **TRAFILATURA_OPTIONS)


def _report(label: str, rates: list[float], detail: str) -> None:
    print(f"{label}: {max(rates):.1f} pages/s best, {statistics.median(rates):.1f} median "
          f"of {len(rates)} passes ({detail})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-anchor", action="store_true", help="skip timing trafilatura.extract alone")
    a = ap.parse_args()
    for form, suffix in (("html", ".html"), ("text", ".txt")):
        dumps = load_dumps(a.data, form)
        raws = [(dump.encode("utf8"), key + suffix) for key, _, dump in dumps]
        kib = sum(len(r) for r, _ in raws) / len(raws) / 1024
        _report(form, pass_rates(raws, _clean, a.repeat), f"{len(raws)} pages, mean {kib:.0f} KiB")
        if form == "html" and not a.no_anchor:
            rates = pass_rates([dump for _, _, dump in dumps], _trafilatura, a.repeat)
            _report("  anchor trafilatura.extract", rates, "same pages, same options")


if __name__ == "__main__":
    main()
