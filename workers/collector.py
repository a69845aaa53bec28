"""The garbage collector around an `ingest` command: off while it starts, out of the way when it exits.

A command's start-up allocates what lives as long as the process (modules, the stages' tables
and models): a collection finds no garbage in it, but each full one walks all of it. Python's
documentation (gc.freeze) gives the pattern: `gc.disable()` early, `gc.freeze()` once what is
loaded is loaded (the embedded pool forks right after, tasks/warmup.py), then `gc.enable()`.
At exit the interpreter collects again, walking every object it holds; frozen, they are not
walked (their memory goes back with the process). Measured, `ingest run` on an empty folder,
paired, 7 rounds: 0.67 s CPU with the collector as it was, 0.49 with the exit freeze alone,
0.44 with both.

Only the console script (workers/cli.py `main`) turns the collector off; `started` turns it back on
and does nothing when it was on (a test calling the runner, a Celery worker).

Once on, the youngest generation is collected every YOUNG_OBJECTS allocations of container objects,
not Python's 700: the embedded run's writer unpickles each batch's drafts and builds its dedup
candidates and story placements, some hundred thousand short-lived containers a batch that
reference counting frees anyway, and each collection walked them (and promoted the survivors
to the older generations, whose collections walk the writer's caches). Over the 10k corpus texts
the writer's process spent 1.74 s CPU in collections (2,857 young, 260 middle, 23 full, by
gc.callbacks), 0.18 s with 20,000 (70 young, 6 middle). A pool child prepares one dump at a
time and spent 0.08 s per 3,000 dumps either way.
"""
from __future__ import annotations

import gc

YOUNG_OBJECTS = 20_000   # allocations between collections of the youngest generation (Python's: 700)


def starting() -> None:
    """Start-up begins: no collection until `started`."""
    gc.disable()


def started() -> None:
    """Start-up is over: what is loaded is frozen out of the collector's view, which is on again,
    its youngest generation collected every YOUNG_OBJECTS allocations. A no-op when the
    collector is on (start-up was not ours to time)."""
    if not gc.isenabled():
        gc.freeze()
        gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])
        gc.enable()


def exiting() -> None:
    """The command is done: the interpreter's last collections need not walk what it holds."""
    gc.freeze()
