"""`ingest run`: register every dump in some folders, get each processed, report.

Embedded (no INGEST_BROKER_URL): the dumps are processed here, by the same Pipeline the
workers run: prepared in a pool of child processes (one per CPU) and committed by this one. With a broker: they are sent to the queue, and this waits, polling
the store, until each is done or failed.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from config.settings import Settings
from tasks.policy import Policy
from tasks.store import Store
from tasks.store.dumps import Registration
from workers import collector
from workers.intake import Found, Skipped, walk
from workers.preload import FINAL, Loading as _Loading, early_language, work_likely
from workers.safe import shown

log = logging.getLogger(__name__)

STALL_HINT_SECONDS = 15
REGISTER_BATCH = 200     # new files registered per transaction


@dataclass
class RunReport:
    seen: int = 0                 # dump files found
    distinct: int = 0             # distinct dumps among them (a file named twice counts once)
    already_done: int = 0         # stored earlier: nothing to do
    processed: int = 0            # done in this run
    failed: list[dict] = field(default_factory=list)
    articles: int = 0
    duplicates: int = 0
    topics: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    timed_out: int = 0
    skipped: list[dict] = field(default_factory=list)   # {"file", "reason"}: not taken, and why
    topics_adapted: str | None = None   # what adapting the topics to the store did (tasks/adaptation.py)


def _progress(console: Console) -> Progress:
    """A transient progress bar, redrawn by a thread 4 times a second on a terminal only: elsewhere
    (output to a file or a pipe) each redraw built the bar and showed nothing, ~1 ms of the
    writer's process each tenth of a second (1.1 s CPU over a 10k-text run)."""
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True,
                    auto_refresh=console.is_terminal, refresh_per_second=4)


def known_files(store: Store, items: list[Found | Skipped]) -> dict[str, tuple[str, str]]:
    """{path: (dump id, state)} of the files whose path, size and mtime are those registered:
    one query for all of them, none read."""
    return store.known_files([(i.where, i.size, i.mtime_ns) for i in items if isinstance(i, Found)])


def register_all(store: Store, settings: Settings, items: list[Found | Skipped], console: Console,
                 report: RunReport, known: dict[str, tuple[str, str]] | None = None) -> dict[str, object]:
    """Register each file; return {dump id: Registration} (one per distinct content). A file
    known by path, size and mtime (`known_files`, unless given) is not read. One bad
    file never stops the others: a vanished or skipped one goes to `report.skipped`, an
    unreadable one or a special file (fifo, socket, device) is kept as a `failed` dump."""
    seen = {}
    where = {id(i): i.where for i in items if isinstance(i, Found)}
    known = known_files(store, items) if known is None else known
    with _progress(console) as progress:
        task = progress.add_task("registering", total=len(items))
        for start in range(0, len(items), REGISTER_BATCH):
            chunk = items[start:start + REGISTER_BATCH]
            for reg in _register_chunk(store, settings, chunk, known, where, report):
                if reg is not None:
                    seen.setdefault(reg.dump_id, reg)
            progress.advance(task, len(chunk))
    return seen


def _register_chunk(store: Store, settings: Settings, chunk: list, known: dict, where: dict,
                    report: RunReport) -> list:
    """The chunk's registrations, in order: known files from `known`, new regular files in one
    transaction, and a file that fails there (or a skipped one) on its own, as `_register_one`."""
    fresh = [i for i in chunk if isinstance(i, Found) and where[id(i)] not in known]
    try:
        done = dict(zip(map(id, fresh), store.register_many([(i.path, None) for i in fresh],
                                                            settings.max_dump_bytes, settings.pipeline_version)))
    except OSError:   # not a file's fault (the store's folder): each file on its own says what
        done = {}
    out = []
    for item in chunk:
        hit = known.get(where[id(item)]) if isinstance(item, Found) else None
        if hit:
            out.append(Registration(hit[0], item.path.name, False, hit[1]))
        elif id(item) in done and not isinstance(done[id(item)], OSError):
            out.append(done[id(item)])
        else:
            out.append(_register_one(store, settings, item, report))
    return out


def _register_one(store: Store, settings: Settings, item: Found | Skipped, report: RunReport):
    path = item.path
    if isinstance(item, Skipped):
        if item.reason.startswith("not a regular file"):
            return store.record_unreadable(path, 0, f"{path.name} is {item.reason}: move it out of the folder")
        report.skipped.append({"file": str(path), "reason": item.reason})
        return None
    try:
        return store.register(path, settings.max_dump_bytes, settings.pipeline_version)
    except FileNotFoundError:
        report.skipped.append({"file": str(path), "reason": "vanished before it could be read"})
    except OSError as exc:
        if exc.filename is None:
            raise
        return store.record_unreadable(path, item.size, f"cannot read {path.name}: {exc.strerror or exc}: "
                                                        f"fix its permissions, then `ingest run` again")
    return None


