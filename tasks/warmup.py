"""Warm-up: load, once per worker before the pool forks, what the first dump would otherwise
load inside its own time limit (trafilatura, lxml, htmldate, jusText, the language model, and
given a pipeline, the topic lexicon and the other stages' tables).

Measured: the first task of a fresh pool process spent 2.2 s in the clean stage importing
and loading these (later ones ~7 ms); pool processes forked after the warm-up share the
loaded pages (copy-on-write) instead of each loading its own. Of the rest, the topic
lexicon and its matching tables cost each child's first dump ~60 ms more.

At its end the warm-up freezes the garbage collector's view of every object loaded so far
(gc.freeze, as Python's documentation advises before fork): the collector no longer visits
them, so a child's collections do not write to their headers and copy the parent's pages one
by one (bench/production.py --memory, 10k dumps: a worker's PSS at the end 323 -> 302 MB)."""
from __future__ import annotations

import gc
import logging
import threading
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


def warm_up(pipeline=None) -> float:
    """Run the clean stage once on a small text dump and a small page, and with a pipeline
    (tasks/pipeline.py) its other stages on what came out; returns the seconds. A failure
    here is logged, never raised: the first real dump would simply pay the cost."""
    from tasks.stages.clean import clean
    started = time.perf_counter()
    for name, raw in SAMPLES:
        try:
            articles = clean(raw, name)
            if pipeline is not None:
                _stages(pipeline, articles)
        except Exception:  # noqa: BLE001 - a warm-up must never stop a worker from starting
            log.warning("warm-up of the stages failed on %s", name, exc_info=True)
    gc.freeze()   # all loaded so far lives as long as the process: see below
    return time.perf_counter() - started


def _stages(pipeline, articles) -> None:
    """The stages after clean, as Pipeline._drafts runs them, on the samples' articles."""
    from tasks.stages import dedup
    from tasks.stages.topics import topics_reason
    classifier, rules = pipeline.classifier(), pipeline.story_rules()
    for ex in articles:
        if not topics_reason(classifier, ex.language):
            classifier.classify(ex.title, ex.text)
        dedup.fingerprint(ex.text)
        rules.read(ex.title, ex.text, ex.published)


def load_language_model() -> threading.Thread:
    """Start loading the language-ID model in a thread, and return it: its decompression
    leaves the interpreter free for the other loading. Join it before `warm_up`, which would
    otherwise load the model a second time."""
    def load() -> None:
        try:
            from tasks.stages.clean.language import detect_language
            detect_language(_PROSE)
        except Exception:  # noqa: BLE001 - loaded again where it is needed, and failing there says why
            log.debug("loading the language model ahead failed", exc_info=True)
    thread = threading.Thread(target=load, name="ingest-load-language", daemon=True)
    thread.start()
    return thread
