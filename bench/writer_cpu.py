#!/usr/bin/env python3
"""CPU of the embedded run's one writer (Store.save_batch's transaction), apart from the stages.

    python bench/writer_cpu.py --prepare /tmp/drafts.pickle --docs 3000   # once: run the stages
    python bench/writer_cpu.py --drafts /tmp/drafts.pickle                # replay into fresh stores

`--prepare` runs the pure stages (in this process, one core) over the first N texts of
../shared/bench/data/corpus_10000.jsonl.gz, as text dumps, and pickles the drafts. A replay
registers and claims the same dumps in a fresh SQLite store and saves the drafts in batches
of `--batch` dumps, in file order, as the pool's writer does; the story candidates of each
batch are read `--ahead` batches before it is saved and travel slim, as a pool child's do
(not timed; placement then re-ranks the stories changed since). It prints the CPU seconds
(process time) spent in tasks/store/writer.save, the writer's serial part, per round and
their median, and a digest of every article's verdict, duplicate, rewrite and story links
(equal digests: the same results).
Another checkout's code is replayed with PYTHONPATH=/that/checkout (the drafts are plain
dataclasses of tasks/stages and tasks/store/articles.py).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import pickle
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))   # a PYTHONPATH checkout, if given, comes first

CORPUS = next((p / "shared" / "bench" / "data" / "corpus_10000.jsonl.gz" for p in ROOT.parents
               if (p / "shared" / "bench").is_dir()), Path("corpus_10000.jsonl.gz"))


def write_dumps(folder: Path, n: int) -> list[Path]:
    paths = []
    with gzip.open(CORPUS, "rt", encoding="utf8") as f:
        for i, line in enumerate(f):
            if i >= n:
                break
            path = folder / f"c{i:05d}.txt"
            path.write_text(json.loads(line)["text"], encoding="utf8")
            paths.append(path)
    return paths


def pipeline_at(data: Path):
    """A pipeline on a fresh store, whose story cache is an embedded run's (workers/runner.py)."""
    from config.settings import load
    from tasks.pipeline import Pipeline
    from tasks.store.store import Store
    settings = load({"INGEST_DATA_DIR": str(data)})
    return Pipeline(settings, Store(settings.store_url_or_default(), story_cache=settings.embedded_story_cache,
                                    memo=settings.embedded_story_cache))


def registered(pipeline, paths: list[Path]) -> list:
    """Register and claim the files: their leases, in file order."""
    regs = [pipeline.store.register(p, 10_000_000, "bench") for p in paths]
    return pipeline.claim_many([r.dump_id for r in regs])


def prepare(out: Path, n: int, work: Path) -> None:
    pipeline = pipeline_at(work / "prepare")
    leases = registered(pipeline, write_dumps(work, n))
    started = time.process_time()
    prepared = [pipeline.prepare_claimed(lease) for lease in leases]
    kept = [(p.source_file, p.drafts, p.warnings) for p in prepared if p.drafts]
    out.write_bytes(pickle.dumps(kept))
    print(f"{len(kept)} dumps prepared in {time.process_time() - started:.1f} s CPU -> {out}")


def replay(drafts: list, batch: int, work: Path, ahead: int = 2) -> tuple[float, str]:
    """(CPU seconds in writer.save, digest of the stored links). Each dump's story candidates
    are read `ahead` batches before it is saved, and travel slim, as a pool child's do."""
    from functools import partial
    from tasks.stages import dedup
    from tasks.store import writer
    from tasks.store.storycache import slim
    from tasks.store.writer import DumpWrite
    folder = work / "dumps"
    folder.mkdir(parents=True)
    paths = []
    for name, ds, _ in drafts:
        path = folder / name
        path.write_text("\n\n".join(d.extracted.text for d in ds), encoding="utf8")
        paths.append(path)
    pipeline = pipeline_at(work / "data")
    leases = registered(pipeline, paths)
    spent = [0.0]
    save = writer.save

    def timed(*args, **kwargs):
        started = time.process_time()
        try:
            return save(*args, **kwargs)
        finally:
            spent[0] += time.process_time() - started
    writer.save = timed
    try:
        decide, rules = partial(dedup.decide, threshold=pipeline.settings.near_dup_threshold), pipeline.story_rules()
        starts = list(range(0, len(drafts), batch))
        priors = {}
        for i, start in enumerate(starts):
            for later in starts[i:i + ahead + 1]:
                if later not in priors:
                    priors[later] = [[slim(p) for p in pipeline.store.story_priors(ds, rules)]
                                     for _, ds, _ in drafts[later:later + batch]]
            part = [DumpWrite(lease.dump_id, name, ds, warnings, lease.token, prior)
                    for lease, (name, ds, warnings), prior in zip(leases[start:start + batch],
                                                                   drafts[start:start + batch], priors.pop(start))]
            pipeline.store.save_batch(part, decide, "bench", rules=rules)
    finally:
        writer.save = save
    digest = hashlib.sha256()
    for doc in pipeline.store.export():
        digest.update(json.dumps([doc["source_file"], doc["status"], doc["duplicate_of"], doc["rewrite_of"],
                                  doc["story_id"], doc["title"], doc["text"]]).encode())
    pipeline.store.close()
    return spent[0], digest.hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prepare", type=Path, help="run the stages and pickle the drafts here")
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--drafts", type=Path, help="replay these pickled drafts")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--ahead", type=int, default=2, help="story candidates read this many batches before the save")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-writer-"))
    try:
        if a.prepare:
            prepare(a.prepare, a.docs, work)
            return
        drafts = pickle.loads(a.drafts.read_bytes())
        times = []
        for r in range(a.rounds):
            cpu, digest = replay(drafts, a.batch, work / f"r{r}", a.ahead)
            times.append(cpu)
            print(f"round {r + 1}: writer.save {cpu:.2f} s CPU for {len(drafts)} dumps "
                  f"({cpu / len(drafts) * 1e3:.2f} ms a dump), results {digest}", flush=True)
        print(f"median: {statistics.median(times):.2f} s CPU, {statistics.median(times) / len(drafts) * 1e3:.2f} ms a dump")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
