#!/usr/bin/env python3
"""Throughput of the clean stage alone, one core: pages per second for HTML and for text dumps.

    python bench/bench_clean.py [--data DIR] [--repeat N]

Uses the extraction benchmark's pages (HTML as they are, text dumps built as the scorer
builds them). A few warm-up pages load the models (py3langid, stop lists) before timing;
the per-line caches are emptied before each timed pass, so a repeat does not read its own
cache (in a worker they do carry over from dump to dump of the same site). Prints the best
of --repeat passes.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from eval_clean import DEFAULT_DATA, load_dumps

from tasks.errors import DumpError
from tasks.stages.boilerplate import _cached_cues
from tasks.stages.clean import clean
from tasks.stages.clean_segments import _line_features


def pages_per_second(raws: list[tuple[bytes, str]], repeat: int) -> float:
    for raw, name in raws[:5]:
        _clean(raw, name)
    best = float("inf")
    for _ in range(repeat):
        _cached_cues.cache_clear()
        _line_features.cache_clear()
        started = time.perf_counter()
        for raw, name in raws:
            _clean(raw, name)
        best = min(best, time.perf_counter() - started)
    return len(raws) / best


def _clean(raw: bytes, name: str) -> None:
    try:
        clean(raw, name)
    except DumpError:
        pass


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    for form, suffix in (("html", ".html"), ("text", ".txt")):
        raws = [(dump.encode("utf8"), key + suffix) for key, _, dump in load_dumps(a.data, form)]
        mb = sum(len(r) for r, _ in raws) / len(raws) / 1024
        print(f"{form}: {pages_per_second(raws, a.repeat):.1f} pages/s ({len(raws)} pages, mean {mb:.0f} KiB)")


if __name__ == "__main__":
    main()
