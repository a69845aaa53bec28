"""Seconds spent per pipeline stage of one dump, for the log line and the metrics."""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field

STAGES = ("clean", "dedup", "classify", "stories", "store")


@dataclass
class Stopwatch:
    laps: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def lap(self, stage: str):
        """Add the time spent in this block to `stage` (a stage may run in several blocks)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.laps[stage] = self.laps.get(stage, 0.0) + time.perf_counter() - started

    def rounded(self) -> dict[str, float]:
        return {stage: round(seconds, 4) for stage, seconds in self.laps.items()}
