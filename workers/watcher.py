"""`ingest watch`: the long-running watcher of the inbox.

watchdog reports file events on its own thread; they are handed over through a thread-safe
queue to the main loop, which alone owns the `pending` table. A file is submitted once its
size and mtime have not changed for `settle_seconds` (a writer still busy keeps changing
them); temporary names are never taken. On start the whole inbox is rescanned, so files
that arrived while the watcher was down are not missed. Submitting registers the dump by
content: a file whose content is already known enqueues nothing.
"""
from __future__ import annotations

import logging
import queue
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from rich.console import Console
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from config.settings import Settings
from tasks.store import Store
from workers.intake import is_candidate, scan

log = logging.getLogger(__name__)
TICK_SECONDS = 0.2


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float


class _Handler(FileSystemEventHandler):
    def __init__(self, events: "queue.SimpleQueue[Path]"):
        self.events = events

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in ("deleted", "opened", "closed_no_write"):
            return
        target = getattr(event, "dest_path", "") or event.src_path
        self.events.put(Path(target))


class Watcher:
    """The settle logic, free of threads and of time.sleep, so a test can drive it."""

    def __init__(self, inbox: Path, settle_seconds: float, submit: Callable[[Path], None]):
        self.inbox, self.settle, self.submit = inbox, settle_seconds, submit
        self.events: "queue.SimpleQueue[Path]" = queue.SimpleQueue()
        self.pending: dict[Path, _Seen | None] = {}

    def rescan(self) -> None:
        for path in scan(self.inbox):
            self.pending.setdefault(path, None)

    def tick(self, now: float) -> list[Path]:
        """Take the events in, and submit every pending file that has settled."""
        while not self.events.empty():
            self.pending.setdefault(self.events.get(), None)
        ready = [p for p in list(self.pending) if self._settled(p, now)]
        for path in ready:
            del self.pending[path]
            try:
                self.submit(path)
            except FileNotFoundError:
                log.info("%s vanished before it could be taken", path)
        return ready

    def _settled(self, path: Path, now: float) -> bool:
        try:
            if not is_candidate(path):
                self.pending.pop(path, None)
                return False
            st = path.stat()
        except OSError:
            self.pending.pop(path, None)
            return False
        seen = self.pending[path]
        if seen is None or (seen.size, seen.mtime_ns) != (st.st_size, st.st_mtime_ns):
            self.pending[path] = _Seen(st.st_size, st.st_mtime_ns, now)
            return False
        return now - seen.since >= self.settle


def submitter(settings: Settings, store: Store, console: Console) -> Callable[[Path], None]:
    """Register a file; if its content is new, send it to the workers (or process it here)."""
    if settings.embedded:
        from tasks.pipeline import Pipeline
        pipeline = Pipeline(settings, store)
        send = pipeline.process_in_process
    else:
        from workers.queue import Queue
        q = Queue(settings)
        send = lambda dump_id: q.submit([dump_id])  # noqa: E731

    def submit(path: Path) -> None:
        reg = store.register(path, settings.max_dump_bytes, settings.pipeline_version)
        if not reg.new:
            log.info("%s: content already known as dump %s (%s)", path.name, reg.dump_id, reg.state)
            return
        if reg.state == "queued":
            send(reg.dump_id)
        console.print(f"{path.name} -> dump {reg.dump_id} ({reg.state if reg.state != 'queued' else 'enqueued'})")

    return submit


def watch_forever(settings: Settings, store: Store, console: Console) -> None:
    settings.inbox.mkdir(parents=True, exist_ok=True)
    watcher = Watcher(settings.inbox, settings.settle_seconds, submitter(settings, store, console))
    observer = Observer()
    observer.schedule(_Handler(watcher.events), str(settings.inbox), recursive=True)
    observer.start()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    watcher.rescan()
    console.print(f"watching {settings.inbox.resolve()} "
                  f"({'embedded' if settings.embedded else 'queue ' + settings.queue}); Ctrl-C stops")
    try:
        while not stopping:
            watcher.tick(time.monotonic())
            time.sleep(TICK_SECONDS)
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        observer.join(timeout=5)
        console.print("watcher stopped")
