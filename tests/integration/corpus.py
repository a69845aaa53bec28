"""Small generated dumps for the integration tests: clusters of near-duplicates of the seeds."""
from __future__ import annotations

from pathlib import Path

from tests.conftest import SEEDS

EXTRA = ["Officials declined to comment further on the talks.",
         "Analysts said the visit underlined the deepening partnership.",
         "The meeting lasted several hours, according to state media.",
         "Further details were expected to be released on Monday."]


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf8") for p in sorted(SEEDS.glob("*.txt"))]


def write_clusters(folder: Path, copies: int) -> dict[str, int]:
    """Each seed plus `copies` edited variants of it (a sentence appended); {file name: cluster}."""
    folder.mkdir(parents=True, exist_ok=True)
    clusters = {}
    for c, text in enumerate(seed_texts()):
        for v in range(copies + 1):
            name = f"c{c}_v{v}.txt"
            body = text if v == 0 else text.rstrip() + "\n\n" + EXTRA[v % len(EXTRA)] + f" Update {v}.\n"
            (folder / name).write_text(body, encoding="utf8")
            clusters[name] = c
    return clusters