def run(settings: Settings, folders: list[Path], console: Console, store: Store | None = None,
        follow_symlinks: bool = False) -> RunReport:
    """`store`: default, the settings' store, opened once the folders are walked (a new store's
    run starts loading the language model first: workers/preload.py)."""
    started = time.perf_counter()
    items = [item for folder in folders for item in walk(folder, follow_symlinks)]
    language = early_language(settings, store is not None, items)
    try:
        store = _opened(store, settings)
        report = RunReport(seen=len(items))
        known = known_files(store, items)
        loading = _Loading.start(settings, store, language) if settings.embedded and work_likely(items, known) else None
        try:
            regs = register_all(store, settings, items, console, report, known)
        finally:
            pipeline = loading.join() if loading else None   # no thread left once the pool forks
            collector.started()    # all that lives as long as the run is loaded (workers/collector.py)
    finally:
        if language is not None:
            language.join()        # joined by the loading already, unless opening the store failed
    report.distinct = len(regs)
    # Unfinished dumps are sent again (a lost message is the worse risk: a duplicate one is
    # refused by the claim), except those a live attempt holds: only expired leases are taken back.
    store.reap(Policy.from_settings(settings))
    states = _states(store, regs)
    todo = [i for i in regs if states.get(i) == "queued"]
    held = [i for i in regs if states.get(i) == "processing"]
    report.already_done = sum(r.state == "done" and not r.new for r in regs.values())
    if todo or held:
        if settings.embedded:
            _process_here(settings, store, todo, console, pipeline)
            report.timed_out = len(held)
        else:
            report.timed_out = _enqueue_and_wait(settings, store, todo, held, console)
        if settings.topics_adapt:
            report.topics_adapted = _adapt(settings, store, console)
    _fill(report, store, states, todo + held)
    report.seconds = time.perf_counter() - started
    return report


def _opened(store: Store | None, settings: Settings) -> Store:
    # a batch job's caches: the writer's memo as large as its story cache (10k texts: 5-grams counted
    # again 3,351 -> 1,349 times, sketches unpacked again 76k -> 10k, ~8% of the writer; ~+20 MB)
    return store or Store(settings.store_url_or_default(), story_cache=settings.embedded_story_cache,
                          memo=settings.embedded_story_cache)


def _adapt(settings: Settings, store: Store, console: Console) -> str:
    """Adapt the topics to the store (fit the self-trained model when due, re-label the articles
    the lexicon was unsure of); a failure here is reported, never fails the run."""
    from tasks.adaptation import adapt
    try:
        with console.status("adapting topics to the store"):
            return adapt(settings, store).summary()
    except Exception as exc:  # noqa: BLE001 - the articles are stored; adapting is a bonus
        log.warning("adapting topics failed", exc_info=True)
        return f"topics not adapted: {type(exc).__name__}: {exc}"


def _process_here(settings: Settings, store: Store, todo: list[str], console: Console, pipeline=None) -> None:
    """Process the dumps in this process, or, with INGEST_EMBEDDED_PROCESSES > 1 (default: one
    per CPU), prepare them in a pool of child processes and commit them here (workers/pool.py).
    `pipeline`: one loaded already (`_Loading`)."""
    if pipeline is None:
        from tasks.pipeline import Pipeline   # the stages' imports take seconds: only when there is work
        pipeline = Pipeline(settings, store)
    processes = min(settings.processes, len(todo))
    if processes <= 1:
        with _progress(console) as progress:
            task = progress.add_task("ingesting", total=len(todo))
            for dump_id in todo:
                pipeline.process_in_process(dump_id)
                progress.advance(task)
        return
    from workers.pool import Pool
    with Pool(pipeline, processes) as pool, _progress(console) as progress:   # children first: no thread yet
        task = progress.add_task(f"ingesting ({processes} processes)", total=len(todo))
        pool.run(todo, lambda _: progress.advance(task))


def _enqueue_and_wait(settings: Settings, store: Store, todo: list[str], held: list[str], console: Console) -> int:
    """Send the dumps to the workers, then wait for them and for those already being processed;
    returns how many did not finish in time."""
    from workers.queue import Queue   # Celery is only needed with a broker
    if todo:
        Queue(settings).submit(todo)
    deadline = time.monotonic() + settings.run_timeout if settings.run_timeout else None
    todo = todo + held
    pending = set(todo)
    last_progress, hinted = time.monotonic(), False
    with _progress(console) as progress:
        task = progress.add_task(f"waiting for workers ({settings.queue})", total=len(todo))
        while pending and (deadline is None or time.monotonic() < deadline):
            finished = {i for i, s in store.states(sorted(pending)).items() if s in FINAL}
            pending -= finished
            progress.update(task, completed=len(todo) - len(pending))
            if finished:
                last_progress = time.monotonic()
            elif not hinted and time.monotonic() - last_progress > STALL_HINT_SECONDS:
                hinted = True
                progress.console.print(f"no dump finished for {STALL_HINT_SECONDS} s: is a worker running on queue "
                                       f"'{shown(settings.queue)}'? (Procfile: celery -A tasks.app worker); "
                                       f"INGEST_RUN_TIMEOUT bounds this wait")
            if pending:
                time.sleep(0.2)
    return len(pending)


def _states(store: Store, regs: dict[str, Registration]) -> dict[str, str]:
    """Each dump's state: as registered (read a moment ago), read again only for those not
    finished (the reaper, or another process, may have moved them since)."""
    states = {i: r.state for i, r in regs.items()}
    states.update(store.states([i for i, s in states.items() if s not in FINAL]))
    return states


def _fill(report: RunReport, store: Store, before: dict[str, str], todo: list[str]) -> None:
    """The report's figures: the states of the dumps this run processed or waited for, read
    now; the others were finished before it (a re-run over known files reads nothing more)."""
    states = before | store.states(todo)
    report.processed = sum(states.get(i) == "done" for i in todo)
    report.failed = [store.dump(i) for i, s in states.items() if s == "failed"]
    summary = store.summary_of(todo)
    report.articles, report.duplicates, report.topics = summary["articles"], summary["duplicates"], summary["topics"]


def dispatch(settings: Settings, store: Store, dump_ids: list[str], console: Console) -> int:
    """Get queued dumps processed: sent to the workers (without waiting), or processed here
    when embedded. Returns how many failed (0 when sent to the workers)."""
    if not settings.embedded:
        from workers.queue import Queue
        Queue(settings).submit(dump_ids)
        return 0
    _process_here(settings, store, dump_ids, console)
    states = store.states(dump_ids)
    return sum(s == "failed" for s in states.values())
