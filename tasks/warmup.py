"""Warm-up: load, once per worker before the pool forks, what the first dump would otherwise
load inside its own time limit (trafilatura, lxml, htmldate, jusText, the language model).

Measured: the first task of a fresh pool process spent 2.2 s in the clean stage importing
and loading these (later ones ~7 ms); pool processes forked after the warm-up share the
loaded pages (copy-on-write) instead of each loading its own."""
from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)

_PROSE = ("The committee met on Tuesday to discuss the new budget for the coming year. Members agreed "
          "that spending on schools and roads would rise, while the council would look again at taxes. "
          "A final vote is expected next month, after a public consultation that opens on Monday.")
SAMPLES = (
    ("warm-up.txt", f"Home\nNews\n\nBudget talks go on\n\n{_PROSE}\n\nShare this article\n".encode()),
    ("warm-up.html", (f"<html><head><title>Budget talks go on</title>"
                      f"<meta property='article:published_time' content='2024-05-01'></head>"
                      f"<body><nav><a href='/'>Home</a></nav><article><h1>Budget talks go on</h1>"
                      f"<p>{_PROSE}</p><p>{_PROSE}</p></article></body></html>").encode()),
)


def warm_up() -> float:
    """Run the clean stage once on a small text dump and a small page; returns the seconds.
    A failure here is logged, never raised: the first real dump would simply pay the cost."""
    from tasks.stages.clean import clean
    started = time.perf_counter()
    for name, raw in SAMPLES:
        try:
            clean(raw, name)
        except Exception:  # noqa: BLE001 - a warm-up must never stop a worker from starting
            log.warning("warm-up of the clean stage failed on %s", name, exc_info=True)
    return time.perf_counter() - started
