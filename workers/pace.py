"""How far ahead the embedded pool's parent queues dumps to its children (workers/pool.py)."""
from __future__ import annotations

import math
from dataclasses import dataclass

DEPTH = 8                # dumps queued to each child until the run has measured its pace
MAX_DEPTH = 64


@dataclass
class Pace:
    """How many dumps to keep queued to each child: enough of its work to outlast one of the
    writer's transactions twice over (the parent sends nothing while it commits, and a
    transaction may take longer than the average), so that no child waits for the writer; and
    no more, so that the children finish together. Both times are running averages of what
    this run measured."""
    per_dump: float = 0.0          # seconds a child takes for a dump
    per_commit: float = 0.0        # seconds a writer's transaction takes
    least: float = 0.2             # seconds of work queued to a child, at least

    def depth(self) -> int:
        if not self.per_dump:
            return DEPTH
        ahead = max(self.least, 2 * self.per_commit)
        return max(2, min(MAX_DEPTH, math.ceil(ahead / self.per_dump)))

    def dumped(self, seconds: float) -> None:
        self.per_dump = _average(self.per_dump, seconds)

    def committed(self, seconds: float) -> None:
        self.per_commit = _average(self.per_commit, seconds)


def _average(mean: float, seconds: float, weight: float = 0.1) -> float:
    return seconds if not mean else mean + weight * (seconds - mean)
