#!/usr/bin/env python3
"""Score clean() directly on the extraction benchmark, the same way score_extraction.py scores the product.

    python bench/eval_clean.py [--as html|text|both] [--data DIR] [--show N] [--worst N]

Reads DIR/html/*.html.gz and DIR/ground-truth.json, builds each dump exactly as the scorer
does (the page as UTF-8 HTML, or `html_to_text_dump` of it for text), calls clean() on it,
and prints macro P/R/F1 of 4-gram shingles (metrics.text_prf): the figure the scorer prints,
minus the rest of the pipeline. A dump that raises counts as empty text, as in the product.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

# The shared benchmark folder: beside the checkout (/work/main -> /work/shared) or two levels up (a worktree).
BENCH = next((p / "shared" / "bench" for p in Path(__file__).resolve().parents if (p / "shared" / "bench").is_dir()),
             Path(__file__).resolve().parents[2] / "shared" / "bench")
sys.path.insert(0, str(BENCH))
from metrics import text_prf  # noqa: E402
from score_extraction import html_to_text_dump, read_html  # noqa: E402

from tasks.errors import DumpError  # noqa: E402
from tasks.stages.clean import clean  # noqa: E402

DEFAULT_DATA = BENCH / "data" / "extraction-dev"


def held_out(key: str) -> bool:
    """The held-out slice (never tuned on): pages whose file name's sha256 starts with a byte % 4 == 0."""
    return hashlib.sha256(f"{key}.html.gz".encode()).digest()[0] % 4 == 0


def load_dumps(data: Path, form: str) -> list[tuple[str, str, str]]:
    """(id, truth, dump text) per page, the dump built as score_extraction.py builds it."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf8"))
    out = []
    for key, value in truth.items():
        src = next(p for p in (data / "html" / f"{key}.html.gz", data / "html" / f"{key}.html") if p.exists())
        html = read_html(src)
        out.append((key, value["articleBody"], html if form == "html" else html_to_text_dump(html)))
    return out


def run(dumps: list[tuple[str, str, str]], form: str) -> tuple[list[tuple[str, str]], float]:
    """Clean every dump; return (truth, predicted text) pairs and the seconds spent in clean()."""
    suffix = ".html" if form == "html" else ".txt"
    pairs, seconds = [], 0.0
    for key, truth, dump in dumps:
        raw = dump.encode("utf8")
        started = time.perf_counter()
        try:
            text = clean(raw, key + suffix)[0].text
        except DumpError:
            text = ""
        seconds += time.perf_counter() - started
        pairs.append((truth, text))
    return pairs, seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--as", dest="form", choices=["html", "text", "both"], default="both")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--worst", type=int, default=0, help="list the N tune-slice pages with the lowest F1")
    a = ap.parse_args()
    for form in (["html", "text"] if a.form == "both" else [a.form]):
        dumps = load_dumps(a.data, form)
        pairs, seconds = run(dumps, form)
        P, R, F1 = text_prf(pairs)
        empty = sum(1 for _, text in pairs if not text)
        print(f"{a.data.name} as {form}: {len(pairs)} docs, {empty} without an article, "
              f"{len(pairs) / seconds:.1f} docs/s in clean()")
        print(f"P={P:.3f} R={R:.3f} F1={F1:.3f}")
        for name, held in (("tune", False), ("held", True)):
            part = [pair for (key, _, _), pair in zip(dumps, pairs) if held_out(key) == held]
            p, r, f1 = text_prf(part)
            print(f"  {name} slice ({len(part)} docs): P={p:.3f} R={r:.3f} F1={f1:.3f}")
        if a.worst:   # the tune slice only: the held-out pages' errors are never looked at
            scored = sorted((text_prf([pair])[2], key) for (key, _, _), pair in zip(dumps, pairs) if not held_out(key))
            for f1, key in scored[:a.worst]:
                p, r, _ = text_prf([pairs[[d[0] for d in dumps].index(key)]])
                print(f"  {f1:.3f} P={p:.3f} R={r:.3f} {key}")


if __name__ == "__main__":
    main()
