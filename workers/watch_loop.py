"""`ingest watch`: the long-running process around the watcher's core (workers/watcher.py).

It owns the watchdog observer, the signals and the main loop. Each loop step (every 0.2 s):
re-watch the inbox if it was deleted and re-created, let the core take settled files, and
every INGEST_RESCAN_SECONDS run the periodic pass:
- a rescan of the inbox (inotify drops events when its queue overflows), one `stat` per file;
- a re-send of dumps left `queued` with nothing on the queue to carry them (a watcher killed
  between register and send, a message lost with a broker): queued and untouched for twice
  the rescan interval, while the queue has no message waiting.
SIGTERM and SIGINT set a flag that every step, and every file of a rescan, looks at: the
watcher stops within a second or so.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from rich.console import Console
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from config.settings import Settings
from tasks import heartbeat
from tasks.store import Store
from workers.archive import Archiver
from workers.intake import Found, Skipped
from workers.safe import plain, shown
from workers.watcher import Actions, Watcher

log = logging.getLogger(__name__)
TICK_SECONDS = 0.2
ADAPT_CHECK_SECONDS = 600.0      # how often the watcher asks whether the topic model is due a fit
ARCHIVE_SWEEP_SECONDS = 1.0


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher):
        self.events = watcher.events

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in ("opened", "closed_no_write", "attrib"):
            return
        if event.event_type == "moved":
            self.events.put(("deleted", Path(event.src_path)))
            self.events.put(("moved", Path(event.dest_path)))
        else:
            self.events.put((event.event_type, Path(event.src_path)))


class InboxWatch:
    """The watchdog watch on the inbox, renewed when the inbox folder is replaced."""

    def __init__(self, observer, watcher: Watcher):
        self.observer, self.watcher, self.path = observer, watcher, watcher.inbox
        self.identity = self._identity()
        self.observer.schedule(_Handler(watcher), str(self.path), recursive=True)

    def _identity(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def check(self) -> bool:
        """True when a new inbox folder has just been put in place of the watched one."""
        identity = self._identity()
        if identity == self.identity:
            return False
        self.identity = identity
        self.observer.unschedule_all()
        if identity is None:
            log.warning("the inbox %s is gone; waiting for it to be created again", plain(self.path))
            return False
        self.observer.schedule(_Handler(self.watcher), str(self.path), recursive=True)
        log.warning("the inbox %s was created again; watching the new folder", plain(self.path))
        return True


def make_actions(settings: Settings, store: Store, console: Console, archiver: Archiver | None = None) -> Actions:
    """Register in the store; send to the workers, or process here when embedded."""
    send = _sender(settings, store)

    def known(found: list[Found]) -> dict[Path, str]:
        hits = store.known_files([(f.where, f.size, f.mtime_ns) for f in found])
        return {f.path: hits[f.where][0] for f in found if f.where in hits}

    def register(path: Path) -> tuple[str | None, bool]:
        try:
            reg = store.register(path, settings.max_dump_bytes, settings.pipeline_version)
        except OSError as exc:
            if exc.filename is None or isinstance(exc, FileNotFoundError):
                raise
            return _unreadable(path, f"cannot read {path.name}: {exc.strerror or exc}: "
                                     f"fix its permissions; the watcher takes it at its next rescan"), False
        if not reg.new:
            log.info("%s: content already known as dump %s (%s)", plain(path.name), reg.dump_id, reg.state)
            return reg.dump_id, False
        state = "enqueued" if reg.state == "queued" else reg.state
        if reg.superseded:
            state += f"; supersedes the earlier version, dump {', '.join(reg.superseded)}"
        console.print(f"{shown(path.name)} -> dump {reg.dump_id} ({state})")
        return reg.dump_id, reg.state == "queued"

    def _unreadable(path: Path, reason: str) -> str:
        size = path.lstat().st_size
        reg = store.record_unreadable(path, size, reason)
        if reg.new:
            console.print(f"{shown(path.name)} -> dump {reg.dump_id} (failed: {shown(reason)})")
        return reg.dump_id

    def skipped(item: Skipped) -> None:
        if item.reason.startswith("not a regular file"):
            _unreadable(item.path, f"{item.path.name} is {item.reason}")
        else:
            console.print(f"{shown(item.path)}: skipped, {shown(item.reason)}")

    return Actions(register=register, send=send, skipped=skipped, known=known,
                   taken=archiver.note if archiver else (lambda path, dump_id: None))


def _sender(settings: Settings, store: Store) -> Callable[[list[str]], None]:
    if settings.embedded:
        from tasks.pipeline import Pipeline
        pipeline = Pipeline(settings, store)
        return lambda ids: [pipeline.process_in_process(i) for i in ids]
    from workers.queue import Queue
    return Queue(settings).submit


def resend_stranded(settings: Settings, store: Store, watcher: Watcher) -> list[str]:
    """Send again the dumps left `queued` with nothing carrying them; returns their ids."""
    cutoff = datetime.now(timezone.utc) - timedelta(seconds=2 * settings.rescan_seconds)
    ids = [i for i in store.queued_before(cutoff) if i not in watcher.unsent]
    if not ids:
        return []
    if not settings.embedded:
        from workers.queue import Queue
        if Queue(settings).depth()["waiting"]:
            return []        # messages are waiting: these dumps may well be among them
    store.touch_queued(ids)
    watcher.actions.send(ids)
    log.warning("sent again %d dump(s) left queued with no message on the queue: %s",
                len(ids), ", ".join(ids[:10]) + (" …" if len(ids) > 10 else ""))
    return ids


def periodic_pass(settings: Settings, store: Store, watcher: Watcher) -> None:
    """The rescan and the stranded re-send. An outage here is logged, never fatal."""
    watcher.rescan()
    try:
        resend_stranded(settings, store, watcher)
    except Exception as exc:  # noqa: BLE001 - the store or broker is down: next pass retries
        log.warning("could not look for stranded dumps (%s: %s); next pass retries",
                    type(exc).__name__, plain(str(exc).splitlines()[0] if str(exc) else ""))


def adapt_when_due(settings: Settings, store: Store) -> None:
    """Self-train the topic model on the store when it is due (tasks/adaptation.py)."""
    from tasks.adaptation import adapt, due
    try:
        if due(settings, store):
            log.info("%s", adapt(settings, store).summary())
    except Exception as exc:  # noqa: BLE001 - the articles are stored; adapting waits for the next pass
        log.warning("could not adapt the topics to the store (%s: %s); next pass retries",
                    type(exc).__name__, plain(str(exc).splitlines()[0] if str(exc) else ""))


def _sweep(archiver: Archiver) -> None:
    try:
        archiver.sweep()
    except Exception as exc:  # noqa: BLE001 - the store is down: the next sweep retries
        log.info("cannot archive now (%s)", type(exc).__name__)


def _stop_on_signals(stop: threading.Event) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())


def watch_forever(settings: Settings, store: Store, console: Console) -> None:
    stop = threading.Event()
    _stop_on_signals(stop)
    settings.inbox.mkdir(parents=True, exist_ok=True)
    archiver = Archiver(settings.inbox, settings.archive_dir, store) if settings.archive_dir else None
    actions = make_actions(settings, store, console, archiver)
    watcher = Watcher(settings.inbox, settings.settle_seconds, actions, stop.is_set)
    observer = Observer()
    inbox = InboxWatch(observer, watcher)
    observer.start()
    console.print(f"watching {shown(settings.inbox.resolve())} "
                  f"({'embedded' if settings.embedded else 'queue ' + shown(settings.queue)}"
                  f"{'; archiving to ' + shown(settings.archive_dir) if archiver else ''}); Ctrl-C stops")
    next_pass = next_sweep = 0.0     # the first pass, at once, is the start-up rescan
    next_adapt = time.monotonic() + ADAPT_CHECK_SECONDS   # not at start-up: the rescan comes first
    beats = heartbeat.Pacer(settings.heartbeat_dir, "watcher", settings.heartbeat_seconds)  # `ingest health`
    try:
        while not stop.is_set():
            now = time.monotonic()
            if inbox.check():
                watcher.forget()
                next_pass = 0.0
            if now >= next_pass:
                periodic_pass(settings, store, watcher)
                next_pass = time.monotonic() + settings.rescan_seconds
            watcher.tick(time.monotonic())
            if now >= next_adapt:
                adapt_when_due(settings, store)
                next_adapt = time.monotonic() + ADAPT_CHECK_SECONDS
            if archiver and now >= next_sweep:
                _sweep(archiver)
                next_sweep = now + ARCHIVE_SWEEP_SECONDS
            beats.maybe_beat()   # liveness for `ingest health`: written only while this loop turns
            stop.wait(TICK_SECONDS)
    finally:
        observer.stop()
        observer.join(timeout=2)
        heartbeat.remove(settings.heartbeat_dir, "watcher")
        console.print("watcher stopped")
